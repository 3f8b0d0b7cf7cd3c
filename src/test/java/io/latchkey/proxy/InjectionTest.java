package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.TestCertificates;
import io.vertx.core.Vertx;

/** Each injection kind reaches a real upstream exactly as specified, over http and over https with a route CA. */
@ExtendWith(LogCapture.class)
class InjectionTest {

    static final String TOKEN = "ghp_injection_token_4d1f7";
    static final String API_KEY = "key-8c2e!&=/ value";
    static final String USER = "partner-user";
    static final String PASSWORD = "p@ss:word-93b1";

    static Vertx vertx;
    static EchoUpstream plain;
    static EchoUpstream tls;
    static EchoUpstream tlsWithoutAlpn;
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        TestCertificates certificates = TestCertificates.create(directory);
        plain = EchoUpstream.http(vertx);
        tls = EchoUpstream.https(vertx, certificates);
        tlsWithoutAlpn = EchoUpstream.httpsHttp11Only(vertx, certificates);
        String routes = "";
        for (String scheme : new String[] { "http", "https" }) {
            int port = scheme.equals("http") ? plain.port() : tls.port();
            String ca = scheme.equals("https") ? "      caBundle: " + certificates.caCertificate + "\n" : "";
            routes += """
                        - name: bearer-%1$s
                          prefix: /%1$s/bearer
                          upstream: %1$s://localhost:%2$d/base
                    %3$s      inject:
                            - bearer: token
                        - name: basic-%1$s
                          prefix: /%1$s/basic
                          upstream: %1$s://localhost:%2$d
                    %3$s      inject:
                            - basic: partner
                        - name: header-%1$s
                          prefix: /%1$s/header
                          upstream: %1$s://localhost:%2$d
                    %3$s      inject:
                            - header: {name: X-Api-Key, value: "${api-key}"}
                            - header: {name: X-Api-Version, value: "2022-11-28"}
                            - header: {name: X-Partner, value: "${partner.username} and ${partner.password}"}
                        - name: query-%1$s
                          prefix: /%1$s/query
                          upstream: %1$s://localhost:%2$d
                    %3$s      inject:
                            - query: {name: api_key, value: "${api-key}"}
                        - name: passthrough-%1$s
                          prefix: /%1$s/own-auth
                          upstream: %1$s://localhost:%2$d
                          passCallerAuthorization: true
                    %3$s      inject:
                            - header: {name: X-Api-Key, value: "${api-key}"}
                    """.formatted(scheme, port, ca);
        }
        routes += """
                    - name: bearer-http2
                      prefix: /http2/bearer
                      upstream: https://localhost:%d
                      caBundle: %s
                      http2: true
                      inject:
                        - bearer: token
                    - name: bearer-http2-fallback
                      prefix: /http2-fallback/bearer
                      upstream: https://localhost:%d
                      caBundle: %s
                      http2: true
                      inject:
                        - bearer: token
                """.formatted(tls.port(), certificates.caCertificate, tlsWithoutAlpn.port(),
                certificates.caCertificate);
        String policy = """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: injection
                spec:
                  credentials:
                    token:
                      secret: env:TOKEN
                    api-key:
                      secret: env:API_KEY
                    partner:
                      basic:
                        username: env:PARTNER_USER
                        password: env:PARTNER_PASSWORD
                  routes:
                """ + routes;
        proxy = ProxyHarness.start(vertx, directory, policy,
                Map.of("TOKEN", TOKEN, "API_KEY", API_KEY, "PARTNER_USER", USER, "PARTNER_PASSWORD", PASSWORD));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        plain.close();
        tls.close();
        tlsWithoutAlpn.close();
        vertx.close();
        LogCapture.assertNoneContain(TOKEN, API_KEY, PASSWORD);
    }

    static EchoUpstream upstream(String scheme) {
        return scheme.equals("http") ? plain : tls;
    }

    @Test
    void bearerReachesHttpAndHttpsUpstreamsWithBasePathAndUpstreamHost() {
        for (String scheme : new String[] { "http", "https" }) {
            HttpResponse<String> response = proxy.get("/" + scheme + "/bearer/user/repos?per_page=5");
            assertThat(response.statusCode()).isEqualTo(200);
            EchoUpstream.Received received = upstream(scheme).last();
            assertThat(received.uri()).isEqualTo("/base/user/repos?per_page=5");
            assertThat(received.headerValues("Authorization")).containsExactly("Bearer " + TOKEN);
            String host = "localhost:" + upstream(scheme).port();
            assertThat(received.headerValues("Host").isEmpty() ? received.headerValues(":authority")
                    : received.headerValues("Host")).containsExactly(host);
        }
    }

    @Test
    void httpsUpstreamSpeaksHttp11UnlessTheRouteAsksForHttp2() {
        String authority = "localhost:" + tls.port();
        proxy.get("/https/bearer/user");
        assertThat(tls.last().protocol()).isEqualTo("HTTP_1_1");
        assertThat(tls.last().headerValues("Host")).containsExactly(authority);
        proxy.get("/http/bearer/user");
        assertThat(plain.last().protocol()).isEqualTo("HTTP_1_1");

        HttpResponse<String> response = proxy.get("/http2/bearer/user");
        assertThat(response.statusCode()).isEqualTo(200);
        EchoUpstream.Received http2 = tls.last();
        assertThat(http2.protocol()).isEqualTo("HTTP_2");
        assertThat(http2.headerValues("Authorization")).containsExactly("Bearer " + TOKEN);
        // The authority travels as :authority alone; a Host field beside it makes nginx answer 400.
        assertThat(http2.authority()).isEqualTo(authority);
        assertThat(http2.headerValues("Host")).isEmpty();
    }

    @Test
    void http2RouteFallsBackToHttp11WithAHostHeaderWhenTheUpstreamOffersNoAlpn() {
        HttpResponse<String> response = proxy.get("/http2-fallback/bearer/user");
        assertThat(response.statusCode()).isEqualTo(200);
        EchoUpstream.Received received = tlsWithoutAlpn.last();
        assertThat(received.protocol()).isEqualTo("HTTP_1_1");
        assertThat(received.headerValues("Host")).containsExactly("localhost:" + tlsWithoutAlpn.port());
        assertThat(received.headerValues("Authorization")).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void basicIsBase64OfUsernameColonPassword() {
        for (String scheme : new String[] { "http", "https" }) {
            assertThat(proxy.get("/" + scheme + "/basic/x").statusCode()).isEqualTo(200);
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(upstream(scheme).last().headerValues("Authorization")).containsExactly(expected);
        }
    }

    @Test
    void headerTemplatesRenderValuesAndFields() {
        for (String scheme : new String[] { "http", "https" }) {
            assertThat(proxy.get("/" + scheme + "/header/x").statusCode()).isEqualTo(200);
            EchoUpstream.Received received = upstream(scheme).last();
            assertThat(received.headerValues("X-Api-Key")).containsExactly(API_KEY);
            assertThat(received.headerValues("X-Api-Version")).containsExactly("2022-11-28");
            assertThat(received.headerValues("X-Partner")).containsExactly(USER + " and " + PASSWORD);
        }
    }

    @Test
    void queryValueIsPercentEncodedAndAppended() {
        for (String scheme : new String[] { "http", "https" }) {
            assertThat(proxy.get("/" + scheme + "/query/forecast?city=Oslo").statusCode()).isEqualTo(200);
            assertThat(upstream(scheme).last().uri())
                    .isEqualTo("/forecast?city=Oslo&api_key=key-8c2e%21%26%3D%2F%20value");
        }
    }

    @Test
    void callerCannotOverrideOrDuplicateInjectedHeaders() {
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/http/header/x"))
                .header("x-api-key", "caller-key").header("X-API-KEY", "second")
                .header("X-Api-Version", "1999-01-01").header("Authorization", "Bearer caller")
                .header("Proxy-Authorization", "Basic caller").header("X-Latchkey-Subject", "someone")
                .header("X-Other", "kept").build());
        assertThat(response.statusCode()).isEqualTo(200);
        EchoUpstream.Received received = plain.last();
        assertThat(received.headerValues("X-Api-Key")).containsExactly(API_KEY);
        assertThat(received.headerValues("X-Api-Version")).containsExactly("2022-11-28");
        assertThat(received.headerValues("Authorization")).isEmpty();
        assertThat(received.headerValues("Proxy-Authorization")).isEmpty();
        assertThat(received.headerValues("X-Latchkey-Subject")).isEmpty();
        assertThat(received.headerValues("X-Other")).containsExactly("kept");
    }

    @Test
    void callerCannotOverrideBearer() {
        proxy.send(HttpRequest.newBuilder(proxy.uri("/http/bearer/x")).header("authorization", "Bearer mine")
                .header("AUTHORIZATION", "Basic also-mine").build());
        assertThat(plain.last().headerValues("Authorization")).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void callerCannotOverrideOrDuplicateInjectedQueryParameter() {
        proxy.get("/http/query/x?api_key=mine&API_KEY=mine2&api%5Fkey=mine3&a=1&Api_Key&b=2");
        assertThat(plain.last().uri()).isEqualTo("/x?a=1&b=2&api_key=key-8c2e%21%26%3D%2F%20value");
    }

    @Test
    void passCallerAuthorizationKeepsCallersAuthorizationHeader() {
        proxy.send(HttpRequest.newBuilder(proxy.uri("/http/own-auth/x")).header("Authorization", "Bearer callers")
                .header("X-Api-Key", "caller").build());
        EchoUpstream.Received received = plain.last();
        assertThat(received.headerValues("Authorization")).containsExactly("Bearer callers");
        assertThat(received.headerValues("X-Api-Key")).containsExactly(API_KEY);
    }

    @Test
    void hopByHopHeadersAreNotForwarded() {
        proxy.send(HttpRequest.newBuilder(proxy.uri("/http/bearer/x")).header("Connection", "X-Drop-Me")
                .header("X-Drop-Me", "1").header("Upgrade", "websocket").header("Keep-Alive", "timeout=5")
                .header("TE", "trailers").build());
        EchoUpstream.Received received = plain.last();
        assertThat(received.headerValues("X-Drop-Me")).isEmpty();
        assertThat(received.headerValues("Upgrade")).isEmpty();
        assertThat(received.headerValues("Keep-Alive")).isEmpty();
        assertThat(received.headerValues("TE")).isEmpty();
    }
}
