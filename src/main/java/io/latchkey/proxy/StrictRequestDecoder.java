package io.latchkey.proxy;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * The HTTP/1 request decoder with the ambiguities that enable request smuggling refused instead of repaired: a
 * request with both {@code Content-Length} and {@code Transfer-Encoding}, and obsolete line folding (a header line
 * that starts with a space or tab). Netty would drop the length, or join the lines, and go on; an upstream that
 * reads the same bytes differently would then see two requests where we saw one. A refused request reaches the
 * invalid-request handler and is answered 400 with the connection closed. Netty itself already refuses
 * duplicate or conflicting {@code Content-Length} values and oversized heads.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    private boolean rejected;
    private boolean inHead = true;
    /** Whether the last byte the decoder consumed while reading a head was a line feed. */
    private boolean afterLineFeed = true;
    private boolean startOfHead = true;

    StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Content-Length and Transfer-Encoding are present");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (inHead && hasFoldedLine(buffer)) {
            // Hand Vert.x a request that failed to decode, as Netty does for its own refusals; nothing after it is
            // read, and the connection is closed once the 400 is out.
            rejected = true;
            buffer.skipBytes(buffer.readableBytes());
            HttpRequest invalid = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
            invalid.setDecoderResult(DecoderResult.failure(
                    new IllegalArgumentException("obsolete line folding in the request head")));
            out.add(invalid);
            return;
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        if (inHead && buffer.readerIndex() > 0) {
            afterLineFeed = buffer.getByte(buffer.readerIndex() - 1) == '\n';
            startOfHead = false;
        }
        for (int i = before; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpMessage) {
                inHead = false;
            }
            if (message instanceof LastHttpContent) {
                inHead = true;
                afterLineFeed = true;
                startOfHead = true;
            }
        }
    }

    /**
     * Scans the unread part of a head for a line that starts with SP or HT, stopping at the blank line that ends the
     * head (what follows is body).
     */
    private boolean hasFoldedLine(ByteBuf buffer) {
        boolean lineFeed = afterLineFeed;
        boolean first = startOfHead;
        for (int i = buffer.readerIndex(); i < buffer.writerIndex(); i++) {
            byte b = buffer.getByte(i);
            if (lineFeed && !first) {
                if (b == ' ' || b == '\t') {
                    return true;
                }
                if (b == '\n' || (b == '\r' && i + 1 < buffer.writerIndex() && buffer.getByte(i + 1) == '\n')) {
                    return false; // end of head
                }
            }
            if (lineFeed && first && b != '\r' && b != '\n') {
                first = false; // leading empty lines before a request line are allowed (RFC 9112 2.2)
            }
            lineFeed = b == '\n';
        }
        return false;
    }
}
