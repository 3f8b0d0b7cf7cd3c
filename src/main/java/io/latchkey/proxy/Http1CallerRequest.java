package io.latchkey.proxy;

import java.util.ArrayDeque;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;

/**
 * A {@link CallerRequest} read by Latchkey's own HTTP/1.1 server ({@link CallerConnection}): the head as
 * {@link RequestReader} read it, the body as a stream. Pausing the body stops the connection's reading, so that a slow
 * upstream holds the caller back through TCP. Confined to the connection's event loop.
 */
final class Http1CallerRequest implements CallerRequest {

    private final CallerConnection connection;
    final RequestHead head;
    private final Http1CallerResponse response;

    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private boolean paused;
    /** The body's end has been read. */
    private boolean bodyRead;
    /** The body's end has been handed on (or there was no one to hand it to). */
    private boolean ended;
    /** Pieces of body read while paused; rarely any, as pausing stops the reading. */
    private ArrayDeque<Buffer> queued;
    private long bytesRead;

    Http1CallerRequest(CallerConnection connection, RequestHead head) {
        this.connection = connection;
        this.head = head;
        this.response = new Http1CallerResponse(connection, this);
    }

    @Override
    public HttpMethod method() {
        return head.method;
    }

    @Override
    public String uri() {
        return head.target;
    }

    @Override
    public HopByHop hopByHop() {
        return head.hopByHop();
    }

    @Override
    public String getHeader(CharSequence name) {
        return head.header(name);
    }

    @Override
    public boolean containsHeader(CharSequence name) {
        return head.contains(name);
    }

    @Override
    public MessageHead readHead() {
        return head;
    }

    @Override
    public Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
        return head.headers();
    }

    /** Decided by the reader, which refused any request whose framing it could not read one way. */
    @Override
    public boolean declaresBody() {
        return head.hasBody();
    }

    @Override
    public boolean chunked() {
        return head.bodyLength < 0;
    }

    @Override
    public long contentLength() {
        return head.bodyLength;
    }

    @Override
    public Future<Buffer> body() {
        Promise<Buffer> whole = Promise.promise();
        Buffer body = Buffer.buffer(head.bodyLength > 0 ? (int) Math.min(head.bodyLength, 64 * 1024) : 256);
        handler(body::appendBuffer);
        endHandler(ended -> whole.tryComplete(body));
        exceptionHandler(whole::tryFail);
        return whole.future();
    }

    @Override
    public boolean isEnded() {
        return ended;
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public Http1CallerResponse response() {
        return response;
    }

    @Override
    public void closeConnection() {
        connection.close();
    }

    @Override
    public void tunnelTo(NetSocket upstream) {
        connection.tunnel(upstream);
    }

    @Override
    public Http1CallerRequest handler(Handler<Buffer> handler) {
        this.handler = handler;
        return this;
    }

    @Override
    public Http1CallerRequest endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        return this;
    }

    @Override
    public Http1CallerRequest exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public Http1CallerRequest pause() {
        if (!paused && !bodyRead) {
            connection.pauseReading();
        }
        paused = true;
        return this;
    }

    @Override
    public Http1CallerRequest resume() {
        return fetch(Long.MAX_VALUE);
    }

    /** Any demand resumes the stream: pieces are as large as the reads that bring them. */
    @Override
    public Http1CallerRequest fetch(long amount) {
        if (!paused) {
            return this;
        }
        paused = false;
        while (queued != null && !queued.isEmpty() && !paused) {
            deliver(queued.poll());
        }
        if (!paused && bodyRead && !ended) {
            end();
        }
        if (!paused && !bodyRead) {
            connection.resumeReading();
        }
        return this;
    }

    /** A piece of the body, lent for the call, and whether it is the last. */
    void received(ByteBuf chunk, boolean last) {
        if (chunk.isReadable() && !paused && handler == null) {
            // Nobody reads it (the body of a refused request, read to reach the next one): counted, not copied.
            bytesRead += chunk.readableBytes();
        } else if (chunk.isReadable()) {
            bytesRead += chunk.readableBytes();
            // Copied, as Vert.x copies what it reads: the piece is the connection's pooled read buffer, and the
            // forwarder writes it to the upstream later than this call.
            ByteBuf copy = VertxByteBufAllocator.DEFAULT.heapBuffer(chunk.readableBytes());
            copy.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
            Buffer piece = Buffer.buffer(copy);
            if (paused) {
                if (queued == null) {
                    queued = new ArrayDeque<>(4);
                }
                queued.add(piece);
            } else {
                deliver(piece);
            }
        }
        if (last) {
            bodyRead = true;
            if (!paused && (queued == null || queued.isEmpty())) {
                end();
            }
        }
    }

    private void deliver(Buffer piece) {
        Handler<Buffer> receiver = handler;
        if (receiver != null) {
            receiver.handle(piece);
        }
    }

    private void end() {
        ended = true;
        Handler<Void> receiver = endHandler;
        if (receiver != null) {
            receiver.handle(null);
        }
        connection.requestEnded(this);
    }

    /** The body cannot be read to its end: the caller went away, or sent what cannot be framed. */
    void failed(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        Handler<Throwable> receiver = exceptionHandler;
        if (receiver != null) {
            receiver.handle(cause);
        }
    }
}
