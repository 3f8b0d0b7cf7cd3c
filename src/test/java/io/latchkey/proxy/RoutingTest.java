package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Base-URL and forward mode find the right route; everything else is refused before it reaches an upstream. */
class RoutingTest {

    static Vertx vertx;
    static EchoUpstream github;
    static EchoUpstream githubV2;
    static EchoUpstream weather;
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        github = EchoUpstream.http(vertx);
        githubV2 = EchoUpstream.http(vertx);
        weather = EchoUpstream.http(vertx);
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: routing
                spec:
                  credentials:
                    pat:
                      secret: literal:routing-pat
                  routes:
                    - name: github
                      prefix: /github
                      hosts: [api.github.com]
                      upstream: http://127.0.0.1:%d
                      allow:
                        methods: [GET, POST]
                        paths: ["/user", "/repos/**", "/search/*/code"]
                      inject:
                        - bearer: pat
                    - name: github-v2
                      prefix: /github/v2
                      upstream: http://127.0.0.1:%d
                    - name: weather
                      prefix: /weather
                      hosts: ["weather.example:8080"]
                      upstream: http://127.0.0.1:%d
                """.formatted(github.port(), githubV2.port(), weather.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        github.close();
        githubV2.close();
        weather.close();
        vertx.close();
    }

    @BeforeEach
    void forget() {
        github.received().clear();
        githubV2.received().clear();
        weather.received().clear();
    }

    @Test
    void baseUrlModeStripsThePrefix() {
        assertThat(proxy.get("/github/repos/latchkey/issues?state=open").statusCode()).isEqualTo(200);
        assertThat(github.last().uri()).isEqualTo("/repos/latchkey/issues?state=open");
    }

    @Test
    void longestPrefixWins() {
        assertThat(proxy.get("/github/v2/anything").statusCode()).isEqualTo(200);
        assertThat(githubV2.last().uri()).isEqualTo("/anything");
        assertThat(github.received()).isEmpty();
    }

    @Test
    void prefixMatchesWholeSegmentsOnly() {
        HttpResponse<String> response = proxy.get("/githubx/user");
        assertError(response, 403, "no_route", null);
    }

    @Test
    void forwardModeWithAbsoluteFormGoesToTheRoutesUpstream() throws Exception {
        HttpClient viaProxy = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port()))).build();
        HttpResponse<String> response = viaProxy.send(
                HttpRequest.newBuilder(URI.create("http://api.github.com/user?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(github.last().uri()).isEqualTo("/user?x=1");
        assertThat(github.last().headerValues("Authorization")).containsExactly("Bearer routing-pat");
        assertThat(github.last().headerValues("Host")).containsExactly("127.0.0.1:" + github.port());
    }

    @Test
    void forwardModeMatchesHostWithExplicitPort() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET http://weather.example:8080/today HTTP/1.1\r\nHost: weather.example:8080\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(weather.last().uri()).isEqualTo("/today");
    }

    @Test
    void forwardModeByHostHeader() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /user HTTP/1.1\r\nHost: API.GitHub.com\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(github.last().uri()).isEqualTo("/user");
    }

    @Test
    void unlistedHostIsRefusedInForwardMode() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET http://evil.example/user HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(403);
        assertThat(exchange.response()).contains("X-Latchkey-Error: no_route");
        assertNothingReachedAnUpstream();
    }

    @Test
    void unlistedHostCannotBeReachedThroughABaseUrlRoute() {
        // The Host header never chooses the destination of a prefix route; the upstream does.
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /github/user HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(github.last().headerValues("Host")).containsExactly("127.0.0.1:" + github.port());
    }

    @Test
    void portOfAnUnlistedHostIsNotEnough() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET http://weather.example:9999/today HTTP/1.1\r\nHost: weather.example:9999\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(403);
        assertNothingReachedAnUpstream();
    }

    @Test
    void methodNotAllowed() {
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/github/user"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build());
        assertError(response, 403, "method_not_allowed", "github");
        assertNothingReachedAnUpstream();
    }

    @Test
    void pathNotAllowed() {
        assertError(proxy.get("/github/admin/users"), 403, "path_not_allowed", "github");
        assertError(proxy.get("/github/search/a/b/code"), 403, "path_not_allowed", "github");
        assertThat(proxy.get("/github/search/x/code").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/github/repos").statusCode()).isEqualTo(200);
        assertThat(github.received()).hasSize(2);
    }

    @Test
    void noRouteAtAll() {
        assertError(proxy.get("/nowhere"), 403, "no_route", null);
        assertError(proxy.get("/"), 403, "no_route", null);
        assertNothingReachedAnUpstream();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/github/repos/../admin", "/github/repos/./x", "/github/repos/%2e%2e/admin",
            "/github/repos/%2E/x", "/github/repos/a%2Fb", "/github/repos/a%2fb", "/github/repos/a%5Cb",
            "/github/repos/a\\b", "/github/repos/a%00b", "/github/repos/%zz", "/github/..", "/github/repos/%" })
    void dotSegmentsAndEncodedSeparatorsAreBadRequests(String path) {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(400);
        assertThat(exchange.response()).contains("X-Latchkey-Error: bad_request");
        assertThat(exchange.closed()).isTrue();
        assertNothingReachedAnUpstream();
    }

    @Test
    void encodedCharactersThatAreNotSeparatorsAreDecodedForMatchingAndForwardedRaw() {
        assertThat(proxy.get("/github/%75ser").statusCode()).isEqualTo(200);
        assertThat(github.last().uri()).isEqualTo("/%75ser");
    }

    @Test
    void errorBodiesFollowTheContract() {
        HttpResponse<String> response = proxy.get("/github/admin");
        JsonObject body = new JsonObject(response.body());
        assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "message", "route");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    static void assertError(HttpResponse<String> response, int status, String code, String route) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("X-Latchkey-Error")).hasValue(code);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("error")).isEqualTo(code);
        assertThat(body.getString("route")).isEqualTo(route);
        assertThat(body.getString("message")).isNotBlank();
    }

    static void assertNothingReachedAnUpstream() {
        assertThat(github.received()).isEmpty();
        assertThat(githubV2.received()).isEmpty();
        assertThat(weather.received()).isEmpty();
    }
}
