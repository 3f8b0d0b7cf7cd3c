package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpMethod;

/**
 * The caller request reader on scripted bytes: every request is also fed split at every byte and one byte at a time,
 * as TCP may deliver it, and must read the same; every read buffer must be given back.
 */
class RequestReaderTest {

    private static final int MAX_LINE = 64;
    private static final int MAX_HEAD = 256;

    /** What the reader reported, as text; optionally suspends reading at each request's end, as the server does. */
    static final class Recording implements RequestReader.Listener {
        final List<RequestHead> heads = new ArrayList<>();
        final StringBuilder events = new StringBuilder();
        DecoderException malformed;
        RequestReader reader;
        boolean suspendAtEnd;

        @Override
        public void head(RequestHead head) {
            heads.add(head);
            events.append(head.method.name()).append(' ').append(head.target).append(head.http10 ? " 1.0" : " 1.1")
                    .append(head.keepAlive ? " keep-alive" : " close")
                    .append(head.expectsContinue ? " continue" : "")
                    .append(" length=").append(head.bodyLength).append(" [");
        }

        @Override
        public void body(ByteBuf chunk, boolean last) {
            events.append(chunk.toString(StandardCharsets.ISO_8859_1));
            if (last) {
                events.append("] ");
                if (suspendAtEnd) {
                    reader.suspend();
                }
            }
        }

        @Override
        public void malformed(DecoderException cause) {
            malformed = cause;
        }

        String summary() {
            return events + (malformed == null ? "no error" : malformed.getMessage());
        }
    }

    private static final List<ByteBuf> FED = new ArrayList<>();

    private static ByteBuf bytes(String text) {
        ByteBuf buffer = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        FED.add(buffer);
        return buffer;
    }

    /** Reads the bytes in one piece, split at every byte, and byte by byte; all three must agree. */
    private static Recording read(String requests) {
        Recording whole = feed(requests);
        for (int split = 1; split < requests.length(); split++) {
            Recording halves = feed(requests.substring(0, split), requests.substring(split));
            assertThat(halves.summary()).as("split at %d", split).isEqualTo(whole.summary());
        }
        Recording single = feed(requests.split(""));
        assertThat(single.summary()).as("byte by byte").isEqualTo(whole.summary());
        assertAllGivenBack();
        return whole;
    }

    private static void assertAllGivenBack() {
        for (ByteBuf fed : FED) {
            assertThat(fed.refCnt()).as("every read buffer is given back").isZero();
        }
        FED.clear();
    }

    private static Recording feed(String... pieces) {
        Recording recording = new Recording();
        recording.reader = new RequestReader(recording, MAX_LINE, MAX_HEAD);
        for (String piece : pieces) {
            recording.reader.read(bytes(piece));
        }
        return recording;
    }

    private static DecoderException refusal(String request) {
        Recording recording = read(request);
        assertThat(recording.malformed).as(request).isNotNull();
        return recording.malformed;
    }

    @Test
    void requestWithoutABodyEndsAtItsHead() {
        Recording request = read("GET /api/x?q=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
        assertThat(request.summary()).isEqualTo("GET /api/x?q=1 1.1 keep-alive length=0 [] no error");
        RequestHead head = request.heads.get(0);
        assertThat(head.method).isSameAs(HttpMethod.GET);
        assertThat(head.header("host")).isEqualTo("a");
        assertThat(head.contains("ACCEPT")).isTrue();
        assertThat(head.hasBody()).isFalse();
    }

    @Test
    void bodyIsReadToItsLength() {
        assertThat(read("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").summary())
                .isEqualTo("POST /x 1.1 keep-alive length=5 [hello] no error");
    }

    @Test
    void chunkedBodyIsDecodedWithExtensionsAndTrailersDropped() {
        assertThat(read("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n").summary())
                .isEqualTo("POST /x 1.1 keep-alive length=-1 [hello!] no error");
    }

    @Test
    void pipelinedRequestsAreReadInOrder() {
        assertThat(read("GET /one HTTP/1.1\r\n\r\nPUT /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                + "DELETE /three HTTP/1.1\r\nConnection: close\r\n\r\n").summary())
                .isEqualTo("GET /one 1.1 keep-alive length=0 [] PUT /two 1.1 keep-alive length=3 [abc] "
                        + "DELETE /three 1.1 close length=0 [] no error");
    }

    @Test
    void emptyLinesBeforeARequestAreSkipped() {
        assertThat(read("\r\n\nGET /x HTTP/1.1\r\n\r\n\r\nGET /y HTTP/1.1\n\n").summary())
                .isEqualTo("GET /x 1.1 keep-alive length=0 [] GET /y 1.1 keep-alive length=0 [] no error");
    }

    @Test
    void connectionPersistsAsHttp11AndHttp10Say() {
        assertThat(read("GET /a HTTP/1.0\r\n\r\n").summary()).isEqualTo("GET /a 1.0 close length=0 [] no error");
        assertThat(read("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").summary())
                .isEqualTo("GET /a 1.0 keep-alive length=0 [] no error");
        assertThat(read("GET /a HTTP/1.1\r\nConnection: TE, close\r\n\r\n").summary())
                .isEqualTo("GET /a 1.1 close length=0 [] no error");
    }

    @Test
    void expectContinueIsNotedForHttp11Only() {
        assertThat(read("PUT /a HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx").summary())
                .isEqualTo("PUT /a 1.1 keep-alive continue length=1 [x] no error");
        assertThat(read("PUT /a HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").summary())
                .isEqualTo("PUT /a 1.0 close length=1 [x] no error");
    }

    @Test
    void methodsAreTokensAndCommonOnesAreVertxConstants() {
        assertThat(read("PROPFIND /dav HTTP/1.1\r\n\r\n").heads.get(0).method.name()).isEqualTo("PROPFIND");
        assertThat(read("OPTIONS * HTTP/1.1\r\n\r\n").heads.get(0).method).isSameAs(HttpMethod.OPTIONS);
        assertThat(read("CONNECT api.example.com:443 HTTP/1.1\r\n\r\n").heads.get(0).target)
                .isEqualTo("api.example.com:443");
    }

    @Test
    void targetAndHeaderBytesAboveAsciiArriveAsTheyWereSent() {
        RequestHead head = read("GET /caf\u00e9 HTTP/1.1\r\nX-Name: J\u00fcrgen\r\n\r\n").heads.get(0);
        assertThat(head.target).isEqualTo("/caf\u00e9");
        assertThat(head.header("x-name")).isEqualTo("J\u00fcrgen");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nContent-Length: 0x3\r\n\r\nabc",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /x HTTP/1.1\r\nX-Folded: one\r\n two\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET /x HTTP/1.1\r\nX-Bad: a\u0000b\r\n\r\n",
            "GET /x HTTP/1.1\r\nX-Bad: a\rb\r\n\r\n",
            "GET /x HTTP/1.1\r\nX(Bad): a\r\n\r\n",
            "GET /x HTTP/1.1\r\n: no-name\r\n\r\n",
            "GET /x HTTP/1.1\r\nno-colon\r\n\r\n",
            "GET /a\u0001b HTTP/1.1\r\n\r\n",
            "GET /x HTTP/1.2\r\n\r\n",
            "GET /x HTTP/2.0\r\n\r\n",
            "GET /x http/1.1\r\n\r\n",
            "GET /x\r\n\r\n",
            "GET  /x HTTP/1.1\r\n\r\n",
            "GET /x  HTTP/1.1\r\n\r\n",
            "GET /x HTTP/1.1 \r\n\r\n",
            "G(T /x HTTP/1.1\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
    })
    void requestsThatCouldBeReadTwoWaysAreRefused(String request) {
        DecoderException refused = refusal(request);
        assertThat(refused.getMessage()).startsWith("the request");
    }

    @Test
    void refusalsSayWhatIsWrong() {
        assertThat(refusal("POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .hasMessage("the request has both Content-Length and Transfer-Encoding");
        assertThat(refusal("POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"))
                .hasMessage("the request has more than one Content-Length");
        assertThat(refusal("GET /x HTTP/1.1\r\nX-Folded: one\r\n\ttwo\r\n\r\n"))
                .hasMessage("the request uses obsolete line folding");
        assertThat(refusal("GET /x HTTP/1.2\r\n\r\n"))
                .hasMessage("the request is HTTP/1.2; HTTP/1.0 and HTTP/1.1 are spoken here");
    }

    @Test
    void requestLineAndHeadAreLimitedAtTheEdge() {
        String line = "GET /" + "a".repeat(MAX_LINE - 14) + " HTTP/1.1";
        assertThat(line).as("the limit is on the line without its end").hasSize(MAX_LINE);
        assertThat(read(line + "\r\n\r\n").malformed).isNull();
        assertThat(read(line + "\n\n").malformed).isNull();
        String longer = "GET /" + "a".repeat(MAX_LINE - 13) + " HTTP/1.1";
        assertThat(refusal(longer + "\r\n\r\n")).isInstanceOf(TooLongFrameException.class)
                .hasMessage("the request line is longer than " + MAX_LINE + " bytes");

        String start = "GET / HTTP/1.1\r\nX: ";
        String head = start + "v".repeat(MAX_HEAD - start.length() - 4) + "\r\n\r\n";
        assertThat(head).hasSize(MAX_HEAD);
        assertThat(read(head).malformed).isNull();
        String larger = start + "v".repeat(MAX_HEAD - start.length() - 3) + "\r\n\r\n";
        assertThat(refusal(larger)).isInstanceOf(TooLongFrameException.class)
                .hasMessage("the request head is larger than " + MAX_HEAD + " bytes");
    }

    @Test
    void aControlCharacterAnywhereInAValueIsRefusedAndATabIsNot() {
        // The byte at every place of a value, among bytes above ASCII.
        for (int before = 0; before < 18; before++) {
            String value = "\u00e9".repeat(before) + "%s" + "\u00ff".repeat(9);
            for (char control : new char[] { 0x00, 0x01, 0x08, 0x0b, 0x1f, 0x7f }) {
                String request = "GET /x HTTP/1.1\r\nX-V: " + value.formatted(control) + "\r\n\r\n";
                assertThat(feed(request).malformed).as("0x%02x after %d bytes", (int) control, before)
                        .hasMessage("the request has a control character in a header value");
            }
            String tabbed = "a" + value.formatted("\t"); // not first: leading white space is not the value's
            RequestHead head = feed("GET /x HTTP/1.1\r\nX-V: " + tabbed + "\r\n\r\n").heads.get(0);
            assertThat(head.header("x-v")).isEqualTo(tabbed);
        }
        assertAllGivenBack();
    }

    @Test
    void aLargeHeadReadsTheSameInAnyPieces() {
        StringBuilder request = new StringBuilder("POST /large HTTP/1.1\r\n");
        for (int i = 0; i < 60; i++) {
            request.append("X-Line-").append(i).append(": ").append("v".repeat(i)).append("\r\n");
        }
        request.append("Content-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\n\r\n");
        String text = request.toString();
        String whole = null;
        for (int piece : new int[] { text.length(), 1, 7, 255, 256, 257, 1000 }) {
            Recording recording = new Recording();
            recording.reader = new RequestReader(recording, MAX_LINE, 8192);
            for (int at = 0; at < text.length(); at += piece) {
                recording.reader.read(bytes(text.substring(at, Math.min(text.length(), at + piece))));
            }
            assertThat(recording.heads).hasSize(2);
            assertThat(recording.heads.get(0).count()).isEqualTo(61);
            assertThat(recording.heads.get(0).header("x-line-59")).isEqualTo("v".repeat(59));
            if (whole == null) {
                whole = recording.summary();
            }
            assertThat(recording.summary()).as("in pieces of %d", piece).isEqualTo(whole);
        }
        assertAllGivenBack();
    }

    @Test
    void nothingAfterARefusalIsRead() {
        Recording request = read("GET /x HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\nGET /y HTTP/1.1\r\n\r\n");
        assertThat(request.heads).isEmpty();
        assertThat(request.malformed).isNotNull();
    }

    @Test
    void suspendedReadingKeepsTheRestUntilResumed() {
        Recording recording = new Recording();
        recording.suspendAtEnd = true;
        recording.reader = new RequestReader(recording, MAX_LINE, MAX_HEAD);
        recording.reader.read(bytes("GET /one HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 4\r\n\r\nab"));
        assertThat(recording.summary()).isEqualTo("GET /one 1.1 keep-alive length=0 [] no error");
        recording.reader.read(bytes("cdGET /three HTTP/1.1\r\n\r\n"));
        assertThat(recording.summary()).as("a read while suspended is kept too")
                .isEqualTo("GET /one 1.1 keep-alive length=0 [] no error");
        recording.reader.resume();
        assertThat(recording.summary())
                .isEqualTo("GET /one 1.1 keep-alive length=0 [] POST /two 1.1 keep-alive length=4 [abcd] no error");
        recording.reader.resume();
        assertThat(recording.summary()).endsWith("GET /three 1.1 keep-alive length=0 [] no error");
        assertAllGivenBack();
    }

    @Test
    void whatIsKeptIsGivenBackWhenTheConnectionGoes() {
        Recording recording = new Recording();
        recording.suspendAtEnd = true;
        recording.reader = new RequestReader(recording, MAX_LINE, MAX_HEAD);
        recording.reader.read(bytes("GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\n"));
        recording.reader.discard();
        assertAllGivenBack();
    }

    @Test
    void mutatedRequestsAreReadOrRefusedAndNothingElse() {
        String[] valid = { "GET /api/x?q=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n",
                "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
                "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e=v\r\nhello\r\n0\r\nT: t\r\n\r\n" };
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder request = new StringBuilder(valid[random.nextInt(valid.length)]);
            for (int mutations = 1 + random.nextInt(3); mutations > 0; mutations--) {
                int at = random.nextInt(request.length());
                switch (random.nextInt(3)) {
                    case 0 -> request.setCharAt(at, (char) random.nextInt(256));
                    case 1 -> request.deleteCharAt(at);
                    default -> request.insert(at, request.charAt(at));
                }
            }
            String text = request.toString();
            int split = random.nextInt(text.length() + 1);
            Recording recording = feed(text.substring(0, split), text.substring(split));
            if (recording.malformed != null) {
                assertThat(recording.malformed.getMessage()).as(text).startsWith("the request");
            }
            assertAllGivenBack();
        }
    }
}
