package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;

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

    private Http1RequestBytes() {
    }

    /** Request line, headers and the blank line after them. */
    static ByteBuf head(KeptBuffer buffer, String method, String uri, MultiMap headers) {
        int size = method.length() + 1 + uri.length() + VERSION_LINE_END.length + 2;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = fields(headers); fields.hasNext();) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            size += field.getKey().length() + 2 + field.getValue().length() + 2;
        }
        ByteBuf head = buffer.take(size);
        writeLatin1(head, method);
        head.writeByte(' ');
        writeLatin1(head, uri);
        head.writeBytes(VERSION_LINE_END);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = fields(headers); fields.hasNext();) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            writeHeader(head, field.getKey(), field.getValue());
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

    /**
     * The headers as character sequences: Vert.x's header map is Netty's, which hands them out as kept; any other
     * map as strings.
     */
    @SuppressWarnings("unchecked")
    private static Iterator<Map.Entry<CharSequence, CharSequence>> fields(MultiMap headers) {
        if (headers == null) {
            return Collections.emptyIterator();
        }
        if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
            return netty.iteratorCharSequence();
        }
        return (Iterator<Map.Entry<CharSequence, CharSequence>>) (Iterator<?>) headers.iterator();
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
