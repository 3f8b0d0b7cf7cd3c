package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * Routes with {@code http2: true} against an HTTP/2 upstream that declines requests unprocessed, as servers do when
 * they close a connection (nginx sends GOAWAY after {@code keepalive_requests}, 1,000 by default) or shed load: such a
 * request is sent once more on another connection when its body can be sent again; anything else is a 502.
 */
class Http2UpstreamTest {

    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;
    /** Requests the upstream is to decline before answering normally, and how it declines them. */
    static final AtomicInteger toDecline = new AtomicInteger();
    static volatile boolean declineWithGoAway;
    static final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        TestCertificates certificates = TestCertificates.create(directory);
        upstream = EchoUpstream.https(vertx, certificates);
        upstream.on("/declines", Http2UpstreamTest::declineOrAnswer);
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: http2
                spec:
                  credentials:
                    key:
                      secret: literal:http2-key
                  routes:
                    - name: h2
                      prefix: /h2
                      upstream: https://localhost:%d
                      caBundle: %s
                      http2: true
                      inject:
                        - bearer: key
                """.formatted(upstream.port(), certificates.caCertificate));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @BeforeEach
    void reset() {
        toDecline.set(0);
        connections.clear();
        upstream.received().clear();
    }

    /**
     * GOAWAY naming the stream before this one as the last it accepts (so this one was not processed), or
     * RST_STREAM with REFUSED_STREAM.
     */
    private static void declineOrAnswer(HttpServerRequest request) {
        connections.add(request.connection());
        if (toDecline.getAndDecrement() > 0) {
            if (declineWithGoAway) {
                request.connection().goAway(0, Math.max(0, request.streamId() - 2));
            } else {
                request.response().reset(0x7);
            }
            return;
        }
        request.body().onComplete(read -> request.response().end("answered"));
    }

    @Test
    void requestDeclinedByGoAwayIsSentOnceMoreOnAnotherConnection() {
        declineWithGoAway = true;
        toDecline.set(1);
        HttpResponse<String> response = proxy.get("/h2/declines");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("answered");
        assertThat(upstream.received()).hasSize(2);
        assertThat(connections).hasSize(2);
        assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer http2-key");
    }

    @Test
    void requestRefusedWithRefusedStreamIsSentOnceMore() {
        declineWithGoAway = false;
        toDecline.set(1);
        HttpResponse<String> response = proxy.get("/h2/declines");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void requestDeclinedTwiceIsABadGatewayAndNotSentAThirdTime() {
        declineWithGoAway = false;
        toDecline.set(3);
        RoutingTest.assertError(proxy.get("/h2/declines"), 502, "upstream_protocol_error", "h2");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void streamedBodyIsNotSentAgainAndTheCallerGetsABadGateway() throws Exception {
        declineWithGoAway = true;
        toDecline.set(1);
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/h2/declines"))
                .POST(HttpRequest.BodyPublishers.ofString("not kept for a resend")).build());
        RoutingTest.assertError(response, 502, "upstream_protocol_error", "h2");
        assertThat(upstream.received()).hasSize(1);
    }
}
