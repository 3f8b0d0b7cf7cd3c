package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * The upstream answer reader on scripted bytes: every answer is also fed split at every byte and one byte at a time,
 * as TCP may deliver it, and must read the same; every read buffer must be given back.
 */
class ResponseReaderTest {

    /** What the reader reported, as text: heads, body bytes, the end, and a refusal. */
    static final class Recording implements ResponseReader.Listener {
        final List<ResponseHead> heads = new ArrayList<>();
        final StringBuilder body = new StringBuilder();
        int ends;
        DecoderException malformed;
        /** The reader that reported here, for what a test does after the bytes (closing the connection). */
        ResponseReader reader;

        @Override
        public void head(ResponseHead head) {
            heads.add(head);
        }

        @Override
        public void body(ByteBuf chunk, boolean last) {
            assertThat(ends).as("nothing after the end").isZero();
            body.append(chunk.toString(StandardCharsets.ISO_8859_1));
            if (last) {
                ends++;
            }
        }

        @Override
        public void malformed(DecoderException cause) {
            malformed = cause;
        }

        String summary() {
            return heads.size() + " heads, body [" + body + "], " + ends + " ends, "
                    + (malformed == null ? "no error" : malformed.getMessage());
        }
    }

    private static final List<ByteBuf> FED = new ArrayList<>();

    private static ByteBuf bytes(String text) {
        ByteBuf buffer = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        FED.add(buffer);
        return buffer;
    }

    /** Reads the answer in one piece, split at every byte, and byte by byte; all three must agree. */
    private static Recording read(String answer, boolean toHead) {
        Recording whole = feed(toHead, answer);
        for (int split = 1; split < answer.length(); split++) {
            Recording halves = feed(toHead, answer.substring(0, split), answer.substring(split));
            assertThat(halves.summary()).as("split at %d", split).isEqualTo(whole.summary());
        }
        Recording single = feed(toHead, answer.split(""));
        assertThat(single.summary()).as("byte by byte").isEqualTo(whole.summary());
        for (ByteBuf fed : FED) {
            assertThat(fed.refCnt()).as("every read buffer is given back").isZero();
        }
        FED.clear();
        return whole;
    }

    private static Recording read(String answer) {
        return read(answer, false);
    }

    private static Recording feed(boolean toHead, String... pieces) {
        Recording recording = new Recording();
        recording.reader = new ResponseReader(recording);
        recording.reader.expectAnswer(toHead);
        for (String piece : pieces) {
            recording.reader.read(bytes(piece));
        }
        return recording;
    }

    private static Map<String, String> headers(ResponseHead head) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (Map.Entry<CharSequence, CharSequence> header : head.headers()) {
            headers.put(header.getKey().toString(), header.getValue().toString());
        }
        return headers;
    }

    @Test
    void answerWithALengthIsReadToItsLengthAndKeepsTheConnection() {
        Recording answer = read("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(answer.summary()).isEqualTo("1 heads, body [hello], 1 ends, no error");
        ResponseHead head = answer.heads.get(0);
        assertThat(head.status).isEqualTo(200);
        assertThat(head.reason()).isEqualTo("OK");
        assertThat(head.reasonIs("OK")).isTrue();
        assertThat(head.keepAlive).isTrue();
        assertThat(headers(head)).containsExactly(Map.entry("Content-Type", "text/plain"),
                Map.entry("Content-Length", "5"));
        assertThat(head.header("content-type")).isEqualTo("text/plain");
        assertThat(head.header("X-Absent")).isNull();
    }

    @Test
    void headerValuesAreTrimmedAndKeepTheirInnerSpaces() {
        ResponseHead head = read("HTTP/1.1 200 OK\r\nX-Note: \t two  words \t\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n").heads
                .get(0);
        assertThat(headers(head)).containsExactly(Map.entry("X-Note", "two  words"), Map.entry("X-Empty", ""),
                Map.entry("Content-Length", "0"));
    }

    @Test
    void headerLinesAreWrittenOnAsNameColonSpaceValueWhicheverWayTheyArrived() {
        String lines = "Server: nginx\r\nDate: Sat, 28 Nov 2026 08:00:00 GMT\r\nConnection: keep-alive\r\n"
                + "ETag: \"5f1a\"\r\nX-Spaced:   wide  \r\nX-Tab:\tvalue\r\nX-Bare: lf\nX-Empty:\r\n"
                + "Accept-Ranges: bytes\r\nVary: Accept\r\nContent-Length: 0\r\n";
        ResponseHead head = feed(false, "HTTP/1.1 200 OK\r\n" + lines + "\r\n").heads.get(0);
        long endToEnd = head.endToEndLines(head.hopByHop());
        ByteBuf expected = Unpooled.buffer();
        for (long left = endToEnd; left != 0; left &= left - 1) {
            head.writeField(Long.numberOfTrailingZeros(left), expected);
        }
        ByteBuf written = Unpooled.buffer();

        head.writeFields(endToEnd, written);

        assertThat(written.toString(StandardCharsets.ISO_8859_1))
                .isEqualTo(expected.toString(StandardCharsets.ISO_8859_1))
                .isEqualTo("Server: nginx\r\nDate: Sat, 28 Nov 2026 08:00:00 GMT\r\nETag: \"5f1a\"\r\n"
                        + "X-Spaced: wide\r\nX-Tab: value\r\nX-Bare: lf\r\nX-Empty: \r\nAccept-Ranges: bytes\r\n"
                        + "Vary: Accept\r\nContent-Length: 0\r\n");
        // Lines chosen one by one: the first and the last, apart.
        written.clear();
        head.writeFields(1L | 1L << 10, written);
        assertThat(written.toString(StandardCharsets.ISO_8859_1)).isEqualTo("Server: nginx\r\nContent-Length: 0\r\n");
        // Every choice of lines, hop-by-hop ones too: the same bytes as line by line.
        for (long chosen = 0; chosen < 1L << head.count(); chosen++) {
            assertWrittenAsLineByLine(head, chosen);
        }
        FED.clear();
    }

    @Test
    void sixtyFourLinesAreCopiedToTheLastOne() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            lines.append(i == 0 ? "X-Line-0:  first\r\n" : "X-Line-" + i + ": " + i + "\r\n");
        }
        ResponseHead head = feed(false, "HTTP/1.1 200 OK\r\n" + lines + "\r\n").heads.get(0);
        assertThat(head.count()).isEqualTo(64);
        assertWrittenAsLineByLine(head, -1L);
        assertWrittenAsLineByLine(head, -1L << 1);
        assertWrittenAsLineByLine(head, 1L << 63 | 1L << 62 | 1L);
        FED.clear();
    }

    private static void assertWrittenAsLineByLine(MessageHead head, long chosen) {
        ByteBuf expected = Unpooled.buffer();
        for (long left = chosen; left != 0; left &= left - 1) {
            head.writeField(Long.numberOfTrailingZeros(left), expected);
        }
        ByteBuf written = Unpooled.buffer();
        head.writeFields(chosen, written);
        assertThat(written.toString(StandardCharsets.ISO_8859_1)).as("lines %x", chosen)
                .isEqualTo(expected.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void chunkedAnswerIsDecodedWithExtensionsAndTrailersDropped() {
        Recording answer = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n" + "A\t; e = \"a\tb\"\r\n, world!!!\r\n" + "0 \r\nX-Trailer: t\r\n\r\n");
        assertThat(answer.summary()).isEqualTo("1 heads, body [hello, world!!!], 1 ends, no error");
        assertThat(answer.heads.get(0).keepAlive).isTrue();
    }

    @Test
    void chunkedCodingAfterAnotherIsStillChunked() {
        assertThat(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n").summary())
                .isEqualTo("1 heads, body [ab], 1 ends, no error");
    }

    @Test
    void bodyWithoutFramingRunsUntilTheConnectionCloses() {
        Recording answer = read("HTTP/1.1 200 OK\r\n\r\nstreamed");
        assertThat(answer.summary()).isEqualTo("1 heads, body [streamed], 0 ends, no error");
        assertThat(answer.heads.get(0).keepAlive).isFalse();

        Recording closed = feed(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz");
        assertThat(closed.reader.closed()).isTrue();
        assertThat(closed.summary()).isEqualTo("1 heads, body [zz], 1 ends, no error");
    }

    @Test
    void answerCutShortIsNotCompletedByTheClose() {
        Recording cut = feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhalf");
        assertThat(cut.reader.closed()).isFalse();
        assertThat(cut.summary()).isEqualTo("1 heads, body [half], 0 ends, no error");
    }

    @Test
    void informationalHeadsAreSkipped() {
        Recording answer = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
        assertThat(answer.summary()).isEqualTo("1 heads, body [ok], 1 ends, no error");
        assertThat(answer.heads.get(0).status).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(ints = { 204, 304 })
    void answersWithoutABodyEndAtTheirHead(int status) {
        assertThat(read("HTTP/1.1 " + status + " X\r\nContent-Length: 10\r\n\r\n").summary())
                .isEqualTo("1 heads, body [], 1 ends, no error");
    }

    @Test
    void answerToAHeadRequestHasNoBodyWhateverItsLength() {
        assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true).summary())
                .isEqualTo("1 heads, body [], 1 ends, no error");
    }

    @Test
    void connectionPersistsAsHttp11AndHttp10Say() {
        assertThat(read("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n").heads
                .get(0).keepAlive).isFalse();
        assertThat(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").heads.get(0).keepAlive).isFalse();
        assertThat(read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").heads.get(0).keepAlive)
                .isTrue();
    }

    @Test
    void bareLineFeedsAndAMissingReasonAreAccepted() {
        Recording answer = read("HTTP/1.1 200\nContent-Length: 2\n\nok");
        assertThat(answer.summary()).isEqualTo("1 heads, body [ok], 1 ends, no error");
        assertThat(answer.heads.get(0).reason()).isEmpty();
    }

    @Test
    void equalContentLengthsAreOneLength() {
        assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok").summary())
                .isEqualTo("1 heads, body [ok], 1 ends, no error");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!",
            "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!",
            "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0x2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
            "NOT HTTP AT ALL\r\n\r\n",
            "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\rX\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;e=\u0001\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;e\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000000\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nforged!",
    })
    void answersThatCouldBeReadTwoWaysAreRefused(String answer) {
        Recording refused = read(answer);
        assertThat(refused.malformed).as(refused.summary()).isNotNull();
        assertThat(refused.malformed.getMessage()).startsWith("the upstream");
    }

    @Test
    void nothingIsReadAfterARefusal() {
        Recording refused = new Recording();
        ResponseReader reader = new ResponseReader(refused);
        reader.expectAnswer(false);
        reader.read(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nA : b\r\n\r\n", StandardCharsets.US_ASCII));
        reader.expectAnswer(false);
        ByteBuf after = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII);
        reader.read(after);
        assertThat(refused.heads).isEmpty();
        assertThat(after.refCnt()).isZero();
    }

    @Test
    void bytesBeforeAnyRequestAreRefused() {
        Recording unasked = new Recording();
        new ResponseReader(unasked).read(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(unasked.malformed).hasMessageContaining("no request asked for");
    }

    @Test
    void headsAndLinesBeyondTheLimitsAreRefused() {
        String longValue = "v".repeat(ResponseReader.MAX_HEAD);
        Recording tooLarge = feed(false, "HTTP/1.1 200 OK\r\nX-Big: " + longValue.substring(0, 40_000),
                longValue.substring(40_000) + "\r\n\r\n");
        assertThat(tooLarge.malformed).isInstanceOf(TooLongFrameException.class);

        Recording longStatus = feed(false, "HTTP/1.1 200 " + "r".repeat(ResponseReader.MAX_STATUS_LINE));
        assertThat(longStatus.malformed).isInstanceOf(TooLongFrameException.class);

        Recording longChunkLine = feed(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;"
                + "e".repeat(ResponseReader.MAX_CHUNK_SIZE_LINE));
        assertThat(longChunkLine.malformed).isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void largestHeadWithinTheLimitIsRead() {
        String prefix = "HTTP/1.1 200 OK\r\nX-Big: ";
        String suffix = "\r\nContent-Length: 0\r\n\r\n";
        String value = "v".repeat(ResponseReader.MAX_HEAD - prefix.length() - suffix.length());
        Recording answer = feed(false, prefix + value.substring(0, 1000), value.substring(1000) + suffix);
        assertThat(answer.summary()).isEqualTo("1 heads, body [], 1 ends, no error");
        assertThat(answer.heads.get(0).header("x-big")).hasSize(value.length());
    }

    /**
     * Seeded mutations of valid answers (bytes flipped, dropped, doubled, split at random points): whatever arrives,
     * the reader reports a head, body and end, or a refusal, and nothing else; it never throws, and gives back every
     * buffer.
     */
    @Test
    void mutatedAnswersAreReadOrRefusedAndNothingElse() {
        String[] valid = {
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n",
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end" };
        java.util.Random random = new java.util.Random(20261127);
        byte[] alphabet = "HTP/1.0 2\r\n:;,-aZ \t\u0000\u007f\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 20_000; round++) {
            byte[] answer = valid[random.nextInt(valid.length)].getBytes(StandardCharsets.ISO_8859_1);
            java.io.ByteArrayOutputStream mutated = new java.io.ByteArrayOutputStream();
            for (byte b : answer) {
                int dice = random.nextInt(100);
                if (dice == 0) {
                    continue; // dropped
                }
                mutated.write(dice == 1 ? alphabet[random.nextInt(alphabet.length)] : b);
                if (dice == 2) {
                    mutated.write(b); // doubled
                }
            }
            byte[] bytes = mutated.toByteArray();
            Recording recording = new Recording();
            ResponseReader reader = new ResponseReader(recording);
            reader.expectAnswer(random.nextInt(10) == 0);
            List<ByteBuf> pieces = new ArrayList<>();
            int at = 0;
            while (at < bytes.length) {
                int length = Math.min(bytes.length - at, 1 + random.nextInt(12));
                ByteBuf piece = Unpooled.wrappedBuffer(bytes, at, length);
                pieces.add(piece);
                reader.read(piece);
                at += length;
            }
            reader.closed();
            String context = new String(bytes, StandardCharsets.ISO_8859_1);
            assertThat(pieces).as(context).allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
            assertThat(recording.heads.size()).as(context).isLessThanOrEqualTo(1);
            assertThat(recording.ends).as(context).isLessThanOrEqualTo(recording.heads.size());
            if (recording.malformed != null) {
                assertThat(recording.malformed.getMessage()).as(context).startsWith("the upstream");
            }
        }
    }
}
