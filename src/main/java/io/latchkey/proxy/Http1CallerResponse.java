package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpMethod;

/**
 * A {@link CallerResponse} written by Latchkey's own HTTP/1.1 server: the head goes out as one buffer written from
 * the status and the header lines set on it, the body as it comes, with chunked coding when its length is unknown.
 * What the connection needs after the response (kept alive, closed) is decided here, as RFC 9112 section 9.3 and the
 * request say. Confined to the connection's event loop.
 */
final class Http1CallerResponse implements CallerResponse {

    private static final byte[] HTTP_11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_10 = "HTTP/1.0 ".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString CONNECTION = AsciiString.cached("Connection");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    /** Up to this many body bytes are copied behind the head, when the whole body is known with it. */
    private static final int SMALL_BODY = 4096;

    private final CallerConnection connection;
    private final Http1CallerRequest request;

    private int status = 200;
    private String reason;
    /** Header lines as name, value, name, value... */
    private CharSequence[] headers = new CharSequence[16];
    private int headerCount;
    /**
     * Header lines of an upstream's head, written before those above by copying their bytes: the head, and which of
     * its lines (bit i for line i).
     */
    private MessageHead copied;
    private long copiedLines;
    /** The response itself says {@code Connection: close} (the drain at shutdown sets it). */
    private boolean closeAsked;

    private boolean headWritten;
    private boolean chunked;
    private boolean ended;
    private boolean closed;
    /** Whether the connection may carry the caller's next request after this response. */
    private boolean keepAlive;
    private long bytesWritten;

    private Handler<Void> endHandler;
    private Handler<Void> closeHandler;

    Http1CallerResponse(CallerConnection connection, Http1CallerRequest request) {
        this.connection = connection;
        this.request = request;
    }

    @Override
    public CallerResponse setStatusCode(int status) {
        this.status = status;
        return this;
    }

    @Override
    public int getStatusCode() {
        return status;
    }

    @Override
    public CallerResponse setStatusMessage(String message) {
        checkValue(message);
        this.reason = message;
        return this;
    }

    @Override
    public CallerResponse addHeader(CharSequence name, CharSequence value) {
        checkValue(value);
        if (headerCount * 2 == headers.length) {
            headers = Arrays.copyOf(headers, headers.length * 2);
        }
        headers[headerCount * 2] = name;
        headers[headerCount * 2 + 1] = value;
        headerCount++;
        if (AsciiString.contentEqualsIgnoreCase(name, CONNECTION) && AsciiString.contentEqualsIgnoreCase(value, CLOSE)) {
            closeAsked = true;
        }
        return this;
    }

    @Override
    public boolean addEndToEndHeaders(UpstreamResponse upstream) {
        MessageHead head = upstream.head();
        if (head == null || copied != null || head.count() > Long.SIZE) {
            return CallerResponse.super.addEndToEndHeaders(upstream);
        }
        // The upstream's values were checked as its answer was read, and no end-to-end header changes how the
        // connection goes on (Connection is hop by hop): the lines are only marked here, and copied with the head.
        long lines = head.endToEndLines(upstream.hopByHop());
        copied = head;
        copiedLines = lines;
        return head.hasContentLength(lines);
    }

    @Override
    public CallerResponse putHeader(CharSequence name, CharSequence value) {
        removeHeader(name);
        return addHeader(name, value);
    }

    @Override
    public CallerResponse removeHeader(CharSequence name) {
        int kept = 0;
        for (int i = 0; i < headerCount; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(headers[i * 2], name)) {
                headers[kept * 2] = headers[i * 2];
                headers[kept * 2 + 1] = headers[i * 2 + 1];
                kept++;
            }
        }
        Arrays.fill(headers, kept * 2, headerCount * 2, null);
        headerCount = kept;
        for (int line = copiedIndexOf(name); line >= 0; line = copiedIndexOf(name)) {
            copiedLines &= ~(1L << line);
        }
        return this;
    }

    @Override
    public String getHeader(CharSequence name) {
        int line = copiedIndexOf(name);
        if (line >= 0) {
            return copied.value(line);
        }
        int header = indexOf(name);
        return header < 0 ? null : headers[header * 2 + 1].toString();
    }

    private boolean has(CharSequence name) {
        return copiedIndexOf(name) >= 0 || indexOf(name) >= 0;
    }

    /** The first copied line with this name, or -1. */
    private int copiedIndexOf(CharSequence name) {
        for (long lines = copiedLines; lines != 0; lines &= lines - 1) {
            int line = Long.numberOfTrailingZeros(lines);
            if (copied.nameIs(line, name)) {
                return line;
            }
        }
        return -1;
    }

    private int indexOf(CharSequence name) {
        for (int i = 0; i < headerCount; i++) {
            if (AsciiString.contentEqualsIgnoreCase(headers[i * 2], name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Values reach the caller as written, so none may hold a line break or another control character that would end
     * the header early; the upstream's own were checked when its answer was read.
     */
    private static void checkValue(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("a response header value holds a control character");
            }
        }
    }

    @Override
    public void writeHeadChunked() {
        if (!headWritten) {
            chunked = true;
            connection.send(head(-1, 0));
            connection.flush();
        }
    }

    @Override
    public void write(Buffer chunk) {
        if (ended) {
            throw new IllegalStateException("the response has ended");
        }
        if (!headWritten) {
            // A body of unknown length: no Content-Length was set, so it goes out chunked.
            chunked = !has(CONTENT_LENGTH);
            connection.send(head(-1, 0));
        }
        sendBody(chunk);
        connection.flush();
    }

    @Override
    public void end(Buffer chunk) {
        if (ended) {
            throw new IllegalStateException("the response has ended");
        }
        if (!headWritten) {
            int length = chunk.length();
            if (length > 0 && length <= SMALL_BODY && bodyAllowed()) {
                // A small answer whole (the common case): one buffer for the caller instead of the head and the lent
                // chunk saves an entry in the write queue and a reference held across the write.
                ByteBuf whole = head(length, length);
                ByteBuf body = ((BufferImpl) chunk).byteBuf();
                whole.writeBytes(body, body.readerIndex(), length);
                bytesWritten += length;
                connection.send(whole);
                finish();
                return;
            }
            connection.send(head(length, 0));
        }
        sendBody(chunk);
        finish();
    }

    @Override
    public void end() {
        if (ended) {
            throw new IllegalStateException("the response has ended");
        }
        if (!headWritten) {
            connection.send(head(0, 0));
        }
        finish();
    }

    @Override
    public void endThenClose(Buffer body) {
        keepAliveRefused();
        end(body);
    }

    /** Whether the connection carries the caller's next request after this response; known once the head is out. */
    boolean keepsConnection() {
        return keepAlive;
    }

    /** The connection ends with this response, whatever the request asked. */
    void keepAliveRefused() {
        closeAsked = true;
    }

    private void sendBody(Buffer chunk) {
        int length = chunk.length();
        if (length == 0 || !bodyAllowed()) {
            return;
        }
        bytesWritten += length;
        ByteBufAllocator allocator = connection.alloc();
        if (chunked) {
            connection.send(Http1RequestBytes.chunkStart(allocator, length));
        }
        // The chunk may be lent for this call: the write holds its own reference until the bytes are out. Nothing
        // reads the lent buffer after the call, so the write may move its reader index: no slice is needed.
        connection.send(((BufferImpl) chunk).byteBuf().retain());
        if (chunked) {
            connection.send(Http1RequestBytes.chunkEnd());
        }
    }

    private void finish() {
        if (chunked && bodyAllowed()) {
            connection.send(Http1RequestBytes.lastChunk());
        }
        ended = true;
        connection.flush();
        Handler<Void> receiver = endHandler;
        if (receiver != null) {
            receiver.handle(null);
        }
        connection.responseEnded(request, keepAlive);
    }

    private boolean bodyAllowed() {
        return request.head.method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    /**
     * The status line and headers, with what the connection needs added: the length of a body known whole
     * ({@code bodyLength}; -1 when it is streamed), the chunked coding, and Connection when its persistence differs
     * from the version's default; {@code room} more bytes fit behind it.
     */
    private ByteBuf head(long bodyLength, int room) {
        headWritten = true;
        boolean http10 = request.head.http10;
        if (chunked && http10) {
            // HTTP/1.0 has no chunked coding: the body ends where the connection does.
            chunked = false;
            closeAsked = true;
        }
        boolean lengthKnown = chunked || has(CONTENT_LENGTH) || has(TRANSFER_ENCODING);
        CharSequence addedLength = null;
        if (!lengthKnown && bodyLength >= 0 && bodyAllowed()) {
            addedLength = Long.toString(bodyLength);
        } else if (!lengthKnown && bodyLength < 0 && bodyAllowed()) {
            closeAsked = true;
        }
        keepAlive = request.head.keepAlive && !closeAsked && connection.keepsAlive();
        CharSequence connectionValue = null;
        if (http10 && keepAlive) {
            connectionValue = KEEP_ALIVE;
        } else if (!http10 && !keepAlive && !closeAsked) {
            connectionValue = CLOSE;
        }
        String phrase = reason != null ? reason : ReasonPhrases.of(status);
        int size = HTTP_11.length + 4 + phrase.length() + 2 + 2;
        if (copiedLines != 0) {
            size += copied.fieldsLength(copiedLines);
        }
        for (int i = 0; i < headerCount * 2; i += 2) {
            size += headers[i].length() + headers[i + 1].length() + 4;
        }
        if (addedLength != null) {
            size += CONTENT_LENGTH.length() + addedLength.length() + 4;
        }
        if (chunked) {
            size += TRANSFER_ENCODING.length() + CHUNKED.length() + 4;
        }
        if (connectionValue != null) {
            size += CONNECTION.length() + connectionValue.length() + 4;
        }
        ByteBuf head = connection.headBuffer(size + room);
        head.writeBytes(http10 ? HTTP_10 : HTTP_11);
        head.writeByte('0' + status / 100 % 10).writeByte('0' + status / 10 % 10).writeByte('0' + status % 10);
        head.writeByte(' ');
        Http1RequestBytes.writeLatin1(head, phrase);
        head.writeByte('\r').writeByte('\n');
        if (copiedLines != 0) {
            copied.writeFields(copiedLines, head);
        }
        for (int i = 0; i < headerCount * 2; i += 2) {
            Http1RequestBytes.writeHeader(head, headers[i], headers[i + 1]);
        }
        if (addedLength != null) {
            Http1RequestBytes.writeHeader(head, CONTENT_LENGTH, addedLength);
        }
        if (chunked) {
            Http1RequestBytes.writeHeader(head, TRANSFER_ENCODING, CHUNKED);
        }
        if (connectionValue != null) {
            Http1RequestBytes.writeHeader(head, CONNECTION, connectionValue);
        }
        return head.writeByte('\r').writeByte('\n');
    }

    @Override
    public boolean writeQueueFull() {
        return connection.writeQueueFull();
    }

    @Override
    public CallerResponse drainHandler(Handler<Void> handler) {
        connection.drainHandler(handler);
        return this;
    }

    @Override
    public CallerResponse endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        return this;
    }

    @Override
    public CallerResponse closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
        return this;
    }

    /** The connection closed; heard by the close handler when the response had not ended. */
    void connectionClosed() {
        if (closed) {
            return;
        }
        closed = true;
        Handler<Void> receiver = closeHandler;
        if (!ended && receiver != null) {
            receiver.handle(null);
        }
    }

    @Override
    public boolean headWritten() {
        return headWritten;
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }
}
