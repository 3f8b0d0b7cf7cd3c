package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.vertx.core.Vertx;

/** On shutdown, new connections are refused while requests and streams in flight finish, up to the drain time. */
class GracefulShutdownTest {

    Vertx vertx;
    EchoUpstream upstream;
    final CompletableFuture<Void> finishStream = new CompletableFuture<>();
    @TempDir
    Path directory;

    @BeforeEach
    void start() {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        upstream.on("/stream", request -> {
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            request.response().write("data: first\n\n");
            finishStream.whenComplete((ok, error) -> vertx.runOnContext(v -> request.response()
                    .end("data: last\n\n")));
        });
    }

    @AfterEach
    void stop() {
        ProxyHarness.drainTimeout.remove();
        upstream.close();
        vertx.close();
    }

    ProxyHarness proxy() {
        return ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: drain}
                spec:
                  routes:
                    - {name: mcp, prefix: /mcp, upstream: "http://127.0.0.1:%d"}
                """.formatted(upstream.port()));
    }

    CompletableFuture<String> openStream(ProxyHarness proxy) throws Exception {
        HttpResponse<InputStream> response = proxy.client().send(
                HttpRequest.newBuilder(proxy.uri("/mcp/stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream body = response.body()) {
                return new String(body.readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return "cut: " + e.getClass().getSimpleName();
            }
        });
    }

    @Test
    void streamsInFlightFinishWhileNewConnectionsAreRefused() throws Exception {
        ProxyHarness proxy = proxy();
        int port = proxy.port();
        CompletableFuture<String> stream = openStream(proxy);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(proxy::close);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            RawHttp.Exchange refused = RawHttp.send(port, "GET /mcp/x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(refused.response()).isEmpty();
            assertThat(refused.closed()).isTrue();
        });
        assertThat(closed).as("still draining while the stream runs").isNotDone();
        finishStream.complete(null);
        assertThat(stream.get(10, TimeUnit.SECONDS)).isEqualTo("data: first\n\ndata: last\n\n");
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theDrainTimeEndsWhatIsStillRunning() throws Exception {
        ProxyHarness.drainTimeout.set(Duration.ofMillis(300));
        ProxyHarness proxy = proxy();
        CompletableFuture<String> stream = openStream(proxy);
        proxy.close();
        assertThat(stream.get(10, TimeUnit.SECONDS)).startsWith("cut:");
    }
}
