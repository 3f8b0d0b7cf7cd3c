package io.latchkey.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Reads HTTP/1.1 messages from the bytes of one connection, in place (RFC 9112): the head is copied once and parsed
 * where it lies; the body is handed on as the buffers it arrived in, or slices of them, framed by its Content-Length,
 * its chunked coding or the connection's end. Netty's HTTP codec did this before, building an object per header name
 * and value and a message per piece of body; README.md (Performance) has what replacing it saved per request.
 * <p>
 * What can be read two ways is refused: obsolete line folding, white space before a header's colon, control
 * characters in a header, differing lengths, malformed chunks. A refused message breaks the connection: nothing
 * after it is read. The start line and the choice of framing differ between requests and answers, and are the
 * subclasses' ({@link RequestReader}, {@link ResponseReader}). Confined to the connection's event loop.
 *
 * @param <H> the head a message's start line and headers are read into
 */
abstract class MessageReader<H> {

    /** What the reader found; called while a read is handled, with buffers lent for the call only. */
    interface Listener<H> {

        /** The head of a message (an answer's informational heads are skipped, never reported). */
        void head(H head);

        /**
         * A piece of the body, lent for the call: retain its bytes to keep them. {@code last} marks the end of the
         * message, with the body's last bytes or none. The buffer may be the read buffer itself; its readable bytes
         * are the piece, and the reader does not look at it again.
         */
        void body(ByteBuf chunk, boolean last);

        /** The message cannot be read safely; the connection's framing cannot be trusted any more. */
        void malformed(DecoderException cause);
    }

    static final int MAX_CHUNK_SIZE_LINE = 4 * 1024;

    /** tchar (RFC 9110, 5.6.2), by byte value. */
    static final boolean[] TOKEN = new boolean[256];
    /** Field content (RFC 9110, 5.5) by byte value: visible characters, obs-text, space and tab. */
    private static final boolean[] FIELD_CONTENT = new boolean[256];
    /** Eight bytes of a head at once, in the order they lie (any order would do for the checks that use it). */
    private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    static {
        for (int b = 0; b < 256; b++) {
            TOKEN[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
            FIELD_CONTENT[b] = b == '\t' || (b >= 0x20 && b != 0x7f);
        }
    }

    enum State {
        /** Between messages: what a byte means here is the subclass's to say. */
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

    final Listener<H> listener;
    /** "the upstream's answer", "the request": how refusals name the message. */
    private final String subject;
    /** "the upstream's", "the request's": how refusals name a part of the message. */
    private final String owner;
    private final String startLineName;
    private final int maxStartLine;
    /** The start line and headers together; trailers of a chunked body have the same limit. */
    private final int maxHead;

    State state = State.IDLE;
    /** Body bytes still to come: of the Content-Length, or of the current chunk. */
    private long remaining;
    /** Set by the listener: stop reading after the current step and keep the rest until {@link #resume()}. */
    private boolean suspended;
    private ByteBuf held;

    // The head being looked for: the part of it read so far, where its lines end.
    private byte[] partialHead;
    private int partialLength;
    private int headSeen;
    /** Positions of the head's line feeds, from the head's first byte; reused from head to head. */
    private int[] lineEnds = new int[32];
    private int lines;

    // The header section just parsed (parseFields): where its fields lie, and what framing and reuse depend on.
    int[] fields;
    int fieldCount;
    long contentLength;
    /** Content-Length values seen, counting each element of a list. */
    int contentLengths;
    int transferEncodings;
    /** Whether the last Transfer-Encoding's last coding is chunked. */
    boolean chunkedLast;
    /** Whether the last Transfer-Encoding is exactly the one coding chunked. */
    boolean chunkedOnly;
    boolean closeToken;
    boolean keepAliveToken;
    boolean expectsContinue;
    /** Of the first 64 header lines, those named as one of {@link HopByHop}'s fixed set: bit n for line n. */
    long hopByHopLines;
    /** Of the first 64 header lines, the Content-Length ones: bit n for line n. */
    long contentLengthLines;
    /** Of the first 64 header lines, those that read exactly as {@link MessageHead#writeField} writes them. */
    long writtenAsIsLines;
    /** Whether a Connection line names more than keep-alive or close (then the rule is read from its values). */
    boolean connectionNamesOthers;

    // A chunk-size line being read.
    private int chunkLineLength;
    private boolean sawChunkDigit;

    // The trailer section being read: its size so far, the current line's.
    private int trailerBytes;
    private int lineLength;
    private byte lastByte;

    MessageReader(Listener<H> listener, String subject, String owner, String startLineName, int maxStartLine,
            int maxHead) {
        this.listener = listener;
        this.subject = subject;
        this.owner = owner;
        this.startLineName = startLineName;
        this.maxStartLine = maxStartLine;
        this.maxHead = maxHead;
    }

    /** Bytes arrived between messages; returns when it has consumed them or changed the state. */
    abstract void readIdle(ByteBuf in);

    /** Checks the bytes of a head's start that arrived so far ({@code seen} of them before {@code from}). */
    void checkStart(ByteBuf in, int from, int to, int seen) {
    }

    /**
     * Parses a whole head: the start line ends at {@link #lineEnd(int) lineEnd(0)}; {@link #parseFields} reads the
     * headers. Sets up the body's framing with {@link #frame} and reports the head.
     */
    abstract void parseHead(byte[] head);

    /** Reads what arrived, and gives the buffer back unless the listener suspended reading before its end. */
    final void read(ByteBuf in) {
        if (held != null) {
            // Arrived while suspended (a read already under way): kept behind what was held.
            held = Unpooled.wrappedBuffer(held, in);
            if (suspended) {
                return;
            }
            in = held;
            held = null;
        }
        // Set when the rest of the read went to the listener as it is: it is the listener's for the call, not ours.
        boolean handedOver = false;
        try {
            while (in.isReadable() && !suspended) {
                switch (state) {
                    case IDLE -> readIdle(in);
                    case BROKEN -> {
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                    case HEAD -> readHead(in);
                    case LENGTH -> {
                        if (readLength(in)) {
                            handedOver = true;
                            return;
                        }
                    }
                    case UNTIL_CLOSE -> {
                        handedOver = true;
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
            if (suspended && !handedOver && state != State.BROKEN && in.isReadable()) {
                held = in;
            } else {
                in.release();
            }
        }
    }

    /** Stops reading after the listener's current call; what is left of the read is kept. */
    final void suspend() {
        suspended = true;
    }

    final boolean suspended() {
        return suspended;
    }

    /** Whether bytes wait here to be read once reading resumes. */
    final boolean holding() {
        return held != null;
    }

    /** Reads on, starting with what was kept when reading was suspended. */
    final void resume() {
        suspended = false;
        if (held != null) {
            ByteBuf rest = held;
            held = null;
            read(rest);
        }
    }

    /** What was kept when reading was suspended, now the caller's; null when nothing was. */
    final ByteBuf takeHeld() {
        ByteBuf rest = held;
        held = null;
        return rest;
    }

    /** Gives back what was kept; the connection is gone. */
    final void discard() {
        state = State.BROKEN;
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /**
     * The connection closed. A message whose body runs until the connection's end is complete now, and reported so;
     * returns whether one was.
     */
    final boolean closed() {
        if (state != State.UNTIL_CLOSE) {
            return false;
        }
        state = State.IDLE;
        listener.body(Unpooled.EMPTY_BUFFER, true);
        return true;
    }

    /** A refusal naming the message: "the request uses ...". */
    final DecoderException refused(String what) {
        return new DecoderException(subject + " " + what);
    }

    // ---- the head

    final void startHead() {
        state = State.HEAD;
        partialHead = null;
        partialLength = 0;
        headSeen = 0;
        lines = 0;
    }

    /** Where line {@code line} of the head being parsed ends: the position of its line feed. */
    final int lineEnd(int line) {
        return lineEnds[line];
    }

    /**
     * Looks for the blank line that ends the head, from line feed to line feed, noting where each line ends; checks
     * the start line's start and the limits on the way. A head split over reads is kept until its end arrives.
     */
    private void readHead(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        checkStart(in, start, end, headSeen);
        int from = start;
        while (true) {
            int lineFeed = in.indexOf(from, end, (byte) '\n');
            if (lineFeed < 0) {
                int seen = headSeen + end - start;
                // A CR at the end may be the start line's line end: it does not count against its limit.
                checkLimits(seen - 1, seen, lines == 0);
                append(in, start, end - start);
                headSeen = seen;
                in.skipBytes(end - start);
                return;
            }
            int position = headSeen + lineFeed - start;
            int lineStart = lines == 0 ? 0 : lineEnds[lines - 1] + 1;
            boolean crBefore = position > lineStart
                    && (lineFeed > start ? in.getByte(lineFeed - 1) : partialHead[partialLength - 1]) == '\r';
            checkLimits(crBefore ? position - 1 : position, position + 1, lines == 0);
            if (lines == lineEnds.length) {
                lineEnds = Arrays.copyOf(lineEnds, lines * 2);
            }
            lineEnds[lines++] = position;
            int lineLength = position - lineStart;
            boolean blank = lineLength == 0 || (lineLength == 1 && crBefore);
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
                partialHead = null;
                parseHead(head);
                return;
            }
            from = lineFeed + 1;
        }
    }

    /**
     * @param startLineSize the start line's bytes so far, its line end excluded
     * @param headSize the head's bytes so far, a line feed just found included
     */
    private void checkLimits(int startLineSize, int headSize, boolean inStartLine) {
        if (inStartLine && startLineSize > maxStartLine) {
            throw new TooLongFrameException(startLineName + " is longer than " + maxStartLine + " bytes");
        }
        if (headSize > maxHead) {
            throw new TooLongFrameException(subject + " head is larger than " + maxHead + " bytes");
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

    /**
     * Reads the header lines of the head being parsed into {@link #fields} and notes what framing and reuse depend
     * on: Content-Length, Transfer-Encoding, Connection, Expect.
     */
    final void parseFields(byte[] h) {
        // Four positions per header line: the head's lines are known, so the array is never grown or oversized.
        int[] positions = new int[Math.max(0, lines - 2) * 4];
        int count = 0;
        contentLength = -1;
        contentLengths = 0;
        transferEncodings = 0;
        chunkedLast = false;
        chunkedOnly = false;
        closeToken = false;
        keepAliveToken = false;
        expectsContinue = false;
        long hopByHop = 0;
        long lengths = 0;
        long asIs = 0;
        connectionNamesOthers = false;
        int headerLines = lines - 1;
        for (int line = 1; line < headerLines; line++) {
            int lineStart = lineEnds[line - 1] + 1;
            int end = contentEnd(h, lineStart, lineEnds[line]);
            if (h[lineStart] == ' ' || h[lineStart] == '\t') {
                throw refused("uses obsolete line folding");
            }
            int colon = lineStart;
            while (colon < end && h[colon] != ':') {
                if (!TOKEN[h[colon] & 0xff]) {
                    throw refused("has a malformed header name");
                }
                colon++;
            }
            if (colon == end || colon == lineStart) {
                throw refused("has a header line without a name and colon");
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
            int at = count * 4;
            positions[at] = lineStart;
            positions[at + 1] = colon;
            positions[at + 2] = valueStart;
            positions[at + 3] = valueEnd;
            // Marked once here, so that copying the lines on needs no second look at their names.
            long bit = count < Long.SIZE ? 1L << count : 0;
            count++;
            int nameLength = colon - lineStart;
            if (HopByHop.isFixed(h, lineStart, nameLength)) {
                hopByHop |= bit;
            }
            // "name: value" and CR LF, as servers write lines: such lines are copied on as they are.
            if (valueStart == colon + 2 && h[colon + 1] == ' ' && valueEnd == end && end + 1 == lineEnds[line]) {
                asIs |= bit;
            }
            if (nameLength == 14 && nameIs(h, lineStart, "content-length")) {
                lengths |= bit;
                contentLength = contentLength(h, valueStart, valueEnd, contentLength);
            } else if (nameLength == 17 && nameIs(h, lineStart, "transfer-encoding")) {
                transferEncodings++;
                chunkedLast = lastTokenIs(h, valueStart, valueEnd, "chunked");
                chunkedOnly = elementIs(h, valueStart, valueEnd, "chunked");
            } else if (nameLength == 10 && nameIs(h, lineStart, "connection")) {
                // Nearly always the one word; a list is taken apart.
                if (valueEnd - valueStart == 10 && nameIs(h, valueStart, "keep-alive")) {
                    keepAliveToken = true;
                } else if (valueEnd - valueStart == 5 && nameIs(h, valueStart, "close")) {
                    closeToken = true;
                } else {
                    closeToken |= hasToken(h, valueStart, valueEnd, "close");
                    keepAliveToken |= hasToken(h, valueStart, valueEnd, "keep-alive");
                    connectionNamesOthers = true;
                }
            } else if (nameLength == 6 && nameIs(h, lineStart, "expect")) {
                expectsContinue |= elementIs(h, valueStart, valueEnd, "100-continue");
            }
        }
        fields = positions;
        fieldCount = count;
        hopByHopLines = hopByHop;
        contentLengthLines = lengths;
        writtenAsIsLines = asIs;
    }

    /** A Content-Length value: digits, or a list of equal ones; equal to any seen before. */
    private long contentLength(byte[] h, int start, int end, long before) {
        long value = -1;
        int i = start;
        while (true) {
            long element = 0;
            int digits = 0;
            while (i < end && isDigit(h[i])) {
                if (++digits > 18) {
                    throw new DecoderException(owner + " Content-Length is too large");
                }
                element = element * 10 + (h[i++] - '0');
            }
            if (digits == 0 || (value >= 0 && element != value)) {
                throw new DecoderException(owner + " Content-Length is malformed");
            }
            value = element;
            contentLengths++;
            while (i < end && (h[i] == ' ' || h[i] == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            if (h[i++] != ',') {
                throw new DecoderException(owner + " Content-Length is malformed");
            }
            while (i < end && (h[i] == ' ' || h[i] == '\t')) {
                i++;
            }
        }
        if (before >= 0 && before != value) {
            throw refused("has differing Content-Length values");
        }
        return value;
    }

    // ---- the body

    /**
     * Sets up the body's framing after a head: {@code body} is {@link State#IDLE} for none, {@link State#LENGTH}
     * ({@code length} bytes), {@link State#CHUNK_SIZE} or {@link State#UNTIL_CLOSE}.
     */
    final void frame(State body, long length) {
        remaining = length;
        state = body;
        if (body == State.CHUNK_SIZE) {
            startChunkLine();
        }
    }

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
                throw new TooLongFrameException(owner + " chunk-size line is longer than "
                        + MAX_CHUNK_SIZE_LINE + " bytes");
            }
            switch (state) {
                case CHUNK_SIZE -> {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        if (remaining > (Long.MAX_VALUE >> 8)) {
                            throw new DecoderException(owner + " chunk size is too large");
                        }
                        remaining = remaining * 16 + digit;
                        sawChunkDigit = true;
                    } else if (!sawChunkDigit) {
                        throw new DecoderException(owner + " chunk size is malformed");
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
                        throw new DecoderException(owner + " chunk extension is malformed");
                    }
                }
                case CHUNK_SIZE_LF -> {
                    if (b != '\n') {
                        throw new DecoderException(owner + " chunk-size line is malformed");
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
                        throw new DecoderException(owner + " chunk is longer than its size");
                    }
                }
                case CHUNK_DATA_LF -> {
                    if (b != '\n') {
                        throw new DecoderException(owner + " chunk is longer than its size");
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
            throw new DecoderException(owner + " chunk size is malformed");
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
            if (++trailerBytes > maxHead) {
                throw new TooLongFrameException(owner + " trailers are larger than " + maxHead + " bytes");
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
    static int contentEnd(byte[] h, int start, int lineFeed) {
        return lineFeed > start && h[lineFeed - 1] == '\r' ? lineFeed - 1 : lineFeed;
    }

    /** Field content (RFC 9110, 5.5): visible characters, obs-text, space and tab; no other control character. */
    final void checkFieldContent(byte[] h, int start, int end, String what) {
        if (firstNotFieldContent(h, start, end) >= 0) {
            throw refused("has a control character in " + what);
        }
    }

    /** Where the first byte that is not field content lies, or -1 when there is none. */
    static int firstNotFieldContent(byte[] h, int start, int end) {
        int i = start;
        // Eight bytes at a time while none of them can be a control character; from a word that may hold one (most
        // often a tab, which is allowed) on, byte by byte.
        while (end - i >= Long.BYTES && !mayHoldControl((long) EIGHT_BYTES.get(h, i))) {
            i += Long.BYTES;
        }
        for (; i < end; i++) {
            if (!FIELD_CONTENT[h[i] & 0xff]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether one of the eight bytes of {@code word} is below 0x20 or is 0x7F. The first term has a byte's high bit
     * set where that byte, less 0x20, went below zero and the byte did not have its own high bit set; the second
     * does the same for bytes equal to 0x7F. Borrows may mark bytes above a marked one too, never a word that has
     * none (the "has less than" of Bit Twiddling Hacks, valid for bounds up to 0x80).
     */
    static boolean mayHoldControl(long word) {
        long belowSpace = (word - 0x20 * LOW_BITS) & ~word & HIGH_BITS;
        long delete = word ^ (0x7f * LOW_BITS);
        long isDelete = (delete - LOW_BITS) & ~delete & HIGH_BITS;
        return (belowSpace | isDelete) != 0;
    }

    static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20) || b == 0x7f;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** Whether the bytes at {@code start} are {@code lowerCase} in any case; the length is checked by the caller. */
    static boolean nameIs(byte[] h, int start, String lowerCase) {
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
