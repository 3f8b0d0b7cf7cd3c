package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.latchkey.testing.RawUpstream;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;

/**
 * Latchkey's own HTTP/1.1 upstream client, through the proxy, against upstreams that send exactly the bytes each
 * test scripts: connections are reused when and only when HTTP/1.1 allows it, the pool's limit holds, and answers
 * that are odd but legal (no length, informational heads, early answers) or not legal at all are handled.
 */
class Http1UpstreamClientTest {

    static Vertx vertx;
    @TempDir
    Path directory;
    RawUpstream upstream;
    ProxyHarness proxy;

    @BeforeAll
    static void startVertx() {
        // A name with a dot for the TLS variant, so its connections carry SNI: resolved like /etc/hosts entries.
        // Java NIO, Vert.x's default: the proxy tests run on epoll as the application does, this class keeps the
        // transport the proxy falls back to where epoll is unavailable covered.
        vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
                .setHostsValue(Buffer.buffer("127.0.0.1 localhost api.latchkey.test\n"))));
    }

    @AfterAll
    static void stopVertx() {
        vertx.close();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        ProxyHarness.upstreamPoolSize.remove();
        ProxyHarness.monotonicClock.remove();
    }

    /** The scripted upstream: plain here, over TLS in {@link Http1UpstreamClientTlsTest}. */
    RawUpstream upstream(RawUpstream.Responder responder) {
        return RawUpstream.start(responder);
    }

    /** The route's keys that lead to the upstream on {@code port}, indented as route keys are. */
    String upstreamKeys(int port) {
        return "upstream: http://127.0.0.1:" + port;
    }

    /** The upstream's Host as the route on {@code port} names it. */
    String upstreamAuthority(int port) {
        return "127.0.0.1:" + port;
    }

    void start(RawUpstream.Responder responder, String routeExtras) {
        upstream = upstream(responder);
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: raw
                spec:
                  credentials:
                    key:
                      secret: literal:raw-key
                  routes:
                    - name: raw
                      prefix: /raw
                      %s
                      %s
                      inject:
                        - bearer: key
                """.formatted(upstreamKeys(upstream.port()), routeExtras));
    }

    private static boolean answerOk(String head, java.io.InputStream in, java.io.OutputStream out)
            throws java.io.IOException {
        RawUpstream.readBody(head, in);
        RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        return true;
    }

    /** Starts the proxy before an upstream that answers 200 "ok"; returns the heads it receives, as it receives them. */
    private List<String> startRecordingHeads() {
        List<String> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
        start((head, in, out) -> {
            heads.add(head);
            return answerOk(head, in, out);
        }, "");
        return heads;
    }

    /** Sends {@code times} GETs one after another; each must get {@code status} and {@code body}. */
    private List<HttpResponse<String>> assertAnswers(int times, int status, String body) {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            HttpResponse<String> response = proxy.get("/raw/x");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
            assertThat(response.body()).isEqualTo(body);
            responses.add(response);
        }
        return responses;
    }

    @Test
    void hopByHopHeadersOfTheAnswerStayWithTheUpstream() {
        start((head, in, out) -> {
            RawUpstream.readBody(head, in);
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nX-Secret-Hop: 1\r\n"
                    + "Connection: X-Secret-Hop\r\n"
                    + "KEEP-ALIVE: timeout=5\r\nProxy-Connection: keep-alive\r\nTrailer: X-Sum\r\nUpgrade: h2c\r\nTE: x\r\n"
                    + "x-kept: yes\r\nContent-Length: 2\r\n\r\nok");
            return true;
        }, "");
        HttpResponse<String> response = assertAnswers(1, 200, "ok").get(0);
        assertThat(response.headers().firstValue("X-Kept")).hasValue("yes");
        assertThat(response.headers().firstValue("Content-Length")).hasValue("2");
        for (String hop : List.of("X-Secret-Hop", "Keep-Alive", "Proxy-Connection", "Trailer", "Upgrade", "TE")) {
            assertThat(response.headers().allValues(hop)).as(hop).isEmpty();
        }
    }

    @Test
    void anAnswerWithMoreHeaderLinesThanAreCopiedAsBytesKeepsThemAllInOrder() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 70; i++) {
            lines.append("X-Line-").append(i).append(": ").append(i).append("\r\n");
        }
        start((head, in, out) -> {
            RawUpstream.readBody(head, in);
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\n" + lines
                    + "Content-Length: 2\r\n\r\nok");
            return true;
        }, "");
        HttpResponse<String> response = assertAnswers(1, 200, "ok").get(0);
        for (int i = 0; i < 70; i++) {
            assertThat(response.headers().allValues("X-Line-" + i)).containsExactly(String.valueOf(i));
        }
        assertThat(response.headers().allValues("Keep-Alive")).isEmpty();
        assertThat(response.headers().allValues("Content-Length")).containsExactly("2");
    }

    @Test
    void sequentialRequestsShareOneConnection() {
        start(Http1UpstreamClientTest::answerOk, "");
        assertAnswers(10, 200, "ok");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    /**
     * Starts an upstream answering "ok" with connection ages on a clock the test ticks, sends one request and waits
     * until its connection is idle in the pool: it goes back just after the answer reaches the caller, and its age
     * counts from then.
     */
    private AtomicLong oneIdleConnectionOnATickingClock() {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        ProxyHarness.monotonicClock.set(nanos::get);
        start(Http1UpstreamClientTest::answerOk, "");
        assertAnswers(1, 200, "ok");
        awaitGauge("latchkey.upstream.connections", "idle", 1);
        return nanos;
    }

    @Test
    void idleConnectionOlderThanTheKeepAliveIsClosedInsteadOfReused() {
        AtomicLong nanos = oneIdleConnectionOnATickingClock();
        nanos.addAndGet(Http1OriginPool.KEEP_ALIVE_NANOS - 1);
        assertAnswers(1, 200, "ok");
        assertThat(upstream.connections()).isEqualTo(1);
        awaitGauge("latchkey.upstream.connections", "idle", 1);
        nanos.addAndGet(Http1OriginPool.KEEP_ALIVE_NANOS);
        assertAnswers(2, 200, "ok");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    /**
     * A call that waits for the pool's one connection is watched for silence from when the connection carries it,
     * not from when it was sent: the wait is the connect timeout's business. A witness on another upstream, silent
     * for the timeout, proves that a sweep ran while the waiting call's time since it was sent had passed the
     * timeout too.
     */
    @Test
    void aCallThatWaitsForAPooledConnectionIsWatchedFromWhenItGetsOne() throws Exception {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        ProxyHarness.monotonicClock.set(nanos::get);
        ProxyHarness.upstreamPoolSize.set(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondArrived = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        RawUpstream.Responder first = heldUntil(firstArrived, releaseFirst);
        RawUpstream.Responder second = heldUntil(secondArrived, releaseSecond);
        upstream = upstream((head, in, out) -> (requests.incrementAndGet() == 1 ? first : second).respond(head, in, out));
        CountDownLatch witnessArrived = new CountDownLatch(1);
        CountDownLatch releaseWitness = new CountDownLatch(1);
        try (RawUpstream witnessUpstream = RawUpstream.start(heldUntil(witnessArrived, releaseWitness))) {
            proxy = ProxyHarness.start(vertx, directory, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata:
                      name: raw
                    spec:
                      routes:
                        - name: raw
                          prefix: /raw
                          %s
                          idleTimeout: 300ms
                        - name: witness
                          prefix: /witness
                          upstream: http://127.0.0.1:%d
                          idleTimeout: 300ms
                    """.formatted(upstreamKeys(upstream.port()), witnessUpstream.port()));
            CompletableFuture<HttpResponse<String>> occupying = sendAsync("/raw/1");
            assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<HttpResponse<String>> waiting = sendAsync("/raw/2");
            // Both origins have a waiting gauge; the witness's reads 0.
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.meters().find("latchkey.upstream.waiting")
                    .gauges().stream().mapToDouble(Gauge::value).sum() == 1);

            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(150));
            CompletableFuture<HttpResponse<String>> witness = sendAsync("/witness/1");
            assertThat(witnessArrived.await(10, TimeUnit.SECONDS)).isTrue();
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
            releaseFirst.countDown();
            assertThat(occupying.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
            assertThat(secondArrived.await(10, TimeUnit.SECONDS)).isTrue();

            // 450 ms since the waiting call was sent, 200 since a connection carried it, 300 of the witness's silence.
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
            RoutingTest.assertError(witness.get(10, TimeUnit.SECONDS), 504, "upstream_timeout", "witness");
            releaseSecond.countDown();
            HttpResponse<String> answered = waiting.get(10, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("ok");
        } finally {
            releaseWitness.countDown();
            releaseFirst.countDown();
            releaseSecond.countDown();
        }
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
        return proxy.client().sendAsync(HttpRequest.newBuilder(proxy.uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void idleConnectionIsClosedOnceItAgesOutWithoutWaitingForACall() {
        AtomicLong nanos = oneIdleConnectionOnATickingClock();
        nanos.addAndGet(Http1OriginPool.KEEP_ALIVE_NANOS);
        // The pool's next look at its idle connections, at most a second away, closes it.
        awaitGauge("latchkey.upstream.connections", "idle", 0);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(upstream.endedConnections()).isEqualTo(1));
        assertThat(gauge("latchkey.upstream.connections", "busy").value()).isZero();
        assertAnswers(1, 200, "ok");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void connectionTheUpstreamClosesIsNotReused() {
        start((head, in, out) -> {
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            return false;
        }, "");
        assertAnswers(3, 200, "ok");
        assertThat(upstream.connections()).isEqualTo(3);
    }

    @Test
    void bodyWithoutLengthIsReadUntilTheUpstreamCloses() {
        start((head, in, out) -> {
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
            RawUpstream.write(out, "the end");
            return false;
        }, "");
        assertAnswers(2, 200, "until the end");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void informationalHeadsBeforeTheAnswerAreSkipped() {
        start((head, in, out) -> {
            RawUpstream.write(out, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
            RawUpstream.write(out, "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone");
            return true;
        }, "");
        assertAnswers(2, 201, "done").forEach(response -> assertThat(response.headers().firstValue("Link")).isEmpty());
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void headAnswerWithALengthAndNoBodyKeepsTheConnection() throws Exception {
        start((head, in, out) -> {
            if (head.startsWith("HEAD ")) {
                RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            } else {
                RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget");
            }
            return true;
        }, "");
        HttpResponse<Void> head = proxy.client()
                .send(HttpRequest.newBuilder(proxy.uri("/raw/x")).timeout(Duration.ofSeconds(10))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("100");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("get");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    /** Answers the first request with {@code first}, every later one with "ok"; counts them in {@code requests}. */
    private static RawUpstream.Responder firstThenOk(AtomicInteger requests, RawUpstream.Responder first) {
        return (head, in, out) -> requests.incrementAndGet() == 1 ? first.respond(head, in, out)
                : answerOk(head, in, out);
    }

    @Test
    void garbageInsteadOfAnAnswerIsAProtocolErrorAndTheProxyKeepsServing() {
        start(firstThenOk(new AtomicInteger(), (head, in, out) -> {
            RawUpstream.write(out, "NOT HTTP AT ALL\r\n\r\n");
            return false;
        }), "");
        RoutingTest.assertError(proxy.get("/raw/x"), 502, "upstream_protocol_error", "raw");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
    }

    /**
     * The upstream sends {@code refused} to the first request and keeps the connection open: the caller gets 502, and
     * the next request goes out on a new connection and is answered.
     */
    private void assertFirstAnswerRefusedAndItsConnectionDropped(String refused) {
        start(firstThenOk(new AtomicInteger(), (head, in, out) -> {
            RawUpstream.write(out, refused);
            return true;
        }), "");
        RoutingTest.assertError(proxy.get("/raw/x"), 502, "upstream_protocol_error", "raw");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void switchingProtocolsUnaskedIsAProtocolError() {
        assertFirstAnswerRefusedAndItsConnectionDropped("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\nraw bytes after the switch");
    }

    @Test
    void answerNoRequestAskedForClosesTheConnection() {
        AtomicInteger requests = new AtomicInteger();
        start(firstThenOk(requests, (head, in, out) -> {
            // Two answers to one request: the second must not reach the next caller as its answer.
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nforged!");
            return true;
        }), "");
        assertAnswers(3, 200, "ok");
        assertThat(requests.get()).isEqualTo(3);
        assertThat(upstream.connections()).isEqualTo(2);
    }

    /**
     * Answers the first request on each connection; closes the connection unanswered when a second comes on it, as
     * an upstream closing an idle keep-alive connection just as a request arrives does.
     */
    private static RawUpstream.Responder closingReusedConnections(AtomicInteger heads) {
        ThreadLocal<Integer> onThisConnection = ThreadLocal.withInitial(() -> 0);
        return (head, in, out) -> {
            heads.incrementAndGet();
            onThisConnection.set(onThisConnection.get() + 1);
            if (onThisConnection.get() > 1) {
                return false;
            }
            return answerOk(head, in, out);
        };
    }

    @Test
    void idempotentRequestLostOnAReusedConnectionIsSentOnceMoreOnAFreshOne() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        start(closingReusedConnections(heads), "");
        assertAnswers(3, 200, "ok");
        HttpResponse<String> delete = proxy.client()
                .send(HttpRequest.newBuilder(proxy.uri("/raw/x")).timeout(Duration.ofSeconds(10))
                        .DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(delete.body()).isEqualTo("ok");
        // Each request after the first was lost once on the reused connection, then answered on a fresh one.
        assertThat(heads.get()).isEqualTo(7);
        assertThat(upstream.connections()).isEqualTo(4);
    }

    /** After one answered request, {@code method} with {@code body} is lost on the reused connection: 502, once. */
    private void assertLostAndNotResent(String method, HttpRequest.BodyPublisher body) throws Exception {
        AtomicInteger heads = new AtomicInteger();
        start(closingReusedConnections(heads), "");
        assertAnswers(1, 200, "ok");
        HttpResponse<String> lost = proxy.client().send(HttpRequest.newBuilder(proxy.uri("/raw/x"))
                .timeout(Duration.ofSeconds(10)).method(method, body).build(), HttpResponse.BodyHandlers.ofString());
        RoutingTest.assertError(lost, 502, "upstream_protocol_error", "raw");
        assertThat(heads.get()).isEqualTo(2);
    }

    @Test
    void requestThatIsNotIdempotentIsNotSentTwice() throws Exception {
        assertLostAndNotResent("POST", HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void streamedBodyIsNotSentTwiceEvenWhenTheMethodIsIdempotent() throws Exception {
        // The caller's body streams through and is not kept, so it cannot be sent again.
        assertLostAndNotResent("PUT", HttpRequest.BodyPublishers.ofString("streamed"));
    }

    @Test
    void upstreamClosingBeforeItAnswersIsAProtocolError() {
        start(firstThenOk(new AtomicInteger(), (head, in, out) -> false), "");
        HttpResponse<String> response = proxy.get("/raw/x");
        RoutingTest.assertError(response, 502, "upstream_protocol_error", "raw");
        assertThat(response.body()).contains("closed the connection before it answered");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
    }

    @Test
    void answerBeforeTheUploadEndsReachesTheCallerAndTheConnectionIsDropped() throws Exception {
        start((head, in, out) -> {
            if (head.startsWith("POST ")) {
                // Answers after the head, as a server refusing an upload does, then reads and drops the body
                // before closing (closing with unread bytes would reset the connection and lose the answer).
                RawUpstream.write(out, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!");
                RawUpstream.readBody(head, in);
                return false;
            }
            return answerOk(head, in, out);
        }, "");
        byte[] upload = new byte[4 * 1024 * 1024];
        HttpResponse<String> refused = proxy.client()
                .send(HttpRequest.newBuilder(proxy.uri("/raw/upload")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).isEqualTo("too big!");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void uploadCutByTheUpstreamIsAnErrorAndTheCallerIsNotLeftHanging() throws Exception {
        start((head, in, out) -> {
            if (head.startsWith("POST ")) {
                // Closes with the body unread: the kernel resets the connection, and writes to it fail.
                return false;
            }
            return answerOk(head, in, out);
        }, "");
        byte[] upload = new byte[4 * 1024 * 1024];
        HttpResponse<String> cut = proxy.client()
                .send(HttpRequest.newBuilder(proxy.uri("/raw/upload")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                        HttpResponse.BodyHandlers.ofString());
        RoutingTest.assertError(cut, 502, "upstream_protocol_error", "raw");
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
    }

    /** Answers "ok" to each request once {@code release} is counted down, counting down {@code arrived} first. */
    private static RawUpstream.Responder heldUntil(CountDownLatch arrived, CountDownLatch release) {
        return (head, in, out) -> {
            arrived.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return answerOk(head, in, out);
        };
    }

    @Test
    void callsBeyondThePoolLimitWaitForAFreeConnection() throws Exception {
        ProxyHarness.upstreamPoolSize.set(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        RawUpstream.Responder held = heldUntil(firstArrived, release);
        start((head, in, out) -> {
            requests.incrementAndGet();
            return held.respond(head, in, out);
        }, "");
        HttpClient client = proxy.client();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        calls.add(client.sendAsync(HttpRequest.newBuilder(proxy.uri("/raw/1")).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 2; i <= 4; i++) {
            calls.add(client.sendAsync(HttpRequest.newBuilder(proxy.uri("/raw/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        release.countDown();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
        }
        assertThat(requests.get()).isEqualTo(4);
        assertThat(upstream.connections()).isEqualTo(1);
    }

    /**
     * Starts an upstream that holds each request until {@code release}, behind a pool of one connection, and sends a
     * first call that now occupies that connection.
     */
    private CompletableFuture<HttpResponse<String>> occupyPoolOfOne(CountDownLatch release, String routeExtras)
            throws InterruptedException {
        ProxyHarness.upstreamPoolSize.set(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        start(heldUntil(firstArrived, release), routeExtras);
        CompletableFuture<HttpResponse<String>> first = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/raw/1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    @Test
    void gaugesShowBusyIdleAndWaitingConnectionsOfTheOrigin() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> first = occupyPoolOfOne(release, "");
        CompletableFuture<HttpResponse<String>> second = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/raw/2")).build(), HttpResponse.BodyHandlers.ofString());
        awaitGauge("latchkey.upstream.waiting", null, 1);
        assertThat(gauge("latchkey.upstream.connections", "busy").value()).isEqualTo(1);
        assertThat(gauge("latchkey.upstream.connections", "idle").value()).isZero();
        assertThat(gauge("latchkey.upstream.waiting", null).getId().getTag("origin"))
                .endsWith(":" + upstream.port()).doesNotContain("raw-key");

        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
        assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
        awaitGauge("latchkey.upstream.connections", "idle", 1);
        assertThat(gauge("latchkey.upstream.connections", "busy").value()).isZero();
        assertThat(gauge("latchkey.upstream.waiting", null).value()).isZero();
    }

    private Gauge gauge(String name, String state) {
        var search = proxy.meters().find(name);
        return (state == null ? search : search.tag("state", state)).gauge();
    }

    /** Waits until the gauge reads {@code expected}: pools change on the proxy's event loop, not the test's thread. */
    private void awaitGauge(String name, String state, double expected) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(gauge(name, state).value()).isEqualTo(expected));
    }

    @Test
    void waitingForAPooledConnectionEndsAtTheConnectTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> first = occupyPoolOfOne(release, "connectTimeout: 200ms");
        HttpResponse<String> waited = proxy.get("/raw/2");
        release.countDown();
        RoutingTest.assertError(waited, 504, "upstream_timeout", "raw");
        assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void injectedCredentialReachesTheUpstreamOnAReusedConnection() {
        List<String> heads = startRecordingHeads();
        proxy.get("/raw/a?x=1");
        proxy.get("/raw/b");
        assertThat(heads).hasSize(2);
        assertThat(heads.get(0)).startsWith("GET /a?x=1 HTTP/1.1\r\n").contains("Authorization: Bearer raw-key\r\n");
        assertThat(heads.get(1)).startsWith("GET /b HTTP/1.1\r\n").contains("Authorization: Bearer raw-key\r\n");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void theCallersHeaderLinesLeaveAsTheyArrivedBetweenHostAndTheInjectedOnes() {
        List<String> heads = startRecordingHeads();
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(), "GET /raw/x?y=1 HTTP/1.1\r\nHost: caller.example\r\n"
                + "X-One:  spaced \r\nx-two: b\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
                + "AUTHORIZATION: Bearer caller\r\nProxy-Authorization: Basic caller\r\nX-Latchkey-Subject: s\r\n"
                + "Expect: nothing\r\nAccept: */*\r\nX-Empty:\r\nX-Three:\tc\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        // X-One's spaces, X-Empty's missing one and X-Three's tab are the reader's to drop: those lines are
        // written anew, the others copied.
        assertThat(heads).containsExactly("GET /x?y=1 HTTP/1.1\r\nHost: " + upstreamAuthority(upstream.port()) + "\r\n"
                + "X-One: spaced\r\nx-two: b\r\nAccept: */*\r\nX-Empty: \r\nX-Three: c\r\n"
                + "Authorization: Bearer raw-key\r\n\r\n");
    }

    @Test
    void aRequestWithMoreHeaderLinesThanAreMarkedAsBitsIsForwardedByTheSameRule() {
        List<String> heads = startRecordingHeads();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 70; i++) {
            lines.append("X-Line-").append(i).append(": ").append(i).append("\r\n");
        }
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(), "GET /raw/x HTTP/1.1\r\nHost: caller.example\r\n"
                + "Connection: close, X-Hop\r\nX-Hop: 1\r\nAuthorization: Bearer caller\r\n"
                + "Proxy-Authorization: Basic caller\r\nX-Latchkey-Subject: s\r\nExpect: nothing\r\n" + lines
                + "\r\n");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(heads).containsExactly("GET /x HTTP/1.1\r\nHost: " + upstreamAuthority(upstream.port()) + "\r\n" + lines
                + "Authorization: Bearer raw-key\r\n\r\n");
    }

    /** Reads a chunked body as the upstream receives it; returns its bytes. Refuses anything but the coding's form. */
    private static byte[] readChunkedBody(java.io.InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine, 16);
            if (size == 0) {
                assertThat(readLine(in)).as("no trailers, then the blank line").isEmpty();
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            assertThat(readLine(in)).as("a chunk ends with CRLF").isEmpty();
        }
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("the line ends before the stream").isNotNegative();
            line.append((char) b);
        }
        assertThat(line).as("lines end with CRLF").endsWith("\r");
        return line.substring(0, line.length() - 1);
    }

    @Test
    void bodyOfUnknownLengthLeavesChunkedAndArrivesWhole() throws Exception {
        List<byte[]> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
        start((head, in, out) -> {
            if (!head.startsWith("POST ")) {
                return answerOk(head, in, out);
            }
            heads.add(head);
            byte[] body = readChunkedBody(in);
            bodies.add(body);
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return true;
        }, "");
        byte[] upload = new byte[300_000];
        new java.util.Random(7).nextBytes(upload);
        // A publisher without a length: the caller sends the body chunked, as a stream of unknown size is sent.
        HttpResponse<String> response = proxy.client()
                .send(HttpRequest.newBuilder(proxy.uri("/raw/upload")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofByteArray(upload)))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(heads.get(0).toLowerCase(java.util.Locale.ROOT)).contains("\r\ntransfer-encoding: chunked\r\n")
                .doesNotContain("content-length");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(bodies).hasSize(1);
        assertThat(bodies.get(0)).isEqualTo(upload);
        assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void chunkedAnswerWithExtensionsAndTrailersReachesTheCallerWholeAndKeepsTheConnection() {
        start((head, in, out) -> {
            RawUpstream.readBody(head, in);
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "6;ext=\"a b\"\r\nchunke\r\n");
            RawUpstream.write(out, "1\r\nd\r\n0\r\nX-Checksum: 1234\r\n\r\n");
            return true;
        }, "");
        assertAnswers(3, 200, "chunked");
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void answerWithBothContentLengthAndChunkedCodingIsRefusedAndItsConnectionDropped() {
        assertFirstAnswerRefusedAndItsConnectionDropped("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n4\r\nfour\r\n0\r\n\r\n");
    }

    @Test
    void reasonPhraseIsPassedOnAndAMissingOneBecomesTheStandardOne() {
        AtomicInteger requests = new AtomicInteger();
        start((head, in, out) -> {
            RawUpstream.readBody(head, in);
            RawUpstream.write(out, requests.incrementAndGet() == 1
                    ? "HTTP/1.1 200 Fine, Thanks\r\nContent-Length: 2\r\n\r\nok"
                    : "HTTP/1.1 201\r\nContent-Length: 2\r\n\r\nok");
            return true;
        }, "");
        String request = "GET /raw/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        assertThat(io.latchkey.testing.RawHttp.send(proxy.port(), request).response())
                .startsWith("HTTP/1.1 200 Fine, Thanks\r\n");
        assertThat(io.latchkey.testing.RawHttp.send(proxy.port(), request).response())
                .startsWith("HTTP/1.1 201 Created\r\n");
    }
}
