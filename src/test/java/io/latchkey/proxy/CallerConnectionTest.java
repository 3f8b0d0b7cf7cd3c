package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.LatchkeyConfig;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * The caller's side of HTTP/1.1 as the proxy speaks it, over raw sockets: persistent connections and pipelining,
 * {@code Expect: 100-continue}, HTTP/1.0, {@code Connection: close}, request bodies in both framings, and refusals
 * that leave nothing half-read. The suite runs on both caller servers ({@code latchkey.proxy.server}).
 */
class CallerConnectionTest {

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
                  name: caller-connection
                spec:
                  credentials:
                    key:
                      secret: literal:caller-connection-key
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
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /api/two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /api/three HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /api/five HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/one\"");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/two\"")
                    .contains("\"bodyBytes\":5");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/three\"");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 403").contains("no_route");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/five\"");
            assertThat(connection.staysOpen()).isTrue();
        }
        assertThat(upstream.received()).extracting(EchoUpstream.Received::uri)
                .containsExactly("/one", "/two", "/three", "/five");
    }

    @Test
    void whatIsPipelinedBehindAnUnansweredRequestWaitsInTheKernelNotInTheProxy() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        upstream.on("/held", held::add);
        // All the caller can have sent before it must stop: its send buffer and the proxy's receive buffer at their
        // largest, and more than one read of the proxy's.
        long bound = largestBuffer("tcp_wmem") + largestBuffer("tcp_rmem") + (8 << 20);
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port()));
                Selector selector = Selector.open()) {
            channel.write(ByteBuffer.wrap(ascii("GET /api/held HTTP/1.1\r\nHost: a\r\n\r\n")));
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
            channel.configureBlocking(false);
            SelectionKey writable = channel.register(selector, SelectionKey.OP_WRITE);
            channel.write(ByteBuffer.wrap(ascii("POST /api/after HTTP/1.1\r\nHost: a\r\nContent-Length: "
                    + (bound * 2) + "\r\n\r\n")));
            ByteBuffer body = ByteBuffer.wrap(new byte[1 << 16]);
            long sent = 0;
            while (sent < bound) {
                body.clear();
                int written = channel.write(body);
                sent += written;
                // No room: while the proxy reads, room comes at once; a socket it does not read stays full.
                if (written == 0 && selector.select(2000) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
            }
            assertThat(sent).as("bytes the caller could send while its first request waited").isLessThan(bound);
            held.get(0).response().end("late");
            writable.cancel();
            selector.selectNow();
            channel.configureBlocking(true);
            ByteBuffer answer = ByteBuffer.allocate(4096);
            while (!new String(answer.array(), 0, answer.position(), StandardCharsets.ISO_8859_1).contains("late")) {
                assertThat(channel.read(answer)).isPositive();
            }
            assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 200");
        }
    }

    private static long largestBuffer(String setting) throws IOException {
        Path limits = Path.of("/proc/sys/net/ipv4", setting);
        if (!Files.exists(limits)) {
            return 16 << 20;
        }
        String line;
        try (var in = Files.newInputStream(limits)) {
            // Not Files.readString: /proc reports a size its files do not have, and JDK 17 reads only the first byte.
            line = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        String[] values = line.trim().split("\\s+");
        return Long.parseLong(values[values.length - 1]);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRefusedRequestsBodyIsReadAndTheConnectionGoesOn() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("POST /nowhere HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\nGET /api/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 403");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/after\"");
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("PUT /api/upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(connection.readHead()).startsWith("HTTP/1.1 100 Continue\r\n");
            connection.send("data");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"bodyBytes\":4");
        }
        assertThat(upstream.last().headerValues("Expect")).as("hop by hop, answered here").isEmpty();
    }

    @Test
    void aPipelinedRequestThatExpectsContinueHearsItOnceItsTurnComes() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "PUT /api/second HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"uri\":\"/first\"");
            assertThat(connection.readHead()).startsWith("HTTP/1.1 100 Continue\r\n");
            connection.send("data");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"bodyBytes\":4");
        }
    }

    @Test
    void chunkedRequestBodiesReachTheUpstreamWhole() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("POST /api/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Trailer: dropped\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200").contains("\"bodyBytes\":7");
        }
    }

    @Test
    void http10IsAnsweredInKindAndClosedUnlessKeptAlive() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/old HTTP/1.0\r\nHost: a\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.0 200").contains("\"uri\":\"/old\"");
            assertThat(connection.closedByServer()).isTrue();
        }
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/old HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.0 200")
                    .containsIgnoringCase("connection: keep-alive");
            connection.send("GET /api/again HTTP/1.0\r\nHost: a\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.0 200").contains("\"uri\":\"/again\"");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void connectionCloseEndsTheConnectionAfterTheAnswer() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "GET /api/never HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("connection: close");
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(upstream.received()).extracting(EchoUpstream.Received::uri).containsExactly("/last");
    }

    @Test
    void nothingPipelinedBehindAnAnswerThatClosesIsServed() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /api/behind HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(403);
        assertThat(exchange.response()).doesNotContain("200 OK");
        assertThat(exchange.closed()).isTrue();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aBodyThatCannotBeFramedEndsTheConnection() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "POST /api/broken HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhelloXX\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(exchange.closed()).isTrue();
        assertThat(exchange.response()).doesNotContain("200 OK");
        if (ProxyHarness.callerServer() == LatchkeyConfig.Proxy.CallerServer.LATCHKEY) {
            // The caller's fault, said as such, not blamed on the upstream.
            assertThat(exchange.response()).startsWith("HTTP/1.1 400 ").contains("X-Latchkey-Error: bad_request")
                    .contains("the request's chunk is longer than its size");
        }
        assertThat(upstream.received()).extracting(EchoUpstream.Received::uri).doesNotContain("/smuggled");
    }

    @Test
    void transferCodingsOtherThanChunkedAreRefused() {
        // Vert.x's server reads "gzip, chunked" as chunked and forwards the body without its gzip coding.
        assumeTrue(ProxyHarness.callerServer() == LatchkeyConfig.Proxy.CallerServer.LATCHKEY,
                "Latchkey's own server only");
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertThat(exchange.status()).isEqualTo(400);
        assertThat(exchange.response()).contains("X-Latchkey-Error: bad_request");
        assertThat(exchange.closed()).isTrue();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void whiteSpaceBeforeAColonAndRepeatedLengthsAreRefused() {
        for (String request : new String[] { "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Api-Key : callers\r\n\r\n",
                "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx" }) {
            RawHttp.Exchange exchange = RawHttp.send(proxy.port(), request);
            assertThat(exchange.status()).as(request).isEqualTo(400);
            assertThat(exchange.response()).contains("X-Latchkey-Error: bad_request");
            assertThat(exchange.closed()).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void otherHttpVersionsAreRefused() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(), "GET /api/x HTTP/1.2\r\nHost: a\r\n\r\n");
        if (ProxyHarness.callerServer() == LatchkeyConfig.Proxy.CallerServer.LATCHKEY) {
            assertThat(exchange.response()).startsWith("HTTP/1.1 400 ").contains("X-Latchkey-Error: bad_request");
            assertThat(exchange.closed()).isTrue();
        } else {
            // Netty's codec under Vert.x's server answers 501 itself.
            assertThat(exchange.response()).startsWith("HTTP/1.2 501 ");
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRequestLineLongerThanTheLimitIsRefusedWithTheSettingNamed() {
        RawHttp.Exchange exchange = RawHttp.send(proxy.port(),
                "GET /api/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        // Vert.x's server answers a request it could not read in HTTP/1.0.
        assertThat(exchange.response()).matches("(?s)HTTP/1\\.[01] 400 .*")
                .contains("X-Latchkey-Error: bad_request");
        if (ProxyHarness.callerServer() == LatchkeyConfig.Proxy.CallerServer.LATCHKEY) {
            assertThat(exchange.response()).contains("latchkey.proxy.max-request-line-length");
        }
        assertThat(exchange.closed()).isTrue();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void everyConnectionLineNamesHeadersThatStayWithTheConnection() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/hops HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive\r\nX-First: 1\r\n"
                    + "Connection: x-first, X-Second\r\nX-Second: 2\r\nX-Kept: 3\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200");
        }
        EchoUpstream.Received received = upstream.last();
        assertThat(received.headerValues("X-First")).isEmpty();
        assertThat(received.headerValues("X-Second")).isEmpty();
        assertThat(received.headerValues("X-Kept")).containsExactly("3");
    }

    @Test
    void headerBytesAboveAsciiReachTheUpstreamAsSent() {
        try (RawHttp.Connection connection = new RawHttp.Connection(proxy.port())) {
            connection.send("GET /api/bytes HTTP/1.1\r\nHost: a\r\nX-Name: caf\u00e9\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200");
        }
        // The upstream decodes header bytes as ISO-8859-1 too: one character per byte, unchanged.
        assertThat(upstream.last().headerValues("X-Name")).containsExactly("caf\u00e9");
    }
}
