package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;

/**
 * A request to an upstream as HTTP/1.1 bytes: the head in one buffer (its connection's {@link KeptBuffer}), and the
 * chunked coding's framing around a streamed body. Characters are written as ISO-8859-1, so header bytes that arrived
 * from the caller leave as they came.
 */
final class Http1RequestBytes {

    private static final byte[] VERSION_LINE_END = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");

    private Http1RequestBytes() {
    }

    /**
     * Request line, headers and the blank line after them.
     *
     * @param chunked whether the body follows in chunked coding, which the head then declares
     */
    static ByteBuf head(KeptBuffer buffer, String method, String uri, OutboundRequest request, boolean chunked) {
        int size = method.length() + 1 + uri.length() + VERSION_LINE_END.length + request.headersLength() + 2;
        if (chunked) {
            size += TRANSFER_ENCODING.length() + CHUNKED.length() + 4;
        }
        ByteBuf head = buffer.take(size);
        writeLatin1(head, method);
        head.writeByte(' ');
        writeLatin1(head, uri);
        head.writeBytes(VERSION_LINE_END);
        request.writeHeaders(head);
        if (chunked) {
            writeHeader(head, TRANSFER_ENCODING, CHUNKED);
        }
        return head.writeByte('\r').writeByte('\n');
    }

    /** Writes a header line, {@code name: value} and CR LF, as {@link #writeLatin1} writes text. */
    static void writeHeader(ByteBuf out, CharSequence name, CharSequence value) {
        writeLatin1(out, name);
        out.writeByte(':').writeByte(' ');
        writeLatin1(out, value);
        out.writeByte('\r').writeByte('\n');
    }

    /**
     * Writes {@code text} as ISO-8859-1 ({@code ?} for a character beyond it), as {@code writeCharSequence} does for
     * that charset, without its three comparisons of charsets by name on every call: a head makes six calls or more.
     */
    static void writeLatin1(ByteBuf out, CharSequence text) {
        if (out instanceof AbstractByteBuf) {
            ByteBufUtil.writeAscii(out, text);
        } else {
            // Netty's shortcut writes other buffers as US-ASCII, which would turn bytes 0x80 to 0xFF into '?'.
            out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        }
    }

    /** The size line before a chunk of {@code size} (more than 0) bytes. */
    static ByteBuf chunkStart(ByteBufAllocator allocator, int size) {
        ByteBuf line = allocator.buffer(10);
        line.writeCharSequence(Integer.toHexString(size), StandardCharsets.US_ASCII);
        return line.writeByte('\r').writeByte('\n');
    }

    /** The line end after a chunk's bytes. */
    static ByteBuf chunkEnd() {
        return CRLF.duplicate();
    }

    /** The last, empty chunk and the end of an empty trailer section. */
    static ByteBuf lastChunk() {
        return LAST_CHUNK.duplicate();
    }
}
