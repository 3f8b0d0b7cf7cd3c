package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A route's idleTimeout end to end, on a clock the test ticks: silence before the answer is a 504, silence in the
 * middle of a body cuts the caller's connection, and a stream that keeps sending is never cut however long it runs.
 */
class IdleTimeoutTest {

    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;
    static final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** Requests the upstream holds without answering, in arrival order. */
    static final LinkedBlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        upstream.on("/hold", held::add);
        ProxyHarness.monotonicClock.set(nanos::get);
        try {
            proxy = ProxyHarness.start(vertx, directory, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata:
                      name: idle
                    spec:
                      routes:
                        - {name: watched, prefix: /w, upstream: "http://127.0.0.1:%d", idleTimeout: 300ms}
                    """.formatted(upstream.port()));
        } finally {
            ProxyHarness.monotonicClock.remove();
        }
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @Test
    void silenceBeforeTheAnswerIsUpstreamTimeout() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/w/hold")).build(), HttpResponse.BodyHandlers.ofString());
        HttpServerRequest request = nextHeld();
        advance(Duration.ofMillis(300));
        HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
        RoutingTest.assertError(response, 504, "upstream_timeout", "watched");
        assertThat(response.body()).contains("300 ms");
        request.response().reset();
    }

    @Test
    void aStreamThatKeepsSendingIsNeverCut() throws Exception {
        Stream stream = openStream();
        HttpServerResponse upstreamSide = stream.upstreamSide();
        BufferedReader lines = stream.lines();
        upstreamSide.write("line 0\n");
        assertThat(lines.readLine()).isEqualTo("line 0");
        for (int i = 1; i <= 5; i++) {
            advance(Duration.ofMillis(200));
            upstreamSide.write("line " + i + "\n");
            assertThat(lines.readLine()).isEqualTo("line " + i);
        }
        // 1 s of stream with no 300 ms gap. Prove that a sweep has run since the last tick: a second, silent request
        // times out; had the stream's chunks not counted, that same sweep would have cut the stream.
        advance(Duration.ofMillis(200));
        CompletableFuture<HttpResponse<String>> silent = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/w/hold")).build(), HttpResponse.BodyHandlers.ofString());
        HttpServerRequest silentRequest = nextHeld();
        advance(Duration.ofMillis(299));
        upstreamSide.write("line 6\n");
        assertThat(lines.readLine()).isEqualTo("line 6");
        advance(Duration.ofMillis(1));
        assertThat(silent.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        upstreamSide.end("end\n");
        assertThat(lines.readLine()).isEqualTo("end");
        assertThat(lines.readLine()).isNull();
        silentRequest.response().reset();
    }

    @Test
    void silenceInTheMiddleOfABodyCutsTheCallersConnection() throws Exception {
        Stream stream = openStream();
        HttpServerResponse upstreamSide = stream.upstreamSide();
        BufferedReader lines = stream.lines();
        upstreamSide.write("partial\n");
        assertThat(lines.readLine()).isEqualTo("partial");
        advance(Duration.ofMillis(300));
        // Chunked with no last chunk: the caller sees a truncated body, not a clean end.
        assertThatThrownBy(lines::readLine).isInstanceOf(IOException.class);
        // The proxy goes on serving.
        assertThat(proxy.get("/w/echo").statusCode()).isEqualTo(200);
    }

    /** A request's durations are read on the same clock as its silences: the meters see the ticks, nothing else. */
    @Test
    void theMetersMeasureOnTheSameClock() throws Exception {
        Timer latency = proxy.meters().find("latchkey.upstream.latency").tag("route", "watched").timer();
        Timer overhead = proxy.meters().find("latchkey.proxy.overhead").tag("route", "watched").timer();
        double latencyBefore = latency == null ? 0 : latency.totalTime(TimeUnit.MILLISECONDS);
        double overheadBefore = overhead == null ? 0 : overhead.totalTime(TimeUnit.MILLISECONDS);
        CompletableFuture<HttpResponse<String>> answer = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/w/hold")).build(), HttpResponse.BodyHandlers.ofString());
        HttpServerRequest request = nextHeld();
        advance(Duration.ofMillis(250));
        request.response().end("late");
        assertThat(answer.get(10, TimeUnit.SECONDS).body()).isEqualTo("late");

        latency = proxy.meters().get("latchkey.upstream.latency").tag("route", "watched").timer();
        overhead = proxy.meters().get("latchkey.proxy.overhead").tag("route", "watched").timer();
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS) - latencyBefore).isEqualTo(250);
        assertThat(overhead.totalTime(TimeUnit.MILLISECONDS) - overheadBefore).isZero();
    }

    private static void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static HttpServerRequest nextHeld() throws InterruptedException {
        HttpServerRequest request = held.poll(10, TimeUnit.SECONDS);
        assertThat(request).as("the upstream received the request").isNotNull();
        return request;
    }

    /** A streamed answer in progress: the upstream's side to write to, the caller's side to read lines from. */
    record Stream(HttpServerResponse upstreamSide, BufferedReader lines) {
    }

    /** The caller asks; the upstream sends a status line and headers, and the body is left to the test. */
    private static Stream openStream() throws Exception {
        var answer = proxy.client().sendAsync(HttpRequest.newBuilder(proxy.uri("/w/hold")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpServerResponse upstreamSide = nextHeld().response();
        upstreamSide.setChunked(true).writeHead();
        HttpResponse<InputStream> response = answer.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        return new Stream(upstreamSide, reader(response.body()));
    }

    private static BufferedReader reader(InputStream body) {
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }
}
