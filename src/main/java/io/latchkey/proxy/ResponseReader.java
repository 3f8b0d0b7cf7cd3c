package io.latchkey.proxy;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Reads HTTP/1.1 answers from the bytes of one upstream connection, in place: the head is copied once and parsed
 * where it lies into a {@link ResponseHead}; the body is handed on as the buffers it arrived in, or slices of them,
 * framed by its Content-Length, its chunked coding or the connection's end (RFC 9112, section 6). Netty's HTTP codec
 * did this before, building an object per header name and value and a message per piece of body; README.md
 * (Performance) has what replacing it saved per request.
 * <p>
 * Where an answer could be read two ways it is refused: both Content-Length and Transfer-Encoding, differing lengths,
 * obsolete line folding, white space before a header's colon, control characters in a header. So are bytes that no
 * request asked for. A refused answer breaks the connection: nothing after it is read. Confined to the connection's
 * event loop.
 */
final class ResponseReader {

    /** What the reader found; called while a read is handled, with buffers lent for the call only. */
    interface Listener {

        /** The head of the answer; informational (1xx) heads are skipped, never reported. */
        void head(ResponseHead head);

        /**
         * A piece of the body, lent for the call: retain its bytes to keep them. {@code last} marks the end of the
         * answer, with the body's last bytes or none. The buffer may be the read buffer itself; its readable bytes
         * are the piece, and the reader does not look at it again.
         */
        void body(ByteBuf chunk, boolean last);

        /** The answer cannot be read safely; the connection's framing cannot be trusted any more. */
        void malformed(DecoderException cause);
    }

    static final int MAX_STATUS_LINE = 16 * 1024;
    /** The status line and headers together; trailers of a chunked body have the same limit. */
    static final int MAX_HEAD = 80 * 1024;
    static final int MAX_CHUNK_SIZE_LINE = 4 * 1024;

    private static final byte[] PREFIX = { 'H', 'T', 'T', 'P', '/', '1', '.' };
    /** tchar (RFC 9110, 5.6.2), by byte value. */
    private static final boolean[] TOKEN = new boolean[256];
    /** Field content (RFC 9110, 5.5) by byte value: visible characters, obs-text, space and tab. */
    private static final boolean[] FIELD_CONTENT = new boolean[256];

    static {
        for (int b = 0; b < 256; b++) {
            TOKEN[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
            FIELD_CONTENT[b] = b == '\t' || (b >= 0x20 && b != 0x7f);
        }
    }

    private enum State {
        /** No request is waiting for an answer: any byte is one nobody asked for. */
        IDLE,
        HEAD,
        LENGTH,
        UNTIL_CLOSE,
        CHUNK_SIZE,
        CHUNK_EXTENSION,
        CHUNK_SIZE_LF,
        CHUNK_DATA,
        CHUNK_DATA_CR,
        CHUNK_DATA_LF,
        TRAILERS,
        BROKEN
    }

    private final Listener listener;
    private State state = State.IDLE;
    private boolean answersHeadRequest;
    /** Body bytes still to come: of the Content-Length, or of the current chunk. */
    private long remaining;

    // The head being looked for: the part of it read so far, where its lines end.
    private byte[] partialHead;
    private int partialLength;
    private int headSeen;
    /** Positions of the head's line feeds, from the head's first byte; reused from head to head. */
    private int[] lineEnds = new int[32];
    private int lines;
    // A chunk-size line being read.
    private int chunkLineLength;
    private boolean sawChunkDigit;

    // The trailer section being read: its size so far, the current line's.
    private int trailerBytes;
    private int lineLength;
    private byte lastByte;

    ResponseReader(Listener listener) {
        this.listener = listener;
    }

    /** A request is on its way: what comes next is its answer. */
    void expectAnswer(boolean toHeadRequest) {
        if (state == State.BROKEN) {
            return;
        }
        answersHeadRequest = toHeadRequest;
        startHead();
    }

    /** Reads what arrived, and gives the buffer back. */
    void read(ByteBuf in) {
        try {
            while (in.isReadable()) {
                switch (state) {
                    case IDLE -> throw new DecoderException("the upstream sent bytes no request asked for");
                    case BROKEN -> {
                        return;
                    }
                    case HEAD -> readHead(in);
                    case LENGTH -> {
                        if (readLength(in)) {
                            return;
                        }
                    }
                    case UNTIL_CLOSE -> {
                        listener.body(in, false);
                        return;
                    }
                    case CHUNK_DATA -> readChunkData(in);
                    case TRAILERS -> readTrailers(in);
                    default -> readChunkLine(in);
                }
            }
        } catch (DecoderException malformed) {
            state = State.BROKEN;
            partialHead = null;
            listener.malformed(malformed);
        } finally {
            in.release();
        }
    }

    /**
     * The connection closed. An answer whose body runs until the connection's end is complete now, and reported so;
     * returns whether one was.
     */
    boolean closed() {
        if (state != State.UNTIL_CLOSE) {
            return false;
        }
        state = State.IDLE;
        listener.body(Unpooled.EMPTY_BUFFER, true);
        return true;
    }

    // ---- the head

    private void startHead() {
        state = State.HEAD;
        partialHead = null;
        partialLength = 0;
        headSeen = 0;
        lines = 0;
    }

    /**
     * Looks for the blank line that ends the head, from line feed to line feed, noting where each line ends; checks
     * the status line's start and the limits on the way. A head split over reads is kept until its end arrives.
     */
    private void readHead(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        for (int i = start; i < end && headSeen + i - start < PREFIX.length; i++) {
            if (in.getByte(i) != PREFIX[headSeen + i - start]) {
                throw new DecoderException("the upstream's answer does not start with HTTP/1.x");
            }
        }
        int from = start;
        while (true) {
            int lineFeed = in.indexOf(from, end, (byte) '\n');
            if (lineFeed < 0) {
                int seen = headSeen + end - start;
                if (lines == 0 && seen > MAX_STATUS_LINE) {
                    throw new TooLongFrameException(
                            "the upstream's status line is longer than " + MAX_STATUS_LINE + " bytes");
                }
                if (seen > MAX_HEAD) {
                    throw new TooLongFrameException(
                            "the upstream's answer head is larger than " + MAX_HEAD + " bytes");
                }
                append(in, start, end - start);
                headSeen = seen;
                in.skipBytes(end - start);
                return;
            }
            int position = headSeen + lineFeed - start;
            int lineStart = lines == 0 ? 0 : lineEnds[lines - 1] + 1;
            if (lines == 0 && position > MAX_STATUS_LINE) {
                throw new TooLongFrameException(
                        "the upstream's status line is longer than " + MAX_STATUS_LINE + " bytes");
            }
            if (position >= MAX_HEAD) {
                throw new TooLongFrameException("the upstream's answer head is larger than " + MAX_HEAD + " bytes");
            }
            if (lines == lineEnds.length) {
                lineEnds = Arrays.copyOf(lineEnds, lines * 2);
            }
            lineEnds[lines++] = position;
            int lineLength = position - lineStart;
            boolean blank = lineLength == 0
                    || (lineLength == 1
                            && (lineFeed > start ? in.getByte(lineFeed - 1) : partialHead[partialLength - 1]) == '\r');
            if (blank && lines > 1) {
                int length = lineFeed + 1 - start;
                byte[] head;
                if (partialHead == null) {
                    head = new byte[length];
                    in.getBytes(start, head);
                } else {
                    append(in, start, length);
                    head = partialHead;
                }
                in.skipBytes(length);
                parseHead(head);
                return;
            }
            from = lineFeed + 1;
        }
    }

    private void append(ByteBuf in, int from, int length) {
        if (partialHead == null) {
            partialHead = new byte[Math.max(1024, length * 2)];
        } else if (partialLength + length > partialHead.length) {
            partialHead = Arrays.copyOf(partialHead, Math.max(partialHead.length * 2, partialLength + length));
        }
        in.getBytes(from, partialHead, partialLength, length);
        partialLength += length;
    }

    /** Parses a whole head (its lines end where {@link #lineEnds} says) and sets up the body's framing. */
    private void parseHead(byte[] h) {
        partialHead = null;
        int lineEnd = lineEnds[0];
        int statusEnd = contentEnd(h, 0, lineEnd);
        // "HTTP/1.x SP 3DIGIT [SP reason]"
        if (statusEnd < 12 || (h[7] != '1' && h[7] != '0') || h[8] != ' ' || !isDigit(h[9]) || !isDigit(h[10])
                || !isDigit(h[11]) || (statusEnd > 12 && h[12] != ' ')) {
            throw new DecoderException("the upstream's status line is malformed");
        }
        boolean http10 = h[7] == '0';
        int status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
        int reasonStart = Math.min(13, statusEnd);
        checkFieldContent(h, reasonStart, statusEnd, "the reason phrase");
        if (status < 100) {
            throw new DecoderException("the upstream's status code is below 100");
        }
        if (status == 101) {
            // Upgrade is a hop-by-hop header Latchkey strips, so no request asked to switch protocols.
            throw new DecoderException("the upstream switched protocols unasked");
        }

        int[] fields = new int[32];
        int count = 0;
        long contentLength = -1;
        boolean transferCoded = false;
        boolean chunkedLast = false;
        boolean close = false;
        boolean keepAliveToken = false;
        int headerLines = lines - 1;
        for (int line = 1; line < headerLines; line++) {
            int lineStart = lineEnds[line - 1] + 1;
            lineEnd = lineEnds[line];
            int end = contentEnd(h, lineStart, lineEnd);
            if (h[lineStart] == ' ' || h[lineStart] == '\t') {
                throw new DecoderException("the upstream's answer uses obsolete line folding");
            }
            int colon = lineStart;
            while (colon < end && h[colon] != ':') {
                if (!TOKEN[h[colon] & 0xff]) {
                    throw new DecoderException("the upstream's answer has a malformed header name");
                }
                colon++;
            }
            if (colon == end || colon == lineStart) {
                throw new DecoderException("the upstream's answer has a header line without a name and colon");
            }
            int valueStart = colon + 1;
            while (valueStart < end && (h[valueStart] == ' ' || h[valueStart] == '\t')) {
                valueStart++;
            }
            int valueEnd = end;
            while (valueEnd > valueStart && (h[valueEnd - 1] == ' ' || h[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            checkFieldContent(h, valueStart, valueEnd, "a header value");
            if (count * 4 == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            int at = count * 4;
            fields[at] = lineStart;
            fields[at + 1] = colon;
            fields[at + 2] = valueStart;
            fields[at + 3] = valueEnd;
            count++;
            int nameLength = colon - lineStart;
            if (nameLength == 14 && nameIs(h, lineStart, "content-length")) {
                contentLength = contentLength(h, valueStart, valueEnd, contentLength);
            } else if (nameLength == 17 && nameIs(h, lineStart, "transfer-encoding")) {
                transferCoded = true;
                chunkedLast = lastTokenIs(h, valueStart, valueEnd, "chunked");
            } else if (nameLength == 10 && nameIs(h, lineStart, "connection")) {
                // Nearly always the one word; a list is taken apart.
                if (valueEnd - valueStart == 10 && nameIs(h, valueStart, "keep-alive")) {
                    keepAliveToken = true;
                } else if (valueEnd - valueStart == 5 && nameIs(h, valueStart, "close")) {
                    close = true;
                } else {
                    close |= hasToken(h, valueStart, valueEnd, "close");
                    keepAliveToken |= hasToken(h, valueStart, valueEnd, "keep-alive");
                }
            }
        }

        if (status < 200) {
            // Informational: no body, and the real answer follows.
            startHead();
            return;
        }
        boolean keepAlive = !close && (!http10 || keepAliveToken);
        boolean bodiless = answersHeadRequest || status == 204 || status == 304;
        if (!bodiless && transferCoded && contentLength >= 0) {
            throw new DecoderException("the upstream's answer has both Content-Length and Transfer-Encoding");
        }
        State body;
        if (bodiless) {
            body = State.IDLE;
        } else if (transferCoded) {
            body = chunkedLast ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            body = contentLength == 0 ? State.IDLE : State.LENGTH;
        } else {
            body = State.UNTIL_CLOSE;
        }
        if (body == State.UNTIL_CLOSE) {
            keepAlive = false;
        }
        remaining = contentLength;
        state = body;
        if (body == State.CHUNK_SIZE) {
            startChunkLine();
        }
        listener.head(new ResponseHead(h, status, reasonStart, statusEnd, fields, count, keepAlive));
        if (body == State.IDLE) {
            listener.body(Unpooled.EMPTY_BUFFER, true);
        }
    }

    /** A Content-Length value: digits, or a list of equal ones; equal to any seen before. */
    private static long contentLength(byte[] h, int start, int end, long before) {
        long value = -1;
        int i = start;
        while (true) {
            long element = 0;
            int digits = 0;
            while (i < end && isDigit(h[i])) {
                if (++digits > 18) {
                    throw new DecoderException("the upstream's Content-Length is too large");
                }
                element = element * 10 + (h[i++] - '0');
            }
            if (digits == 0 || (value >= 0 && element != value)) {
                throw new DecoderException("the upstream's Content-Length is malformed");
            }
            value = element;
            while (i < end && (h[i] == ' ' || h[i] == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            if (h[i++] != ',') {
                throw new DecoderException("the upstream's Content-Length is malformed");
            }
            while (i < end && (h[i] == ' ' || h[i] == '\t')) {
                i++;
            }
        }
        if (before >= 0 && before != value) {
            throw new DecoderException("the upstream's answer has differing Content-Length values");
        }
        return value;
    }

    // ---- the body

    /** Returns whether the rest of {@code in} went to the listener as it is: then it is not read any further. */
    private boolean readLength(ByteBuf in) {
        int length = (int) Math.min(remaining, in.readableBytes());
        remaining -= length;
        boolean last = remaining == 0;
        if (last) {
            state = State.IDLE;
        }
        if (length == in.readableBytes()) {
            // The common case, the body to the end of the read: handed on without a slice.
            listener.body(in, last);
            return true;
        }
        listener.body(in.readSlice(length), last);
        return false;
    }

    private void startChunkLine() {
        remaining = 0;
        chunkLineLength = 0;
        sawChunkDigit = false;
    }

    /** The chunk-size line (with any extension, which is ignored), and the line end after a chunk's data. */
    private void readChunkLine(ByteBuf in) {
        while (in.isReadable() && state != State.CHUNK_DATA && state != State.TRAILERS) {
            byte b = in.readByte();
            if (++chunkLineLength > MAX_CHUNK_SIZE_LINE) {
                throw new TooLongFrameException("the upstream's chunk-size line is longer than "
                        + MAX_CHUNK_SIZE_LINE + " bytes");
            }
            switch (state) {
                case CHUNK_SIZE -> {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        if (remaining > (Long.MAX_VALUE >> 8)) {
                            throw new DecoderException("the upstream's chunk size is too large");
                        }
                        remaining = remaining * 16 + digit;
                        sawChunkDigit = true;
                    } else if (!sawChunkDigit) {
                        throw new DecoderException("the upstream's chunk size is malformed");
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = State.CHUNK_EXTENSION;
                    } else {
                        chunkSizeLineEnd(b);
                    }
                }
                case CHUNK_EXTENSION -> {
                    if (b == '\r' || b == '\n') {
                        chunkSizeLineEnd(b);
                    } else if (isControl(b) && b != '\t') {
                        throw new DecoderException("the upstream's chunk extension is malformed");
                    }
                }
                case CHUNK_SIZE_LF -> {
                    if (b != '\n') {
                        throw new DecoderException("the upstream's chunk-size line is malformed");
                    }
                    chunkSizeRead();
                }
                case CHUNK_DATA_CR -> {
                    if (b == '\r') {
                        state = State.CHUNK_DATA_LF;
                    } else if (b == '\n') {
                        state = State.CHUNK_SIZE;
                        startChunkLine();
                    } else {
                        throw new DecoderException("the upstream's chunk is longer than its size");
                    }
                }
                case CHUNK_DATA_LF -> {
                    if (b != '\n') {
                        throw new DecoderException("the upstream's chunk is longer than its size");
                    }
                    state = State.CHUNK_SIZE;
                    startChunkLine();
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void chunkSizeLineEnd(byte b) {
        if (b == '\r') {
            state = State.CHUNK_SIZE_LF;
        } else if (b == '\n') {
            chunkSizeRead();
        } else {
            throw new DecoderException("the upstream's chunk size is malformed");
        }
    }

    private void chunkSizeRead() {
        if (remaining == 0) {
            state = State.TRAILERS;
            trailerBytes = 0;
            lineLength = 0;
            lastByte = 0;
        } else {
            state = State.CHUNK_DATA;
        }
    }

    private void readChunkData(ByteBuf in) {
        int length = (int) Math.min(remaining, in.readableBytes());
        remaining -= length;
        if (remaining == 0) {
            state = State.CHUNK_DATA_CR;
            chunkLineLength = 0;
        }
        listener.body(in.readSlice(length), false);
    }

    /** The trailer section after the last chunk, up to its blank line: read, bounded and dropped. */
    private void readTrailers(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (++trailerBytes > MAX_HEAD) {
                throw new TooLongFrameException("the upstream's trailers are larger than " + MAX_HEAD + " bytes");
            }
            if (b == '\n') {
                boolean blank = lineLength == 0 || (lineLength == 1 && lastByte == '\r');
                lineLength = 0;
                lastByte = b;
                if (blank) {
                    state = State.IDLE;
                    listener.body(Unpooled.EMPTY_BUFFER, true);
                    return;
                }
            } else {
                lineLength++;
                lastByte = b;
            }
        }
    }

    // ---- bytes

    /**
     * Where a line's content ends: before its CR LF or its bare LF. Any other CR is refused where the content is
     * checked: it is neither a token character nor field content.
     */
    private static int contentEnd(byte[] h, int start, int lineFeed) {
        return lineFeed > start && h[lineFeed - 1] == '\r' ? lineFeed - 1 : lineFeed;
    }

    /** Field content (RFC 9110, 5.5): visible characters, obs-text, space and tab; no other control character. */
    private static void checkFieldContent(byte[] h, int start, int end, String what) {
        for (int i = start; i < end; i++) {
            if (!FIELD_CONTENT[h[i] & 0xff]) {
                throw new DecoderException("the upstream's answer has a control character in " + what);
            }
        }
    }

    private static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20) || b == 0x7f;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** Whether the bytes at {@code start} are {@code lowerCase} in any case; the length is checked by the caller. */
    private static boolean nameIs(byte[] h, int start, String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            int b = h[start + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a comma-separated list holds {@code lowerCase} as one of its elements, in any case. */
    private static boolean hasToken(byte[] h, int start, int end, String lowerCase) {
        int i = start;
        while (i < end) {
            int elementEnd = i;
            while (elementEnd < end && h[elementEnd] != ',') {
                elementEnd++;
            }
            if (elementIs(h, i, elementEnd, lowerCase)) {
                return true;
            }
            i = elementEnd + 1;
        }
        return false;
    }

    /** Whether the last element of a comma-separated list is {@code lowerCase}, in any case. */
    private static boolean lastTokenIs(byte[] h, int start, int end, String lowerCase) {
        int elementStart = end;
        while (elementStart > start && h[elementStart - 1] != ',') {
            elementStart--;
        }
        return elementIs(h, elementStart, end, lowerCase);
    }

    private static boolean elementIs(byte[] h, int start, int end, String lowerCase) {
        while (start < end && (h[start] == ' ' || h[start] == '\t')) {
            start++;
        }
        while (end > start && (h[end - 1] == ' ' || h[end - 1] == '\t')) {
            end--;
        }
        return end - start == lowerCase.length() && nameIs(h, start, lowerCase);
    }
}
