package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ManualClock;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.latchkey.testing.ScriptedTokenEndpoint;
import io.vertx.core.Vertx;

/** OAuth credentials through the proxy: the first request waits once, 401s renew and replay once, outages answer 503. */
@ExtendWith(LogCapture.class)
class OAuthProxyTest {

    static final String CLIENT_SECRET = "proxy-client-secret-c4d2";

    Vertx vertx;
    ScriptedTokenEndpoint tokens;
    EchoUpstream upstream;
    ProxyHarness proxy;
    ManualClock clock;
    /** Tokens the upstream accepts; others get 401. */
    final Set<String> accepted = ConcurrentHashMap.newKeySet();

    @TempDir
    Path directory;

    @BeforeEach
    void start() {
        vertx = ProxyHarness.newVertx();
        tokens = new ScriptedTokenEndpoint(vertx);
        upstream = EchoUpstream.http(vertx);
        upstream.on("/protected", request -> {
            String authorization = request.getHeader("Authorization");
            boolean ok = authorization != null && accepted.contains(authorization.substring("Bearer ".length()));
            request.body().onSuccess(body -> request.response().setStatusCode(ok ? 200 : 401)
                    .putHeader("WWW-Authenticate", ok ? "" : "Bearer error=\"invalid_token\"")
                    .end(ok ? "ok " + body.length() : "{\"message\":\"Bad credentials\"}"));
        });
        clock = new ManualClock();
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: oauth
                spec:
                  credentials:
                    api-token:
                      oauth2:
                        grant: client_credentials
                        tokenUrl: %s
                        clientId: literal:proxy-client
                        clientSecret: env:CLIENT_SECRET
                  routes:
                    - name: api
                      prefix: /api
                      upstream: http://127.0.0.1:%d
                      inject:
                        - bearer: api-token
                """.formatted(tokens.url(), upstream.port()), Map.of("CLIENT_SECRET", CLIENT_SECRET), clock);
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
        tokens.close();
        vertx.close();
        LogCapture.assertNoneContain(CLIENT_SECRET, "token-1", "token-2", "token-3");
    }

    HttpResponse<String> post(String path, String body) {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    @Test
    void firstRequestWaitsForTheTokenThenEveryRequestUsesTheCachedOne() {
        accepted.add("token-1");
        for (int i = 0; i < 20; i++) {
            assertThat(proxy.get("/api/protected").statusCode()).isEqualTo(200);
            assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer token-1");
        }
        assertThat(tokens.requests()).isEqualTo(1);
    }

    @Test
    void upstream401RenewsTheTokenAndReplaysTheRequestOnceWithItsBody() {
        accepted.add("token-2");
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1}";
        HttpResponse<String> response = post("/api/protected", body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok " + body.length());
        assertThat(upstream.received()).extracting(r -> r.headerValues("Authorization").get(0))
                .containsExactly("Bearer token-1", "Bearer token-2");
        assertThat(tokens.requests()).isEqualTo(2);
    }

    @Test
    void aSecond401PassesThroughWithoutALoop() {
        HttpResponse<String> response = proxy.get("/api/protected");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"message\":\"Bad credentials\"}");
        assertThat(response.headers().firstValue("X-Latchkey-Error")).isEmpty();
        assertThat(upstream.received()).hasSize(2);
        assertThat(tokens.requests()).isEqualTo(2);
    }

    @Test
    void aBodyTooLargeToKeepIsNotReplayedButTheNextRequestGetsANewToken() {
        accepted.add("token-2");
        HttpResponse<String> response = post("/api/protected", "x".repeat(100_000));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(upstream.received()).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> tokens.requests() == 2);
        assertThat(post("/api/protected", "small").statusCode()).isEqualTo(200);
    }

    @Test
    void whenNoNewTokenComesTheUpstreams401ReachesTheCallerWhole() {
        tokens.then(ScriptedTokenEndpoint.Answer.token("token-1", 3600),
                new ScriptedTokenEndpoint.Answer(503, "text/plain", "down for maintenance"));
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /api/protected HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        String body = "{\"message\":\"Bad credentials\"}";
        assertThat(exchange.status()).isEqualTo(401);
        assertThat(exchange.response()).endsWith("\r\n\r\n" + body)
                .contains("WWW-Authenticate: Bearer error=\"invalid_token\"\r\n");
        // The upstream's Content-Length was dropped with its body read whole, and one was written for it.
        assertThat(exchange.response().toLowerCase().split("content-length: ", -1)).hasSize(2);
        assertThat(exchange.response()).containsIgnoringCase("content-length: " + body.length() + "\r\n");
        assertThat(tokens.requests()).isEqualTo(2);
    }

    @Test
    void providerDownAfterExpiryAnswers503WithRetryAfterAndRecoversByItself() {
        accepted.add("token-1");
        accepted.add("token-2");
        assertThat(proxy.get("/api/protected").statusCode()).isEqualTo(200);
        tokens.down(true);
        clock.advance(Duration.ofSeconds(3600)); // background refresh failed; the token has expired
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy.credentials().statuses().get(0).state().equals("failing"));
        int seen = upstream.received().size();
        HttpResponse<String> response = proxy.get("/api/protected");
        RoutingTest.assertError(response, 503, "credential_unavailable", "api");
        assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        assertThat(upstream.received()).as("an expired token is never sent").hasSize(seen);
        assertThat(response.body()).doesNotContain(CLIENT_SECRET).doesNotContain("token-1");
        tokens.down(false);
        clock.advance(Duration.ofMinutes(3)); // past the longest back-off
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.get("/api/protected").statusCode() == 200);
        String statuses = proxy.credentials().statuses().toString();
        assertThat(statuses).contains("state=valid").doesNotContain(CLIENT_SECRET).doesNotContain("token-");
    }
}
