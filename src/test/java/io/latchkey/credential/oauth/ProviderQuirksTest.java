package io.latchkey.credential.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latchkey.testing.ScriptedTokenEndpoint;
import io.latchkey.testing.ScriptedTokenEndpoint.Answer;
import io.vertx.core.json.JsonObject;

/**
 * Providers that bend the standard, each against a loopback endpoint answering exactly as that provider documents.
 */
class ProviderQuirksTest extends ScriptedEndpointTestBase {

    static void settle(OAuth2Credential credential) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !credential.status().state().equals("refreshing")
                && !credential.status().state().equals("pending"));
    }

    static String token(OAuth2Credential credential) {
        return TokenCacheTest.token(credential);
    }

    OAuth2Credential github() {
        return fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientAuth: client_secret_post
                clientId: literal:Iv1.github-app
                clientSecret: literal:github-secret
                refreshToken: literal:ghr_stored
                """.formatted(endpoint.url()), Map.of());
    }

    @Test
    void githubFormEncodedAnswer() {
        // GitHub's documented default when the request does not ask for JSON.
        endpoint.then(new Answer(200, "application/x-www-form-urlencoded; charset=utf-8",
                "access_token=ghu_form_token&expires_in=28800&refresh_token=ghr_next&refresh_token_expires_in=15811200"
                        + "&scope=&token_type=bearer"));
        OAuth2Credential credential = github();
        settle(credential);
        assertThat(token(credential)).isEqualTo("ghu_form_token");
        assertThat(credential.status().expiresAt()).hasValue(fixture.clock.instant().plusSeconds(28800));
        assertThat(endpoint.received().get(0).headers()).containsEntry("accept", "application/json");
    }

    @Test
    void githubErrorWithHttp200IsAnError() {
        endpoint.otherwise(n -> Answer.json("{\"error\":\"bad_refresh_token\",\"error_description\":"
                + "\"The refresh token passed is incorrect or expired.\",\"error_uri\":\"https://docs.github.com\"}"));
        OAuth2Credential credential = github();
        settle(credential);
        assertThat(token(credential)).isNull();
        assertThat(credential.status().lastError()).hasValue("bad_refresh_token");
    }

    OAuth2Credential slack(String accessTokenPath) {
        return fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientAuth: client_secret_post
                clientId: literal:slack-client
                clientSecret: literal:slack-secret
                refreshToken: literal:xoxe-1-stored
                accessTokenPath: %s
                refreshTokenPath: %s
                expiresInPath: %s
                """.formatted(endpoint.url(), accessTokenPath, accessTokenPath.replace("access_token", "refresh_token"),
                accessTokenPath.replace("access_token", "expires_in")), Map.of());
    }

    @Test
    void slackOkFalseWithHttp200IsAnError() {
        endpoint.otherwise(n -> Answer.json("{\"ok\":false,\"error\":\"invalid_refresh_token\"}"));
        OAuth2Credential credential = slack("access_token");
        settle(credential);
        assertThat(token(credential)).isNull();
        assertThat(credential.status().lastError()).hasValue("invalid_refresh_token");
    }

    @Test
    void slackBotTokenAtTheTop() {
        endpoint.then(Answer.json("{\"ok\":true,\"access_token\":\"xoxb-bot\",\"token_type\":\"bot\",\"scope\":"
                + "\"chat:write\",\"expires_in\":43200,\"refresh_token\":\"xoxe-1-next\",\"bot_user_id\":\"U0\"}"));
        OAuth2Credential credential = slack("access_token");
        settle(credential);
        assertThat(token(credential)).isEqualTo("xoxb-bot");
    }

    @Test
    void slackUserTokenNestedUnderAuthedUser() {
        endpoint.then(Answer.json("{\"ok\":true,\"app_id\":\"A0\",\"authed_user\":{\"id\":\"U1\",\"scope\":"
                + "\"search:read\",\"access_token\":\"xoxp-user\",\"token_type\":\"user\",\"expires_in\":43200,"
                + "\"refresh_token\":\"xoxe-1-user\"},\"team\":{\"id\":\"T1\"}}"));
        OAuth2Credential credential = slack("authed_user.access_token");
        settle(credential);
        assertThat(token(credential)).isEqualTo("xoxp-user");
        assertThat(credential.status().expiresAt()).hasValue(fixture.clock.instant().plusSeconds(43200));
    }

    @Test
    void notionWantsBasicClientAuthenticationAndAJsonBody() {
        endpoint.then(Answer.json("{\"access_token\":\"ntn_token\",\"token_type\":\"bearer\",\"bot_id\":\"b1\","
                + "\"workspace_id\":\"w1\",\"refresh_token\":\"nrt_next\"}"));
        OAuth2Credential credential = fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientId: literal:notion-client
                clientSecret: literal:notion-secret
                refreshToken: literal:nrt_stored
                requestFormat: json
                defaultLifetime: 1h
                """.formatted(endpoint.url()), Map.of());
        settle(credential);
        assertThat(token(credential)).isEqualTo("ntn_token");
        ScriptedTokenEndpoint.Received request = endpoint.received().get(0);
        assertThat(request.headers()).containsEntry("content-type", "application/json")
                .containsEntry("authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("notion-client:notion-secret".getBytes(StandardCharsets.UTF_8)));
        JsonObject body = new JsonObject(request.body());
        assertThat(body.getString("grant_type")).isEqualTo("refresh_token");
        assertThat(body.getString("refresh_token")).isEqualTo("nrt_stored");
        // Notion's answer has no expires_in: the configured default lifetime applies.
        assertThat(credential.status().expiresAt()).hasValue(fixture.clock.instant().plusSeconds(3600));
    }
}
