package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.vertx.core.Vertx;

/**
 * Request heads that two HTTP parsers could read differently are refused with 400 and a closed connection, and
 * never reach the upstream.
 */
class RequestSmugglingTest {

    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: smuggling
                spec:
                  credentials:
                    key:
                      secret: literal:smuggling-key
                  routes:
                    - name: api
                      prefix: /api
                      upstream: http://127.0.0.1:%d
                      inject:
                        - header: {name: X-Api-Key, value: "${key}"}
                """.formatted(upstream.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @BeforeEach
    void forget() {
        upstream.received().clear();
    }

    @Test
    void bothContentLengthAndTransferEncodingAreRefused() {
        assertRefused("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void duplicateContentLengthIsRefused() {
        assertRefused("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        assertRefused("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!");
    }

    @Test
    void obsoleteLineFoldingIsRefused() {
        assertRefused("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n");
        assertRefused("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n\ttwo\r\n\r\n");
    }

    @Test
    void foldingInASecondRequestOnTheSameConnectionIsRefusedToo() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(), "GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /api/second HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n");
        assertThat(exchange.response()).startsWith("HTTP/1.1 200");
        assertThat(exchange.response()).contains("HTTP/1.1 400");
        assertThat(exchange.closed()).isTrue();
        assertThat(upstream.received()).extracting(EchoUpstream.Received::uri).containsExactly("/first");
    }

    @Test
    void bodyBytesThatLookLikeFoldingAreNotMistakenForIt() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\nab\r\n cd\nGET /api/y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(upstream.received()).extracting(EchoUpstream.Received::uri).containsExactly("/x", "/y");
    }

    @Test
    void oversizedHeadIsRefused() {
        assertRefused("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    }

    @Test
    void controlCharactersInHeaderValuesAreRefused() {
        assertRefused("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Evil: one\rX-Api-Key: mine\r\n\r\n");
        assertRefused("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Evil: one\u0000two\r\n\r\n");
    }

    @Test
    void bareLineFeedsCannotSmuggleAHeader() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Evil: one\nX-Api-Key: mine\r\nConnection: close\r\n\r\n");
        if (exchange.status() == 200) {
            // A parser that accepts bare LF as a line end saw two headers; the injected one still wins.
            assertThat(upstream.last().headerValues("X-Api-Key")).containsExactly("smuggling-key");
        } else {
            assertThat(exchange.status()).isEqualTo(400);
        }
    }

    private static void assertRefused(String request) {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(), request);
        assertThat(exchange.status()).isEqualTo(400);
        assertThat(exchange.response()).contains("X-Latchkey-Error: bad_request");
        assertThat(exchange.closed()).isTrue();
        assertThat(upstream.received()).isEmpty();
    }
}
