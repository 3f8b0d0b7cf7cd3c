package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.latchkey.testing.AccountingAllocator;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawUpstream;
import io.latchkey.testing.TestCertificates;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * The answer's body goes from the upstream connection's read buffers to the caller without a copy, so those buffers
 * are shared for a while: each must reach the caller intact (never freed while a write still needs it) and each must
 * be given back (never kept after the write, nor when the caller goes away while chunks wait). The proxy's own
 * upstream connections take their buffers from an allocator that remembers every one, plain and over TLS.
 */
class UpstreamBufferOwnershipTest {

    /** Far more than the slow caller's socket buffers and the proxy's write queue hold together. */
    static final int LARGE = 12_000_000;
    static final int CHUNKS = 50;
    static final byte[] CHUNKED_BODY;

    static {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < CHUNKS; i++) {
            body.append(chunkText(i));
        }
        CHUNKED_BODY = body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static Vertx vertx;
    static EchoUpstream plain;
    static EchoUpstream tls;
    static AccountingAllocator allocator = new AccountingAllocator();
    static Path policyDirectory;
    static TestCertificates certificates;
    ProxyHarness proxy;
    static Context context;
    /** Buffers handed out before this test: earlier tests' are theirs to answer for. */
    int before;
    RawUpstream scripted;
    Http1UpstreamClient client;

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        context = vertx.getOrCreateContext();
        plain = serving(EchoUpstream.http(vertx));
        policyDirectory = directory;
        certificates = TestCertificates.create(directory);
        tls = serving(EchoUpstream.httpsHttp11Only(vertx, certificates));
    }

    /**
     * A proxy per test: its upstream connections keep a head buffer each while they are open (KeptBuffer), so what
     * a test took is all given back once its proxy's connections are closed, and not before.
     */
    @BeforeEach
    void startProxy() {
        before = allocator.handedOut();
        ProxyHarness.upstreamAllocator.set(allocator);
        try {
            proxy = ProxyHarness.start(vertx, policyDirectory, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata:
                      name: ownership
                    spec:
                      routes:
                        - name: plain
                          prefix: /plain
                          upstream: http://127.0.0.1:%d
                        - name: tls
                          prefix: /tls
                          upstream: https://127.0.0.1:%d
                          caBundle: %s
                    """.formatted(plain.port(), tls.port(), certificates.caCertificate));
        } finally {
            ProxyHarness.upstreamAllocator.remove();
        }
    }

    private static EchoUpstream serving(EchoUpstream upstream) {
        upstream.on("/fixed", request -> {
            int size = Integer.parseInt(request.getParam("size"));
            HttpServerResponse response = request.response().putHeader("Content-Length", Integer.toString(size));
            pump(response, size, 16 * 1024);
        });
        upstream.on("/chunks", request -> {
            int count = Integer.parseInt(request.getParam("count"));
            int size = Integer.parseInt(request.getParam("size"));
            pump(request.response().setChunked(true), count * size, size);
        });
        return upstream;
    }

    /** Writes {@code total} bytes of the pattern in writes of {@code step}, as fast as the proxy takes them. */
    private static void pump(HttpServerResponse response, int total, int step) {
        int[] sent = { 0 };
        Runnable[] more = new Runnable[1];
        more[0] = () -> {
            while (sent[0] < total && !response.writeQueueFull()) {
                int length = Math.min(step, total - sent[0]);
                response.write(Buffer.buffer(pattern(sent[0], length)));
                sent[0] += length;
            }
            if (sent[0] >= total) {
                response.end();
            } else {
                response.drainHandler(drained -> more[0].run());
            }
        };
        more[0].run();
    }

    /** Bytes {@code from} to {@code from + length} of a body: no two neighbouring 251-byte runs alike. */
    static byte[] pattern(int from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            int at = from + i;
            bytes[i] = (byte) (at * 31 + at / 251);
        }
        return bytes;
    }

    @AfterEach
    void everyBufferIsGivenBack() {
        proxy.close();
        if (client != null) {
            client.close();
            scripted.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(allocator.heldSince(before))
                .as("upstream buffers still held, of %d handed out", allocator.handedOut() - before).isZero());
    }

    @AfterAll
    static void stop() {
        plain.close();
        tls.close();
        vertx.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/plain", "/tls" })
    void answersOfEverySizeArriveIntact(String route) {
        for (int size : new int[] { 1, 1024, 16 * 1024 + 7, 3_000_000 }) {
            HttpResponse<byte[]> response = getBytes(route + "/fixed?size=" + size);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).as("a body of %d bytes", size).isEqualTo(pattern(0, size));
        }
        HttpResponse<byte[]> chunked = getBytes(route + "/chunks?count=2000&size=100");
        assertThat(chunked.body()).isEqualTo(pattern(0, 200_000));
        assertThat(allocator.handedOut()).as("buffers the proxy's upstream connections took").isGreaterThan(before);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/plain", "/tls" })
    void aConnectionReadsAndWritesThroughBuffersItKeeps(String route) {
        assertThat(getBytes(route + "/fixed?size=100").statusCode()).isEqualTo(200);
        int opened = allocator.handedOut();
        for (int i = 0; i < 50; i++) {
            assertThat(getBytes(route + "/fixed?size=" + (100 + i)).body()).isEqualTo(pattern(0, 100 + i));
        }
        // Taken per use, a call takes two buffers in plain (its head, its answer's read) and five over TLS (there
        // the handler's own three besides: 100 and 251 here). Kept, plain takes none, TLS only the handler's.
        assertThat(allocator.handedOut() - opened).as("buffers taken for 50 more calls on the same connection")
                .isLessThan(route.equals("/plain") ? 5 : 50 * 4);
    }

    @Test
    void aCallerThatReadsSlowlyGetsEveryByteInOrder() throws IOException {
        // A receive window of a few KiB: the proxy's writes to this caller queue up behind the socket, and go out
        // from the upstream's read buffers long after the read that filled them.
        try (Socket caller = slowCaller()) {
            InputStream in = caller.getInputStream();
            String head = RawUpstream.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + LARGE);
            assertThat(in.readNBytes(LARGE)).isEqualTo(pattern(0, LARGE));
        }
    }

    @Test
    void aCallerThatGoesAwayMidAnswerLeavesNothingHeld() throws IOException {
        try (Socket caller = slowCaller()) {
            InputStream in = caller.getInputStream();
            RawUpstream.readHead(in);
            assertThat(in.readNBytes(64 * 1024)).isEqualTo(pattern(0, 64 * 1024));
        }
        // The proxy goes on serving, and the buffers of the abandoned answer are checked after each test.
        assertThat(getBytes("/plain/fixed?size=1024").body()).isEqualTo(pattern(0, 1024));
    }

    /** Connects with a small receive buffer and asks for {@link #LARGE} bytes. */
    private Socket slowCaller() throws IOException {
        Socket caller = new Socket();
        caller.setReceiveBufferSize(4096);
        caller.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
        RawUpstream.write(caller.getOutputStream(),
                "GET /plain/fixed?size=" + LARGE + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return caller;
    }

    // ---- Latchkey's own client alone: chunks that arrive before anyone takes them wait in the call

    @Test
    void chunksThatWaitAreGivenBackOnceHandedOn() throws Exception {
        UpstreamResponse response = answeredWhileNobodyReads();
        HeardBody heard = new HeardBody();
        onContext(() -> response.bodyTo(heard));
        assertThat(heard.over.get(10, TimeUnit.SECONDS)).endsWith("end");
        assertThat(heard.bytes.toByteArray()).isEqualTo(CHUNKED_BODY);
    }

    @Test
    void chunksThatWaitAreCopiedIntoAWholeBody() throws Exception {
        UpstreamResponse response = answeredWhileNobodyReads();
        CompletableFuture<Buffer> body = new CompletableFuture<>();
        onContext(() -> response.body().onComplete(read -> body.complete(read.result())));
        assertThat(body.get(10, TimeUnit.SECONDS).getBytes()).isEqualTo(CHUNKED_BODY);
    }

    @Test
    void chunksThatWaitAreGivenBackWhenTheCallIsReset() throws Exception {
        UpstreamResponse response = answeredWhileNobodyReads();
        onContext(() -> ((UpstreamCall) response).reset(new IllegalStateException("the caller went away")));
    }

    @Test
    void aSmallAnswerReadWholeEndsWithItsLastChunk() throws Exception {
        HeardBody heard = new HeardBody();
        answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + chunkText(7), response -> response.bodyTo(heard));
        assertThat(heard.over.get(10, TimeUnit.SECONDS)).isEqualTo("last chunk-0007");
    }

    @Test
    void aLastChunkThatWaitedIsHandedOnAsAChunkBeforeTheEnd() throws Exception {
        UpstreamResponse response = answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + chunkText(7), null);
        HeardBody heard = new HeardBody();
        onContext(() -> response.bodyTo(heard));
        assertThat(heard.over.get(10, TimeUnit.SECONDS)).isEqualTo("chunk chunk-0007, end");
    }

    /** Writes down what it hears: "chunk X, " for each chunk, then "last X", "end" or "failed: why". */
    private static final class HeardBody implements UpstreamBodyListener {

        final StringBuilder events = new StringBuilder();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> over = new CompletableFuture<>();

        @Override
        public void chunk(Buffer chunk) {
            bytes.writeBytes(chunk.getBytes());
            events.append("chunk ").append(chunk).append(", ");
        }

        @Override
        public void end(Buffer lastChunk) {
            if (lastChunk == null) {
                events.append("end");
            } else {
                bytes.writeBytes(lastChunk.getBytes());
                events.append("last ").append(lastChunk);
            }
            over.complete(events.toString());
        }

        @Override
        public void failed(Throwable cause) {
            over.complete(events.append("failed: ").append(cause.getMessage()).toString());
        }
    }

    /**
     * Sends a request on a client of its own and returns the answer as soon as its head is read, with the chunks
     * that came in the same read waiting in the call: nothing has asked for them yet.
     */
    private UpstreamResponse answeredWhileNobodyReads() throws Exception {
        StringBuilder chunked = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < CHUNKS; i++) {
            chunked.append("a\r\n").append(chunkText(i)).append("\r\n");
        }
        return answer(chunked.append("0\r\n\r\n").toString(), null);
    }

    /**
     * Sends a request on a client of its own to an upstream that writes {@code answer} at once, and returns the
     * answer as soon as its head is read.
     *
     * @param onHead runs on the event loop as the head is read, before the rest of that read; null for nothing
     */
    private UpstreamResponse answer(String answer, Consumer<UpstreamResponse> onHead)
            throws Exception {
        scripted = RawUpstream.start((head, in, out) -> {
            RawUpstream.write(out, answer);
            return true;
        });
        client = new Http1UpstreamClient((VertxInternal) vertx, "127.0.0.1", scripted.port(), 1, null,
                System::nanoTime, allocator);
        CompletableFuture<UpstreamResponse> answered = new CompletableFuture<>();
        onContext(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(scripted.port()).setURI("/").setConnectTimeout(5_000),
                OutboundRequest.toAuthority("127.0.0.1:" + scripted.port()), new UpstreamListener() {
                    @Override
                    public void carried(UpstreamCall call) {
                        call.end(null);
                    }

                    @Override
                    public void notCarried(Throwable cause) {
                        answered.completeExceptionally(cause);
                    }

                    @Override
                    public void answered(UpstreamResponse response) {
                        if (onHead != null) {
                            onHead.accept(response);
                        }
                        answered.complete(response);
                    }

                    @Override
                    public void notAnswered(Throwable cause) {
                        answered.completeExceptionally(cause);
                    }
                }));
        return answered.get(10, TimeUnit.SECONDS);
    }

    /** Runs on the test's event-loop context, after whatever that loop is doing now (such as the rest of a read). */
    private void onContext(Runnable action) {
        context.runOnContext(ignored -> action.run());
    }

    private static String chunkText(int i) {
        return "chunk-%04d".formatted(i);
    }

    private HttpResponse<byte[]> getBytes(String pathAndQuery) {
        try {
            return proxy.client().send(HttpRequest.newBuilder(proxy.uri(pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
