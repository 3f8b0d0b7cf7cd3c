package io.latchkey.credential.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.latchkey.testing.ScriptedTokenEndpoint.Answer;

/** Broken answers from a token endpoint are errors with a clear reason: never a crash, never a token. */
class BadTokenResponsesTest extends ScriptedEndpointTestBase {

    static java.util.stream.Stream<Arguments> answers() {
        return java.util.stream.Stream.of(
                Arguments.of(Answer.json("{\"access_token\": \"half"), "bad_response", "not a JSON object"),
                Arguments.of(new Answer(200, "text/html", "<html>Gateway</html>"), "bad_response",
                        "not a JSON object"),
                Arguments.of(Answer.json("[\"access_token\"]"), "bad_response", "not a JSON object"),
                Arguments.of(Answer.json("{\"token_type\":\"Bearer\",\"expires_in\":3600}"), "bad_response",
                        "has no access_token string"),
                Arguments.of(Answer.json("{\"access_token\":42,\"expires_in\":3600}"), "bad_response",
                        "has no access_token string"),
                Arguments.of(Answer.json("{\"access_token\":\"\",\"expires_in\":3600}"), "bad_response",
                        "has no access_token string"),
                Arguments.of(Answer.json("{\"access_token\":\"t\",\"expires_in\":-5}"), "bad_response",
                        "expires_in"),
                Arguments.of(Answer.json("{\"access_token\":\"t\",\"expires_in\":0}"), "bad_response", "expires_in"),
                Arguments.of(Answer.json("{\"access_token\":\"t\",\"expires_in\":\"soon\"}"), "bad_response",
                        "expires_in"),
                Arguments.of(Answer.json("{\"access_token\":\"t\",\"expires_in\":99999999999}"), "bad_response",
                        "expires_in"),
                Arguments.of(Answer.json("{\"access_token\":\"t\",\"expires_in\":1.5}"), "bad_response",
                        "expires_in"),
                Arguments.of(Answer.json("{\"access_token\":\"bad\\r\\nX-Evil: 1\",\"expires_in\":60}"),
                        "bad_response", "control characters"),
                Arguments.of(Answer.json("{\"padding\":\"" + "x".repeat(70_000) + "\"}"), "bad_response",
                        "larger than 64 KiB"),
                Arguments.of(new Answer(503, "text/plain", "busy"), "http_503", "HTTP 503"),
                Arguments.of(new Answer(401, "application/json", "{\"error\":\"invalid_client\"}"), "invalid_client",
                        "invalid_client"));
    }

    @ParameterizedTest
    @MethodSource("answers")
    void isAnErrorWithAReason(Answer answer, String code, String reason) {
        endpoint.otherwise(n -> answer);
        OAuth2Credential credential = fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientId: literal:c
                clientSecret: literal:s
                """.formatted(endpoint.url()), Map.of());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))

                .until(() -> credential.status().lastError().isPresent());
        assertThat(TokenCacheTest.token(credential)).isNull();
        assertThat(credential.status().lastError()).hasValue(code);
        assertThat(credential.status().reason()).hasValueSatisfying(r -> assertThat(r).contains(reason));
    }
}
