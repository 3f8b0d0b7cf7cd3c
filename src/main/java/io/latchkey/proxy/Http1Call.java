package io.latchkey.proxy;

import java.util.ArrayDeque;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.streams.ReadStream;

/**
 * One request on a pooled HTTP/1.1 upstream connection, and the answer to it: one object is both halves, so a request
 * costs this object, its head's bytes and the answer's {@link ResponseHead}.
 * <p>
 * Confined to the event loop of the caller's request, which is its connection's event loop too. Everything that runs
 * the forwarder's listeners is dispatched on the request's context, as Vert.x's own client does, so
 * {@code Vertx.currentContext()} is the same in them as in any other handler.
 */
final class Http1Call implements UpstreamCall, UpstreamResponse {

    private static final Object END = new Object();

    private final ContextInternal context;
    private final HttpMethod method;
    private final String uri;
    private final OutboundRequest request;
    final long connectTimeoutMillis;
    private final Http1OriginPool pool;
    private final UpstreamListener listener;
    /** The connection carrying the call; null before one is assigned and once the call is over. */
    private Http1Connection connection;
    /** Set and cancelled by the pool: a wait for a pooled connection that gives up at the connect timeout. */
    ScheduledFuture<?> waitTimeout;
    private ResponseHead response;
    private boolean requestEnded;
    /** The response ended, or the call failed or was reset: nothing more is read or written. */
    private boolean over;
    /** The caller's body is streamed with the chunked coding (it had no Content-Length). */
    private boolean chunked;
    /** The caller whose body is being streamed up; null when none is. */
    private ReadStream<Buffer> caller;
    /** Who reads the answer's body as it arrives; null until someone does. */
    private UpstreamBodyListener bodyListener;
    private boolean paused;
    /** Chunks (and the end) read while paused or before a listener was set; null until first needed. */
    private ArrayDeque<Object> pending;
    private Promise<Buffer> wholeBody;
    private Buffer bodyBuffer;
    /** Why the call failed; null while it has not. */
    private Throwable failure;
    /** The request was ended whole with {@link #end(Buffer)}: it can be written again. */
    private boolean wholeRequest;
    private Buffer requestBody;
    /** Whether the connection carrying the call had carried one before. */
    private boolean reusedConnection;
    /** Sent again on a fresh connection once already. */
    private boolean retried;

    /** @param request its headers are sent as they are, with the chunked coding's header added when it is used */
    Http1Call(ContextInternal context, HttpMethod method, String uri, OutboundRequest request,
            long connectTimeoutMillis, Http1OriginPool pool, UpstreamListener listener) {
        this.context = context;
        this.method = method;
        this.uri = uri;
        this.request = request;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.pool = pool;
        this.listener = listener;
    }

    // ---- from the pool and the connection

    /**
     * A connection now carries this call.
     *
     * @param reused whether it carried another call before
     */
    void assigned(Http1Connection connection, boolean reused) {
        if (over) {
            // Reset while waiting for a connection to send the request again.
            connection.returnUnused();
            return;
        }
        this.connection = connection;
        this.reusedConnection = reused;
        if (retried) {
            writeWholeRequest();
            return;
        }
        // A method of the class, not of this call: nothing is allocated to say so.
        context.emit(this, Http1Call::announceCarried);
    }

    private static void announceCarried(Http1Call call) {
        call.listener.carried(call);
    }

    /** No connection could be had: the request never left (or, on a retry, never left again). */
    void connectFailed(Throwable cause) {
        if (retried) {
            connectionFailed(cause);
            return;
        }
        over = true;
        context.emit(cause, listener::notCarried);
    }

    /** Gave up waiting for a free pooled connection. */
    void waitTimedOut(long timeoutMillis) {
        connectFailed(new ConnectTimeoutException("no pooled connection free within " + timeoutMillis + " ms"));
    }

    /** Whether the request is a HEAD, whose answer has no body whatever its head says. */
    boolean asksHead() {
        return method == HttpMethod.HEAD;
    }

    /** The head of the answer, as the connection's reader found it. */
    void head(ResponseHead head) {
        ContextInternal previous = context.beginDispatch();
        try {
            onHead(head);
        } catch (Throwable t) {
            context.reportException(t);
        } finally {
            context.endDispatch(previous);
        }
    }

    /** A piece of the answer's body, lent for the call; {@code last} with the end of the answer. */
    void body(ByteBuf chunk, boolean last) {
        ContextInternal previous = context.beginDispatch();
        try {
            onBody(chunk, last);
        } catch (Throwable t) {
            context.reportException(t);
        } finally {
            context.endDispatch(previous);
        }
    }

    /** The answer cannot be read safely; unlike a closed connection, never a reason to send the request again. */
    void malformed(DecoderException cause) {
        context.emit(cause, this::fail);
    }

    /** The connection failed or closed before the response ended. */
    void connectionFailed(Throwable cause) {
        context.emit(cause, this::failOrRetry);
    }

    /**
     * An upstream may close a keep-alive connection just as a request goes out on it, and the request is then lost
     * unseen. An idempotent request (RFC 9110, 9.2.2) sent whole on a reused connection that closed before a byte of
     * answer is sent once more on a fresh connection, as nginx does; anything else fails.
     */
    private void failOrRetry(Throwable cause) {
        if (over || retried || !reusedConnection || !wholeRequest || response != null || !isIdempotent(method)) {
            fail(cause);
            return;
        }
        retried = true;
        Http1Connection closed = connection;
        connection = null;
        closed.discard();
        pool.acquire(this);
    }

    private static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.TRACE || method == HttpMethod.PUT || method == HttpMethod.DELETE;
    }

    void writabilityChanged(boolean writable) {
        if (writable && caller != null) {
            caller.resume();
        }
    }

    private void onHead(ResponseHead head) {
        if (over) {
            return;
        }
        response = head;
        listener.answered(this);
    }

    private void onBody(ByteBuf bytes, boolean last) {
        if (over) {
            return;
        }
        if (last && bytes.isReadable() && deliversNow()) {
            // Lent, not copied, as below; handed on with the end so that it is written once.
            finish();
            bodyListener.end(BufferImpl.buffer(bytes));
            return;
        }
        if (bytes.isReadable()) {
            // Lent, not copied: the reader gives its buffer back once the read is handled.
            deliver(BufferImpl.buffer(bytes));
        }
        if (last) {
            ended();
        }
    }

    private void ended() {
        finish();
        deliver(END);
    }

    /** The response is over: the connection goes back to the pool, or is closed if it cannot be reused. */
    private void finish() {
        over = true;
        Http1Connection carrier = connection;
        connection = null;
        if (requestEnded && response.keepAlive) {
            carrier.release();
        } else {
            // The upstream answered before the request body was sent, or will close: the connection cannot be reused.
            carrier.discard();
        }
        if (caller != null) {
            // What is left of the caller's body is read and dropped.
            caller.resume();
        }
    }

    /** Whether a chunk read now goes straight to the body listener, nothing being queued before it. */
    private boolean deliversNow() {
        return wholeBody == null && !paused && bodyListener != null && (pending == null || pending.isEmpty());
    }

    private void deliver(Object chunkOrEnd) {
        if (wholeBody != null) {
            if (chunkOrEnd == END) {
                wholeBody.tryComplete(bodyBuffer);
            } else {
                bodyBuffer.appendBuffer((Buffer) chunkOrEnd);
            }
            return;
        }
        if (!deliversNow()) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            // A chunk that waits outlives the read that lent it: the queue holds a reference of its own.
            pending.add(chunkOrEnd == END ? END : retain((Buffer) chunkOrEnd));
            return;
        }
        emit(chunkOrEnd);
    }

    private static Buffer retain(Buffer chunk) {
        ((BufferImpl) chunk).byteBuf().retain();
        return chunk;
    }

    private static void release(Object chunkOrEnd) {
        if (chunkOrEnd != END) {
            ((BufferImpl) chunkOrEnd).byteBuf().release();
        }
    }

    /** Gives back the read buffers of chunks nobody will take now: the call failed or was reset. */
    private void discardPending() {
        if (pending != null) {
            for (Object chunkOrEnd = pending.poll(); chunkOrEnd != null; chunkOrEnd = pending.poll()) {
                release(chunkOrEnd);
            }
        }
    }

    private void emit(Object chunkOrEnd) {
        if (chunkOrEnd == END) {
            bodyListener.end(null);
        } else {
            bodyListener.chunk((Buffer) chunkOrEnd);
        }
    }

    private void fail(Throwable cause) {
        // Also after the end: a caller that goes away while the answer waits in the queue resets a call that is over.
        discardPending();
        if (over) {
            return;
        }
        over = true;
        failure = cause;
        Http1Connection carrier = connection;
        connection = null;
        if (carrier != null) {
            carrier.discard();
        }
        if (caller != null) {
            caller.resume();
        }
        if (response == null) {
            listener.notAnswered(cause);
        } else if (wholeBody != null) {
            wholeBody.tryFail(cause);
        } else if (bodyListener != null) {
            bodyListener.failed(cause);
        }
    }

    // ---- UpstreamCall

    @Override
    public void end(Buffer body) {
        if (over) {
            return;
        }
        requestEnded = true;
        wholeRequest = true;
        requestBody = body;
        writeWholeRequest();
    }

    private void writeWholeRequest() {
        Channel channel = connection.channel;
        ByteBuf head = headBytes();
        if (requestBody == null || requestBody.length() == 0) {
            channel.writeAndFlush(head, channel.voidPromise());
            return;
        }
        channel.write(head, channel.voidPromise());
        channel.writeAndFlush(requestBody.getByteBuf(), channel.voidPromise());
    }

    /** The request line and headers as they leave, in a buffer of the connection's. */
    private ByteBuf headBytes() {
        return Http1RequestBytes.head(connection.heads, method.name(), uri, request, chunked);
    }

    @Override
    public void pipeFrom(ReadStream<Buffer> caller, boolean chunked) {
        if (over) {
            caller.resume();
            return;
        }
        this.chunked = chunked;
        this.caller = caller;
        Channel channel = connection.channel;
        channel.writeAndFlush(headBytes(), channel.voidPromise());
        caller.handler(this::writeChunk);
        caller.endHandler(this::endBody);
        caller.exceptionHandler(this::reset);
        caller.resume();
    }

    private void writeChunk(Buffer chunk) {
        if (over) {
            return;
        }
        Channel channel = connection.channel;
        if (!chunked) {
            channel.writeAndFlush(chunk.getByteBuf(), channel.voidPromise());
        } else if (chunk.length() > 0) {
            // An empty chunk would end the body: only chunks with bytes are framed and sent.
            channel.write(Http1RequestBytes.chunkStart(channel.alloc(), chunk.length()), channel.voidPromise());
            channel.write(chunk.getByteBuf(), channel.voidPromise());
            channel.writeAndFlush(Http1RequestBytes.chunkEnd(), channel.voidPromise());
        }
        // A failed write ends the call at once (and resumes the caller to drop the rest): then there is nothing to
        // wait for.
        if (!over && !channel.isWritable()) {
            caller.pause();
        }
    }

    private void endBody(Void ended) {
        caller = null;
        if (over) {
            return;
        }
        requestEnded = true;
        if (chunked) {
            Channel channel = connection.channel;
            channel.writeAndFlush(Http1RequestBytes.lastChunk(), channel.voidPromise());
        }
    }

    @Override
    public void reset(Throwable cause) {
        context.emit(cause, this::fail);
    }

    // ---- UpstreamResponse

    @Override
    public int statusCode() {
        return response.status;
    }

    @Override
    public String statusMessage() {
        // None sent ("HTTP/1.1 200"): the caller gets the standard phrase, as it did from Netty's decoder.
        return response.hasReason() ? response.reason() : null;
    }

    @Override
    public boolean hasStatusMessage(String phrase) {
        return response.reasonIs(phrase);
    }

    @Override
    public String getHeader(CharSequence name) {
        return response.header(name);
    }

    @Override
    public Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
        return response.headers();
    }

    @Override
    public MessageHead head() {
        return response;
    }

    @Override
    public HopByHop hopByHop() {
        return response.hopByHop();
    }

    @Override
    public void bodyTo(UpstreamBodyListener listener) {
        this.bodyListener = listener;
        if (pending != null && !pending.isEmpty() && !paused) {
            context.runOnContext(ignored -> drain());
        }
    }

    @Override
    public UpstreamResponse pause() {
        paused = true;
        if (connection != null) {
            connection.channel.config().setAutoRead(false);
        }
        return this;
    }

    @Override
    public UpstreamResponse resume() {
        paused = false;
        drain();
        if (!paused && connection != null) {
            connection.channel.config().setAutoRead(true);
        }
        return this;
    }

    private void drain() {
        while (!paused && bodyListener != null && pending != null && !pending.isEmpty()) {
            Object chunkOrEnd = pending.poll();
            emit(chunkOrEnd);
            release(chunkOrEnd);
        }
    }

    @Override
    public Future<Buffer> body() {
        Promise<Buffer> promise = context.promise();
        wholeBody = promise;
        bodyBuffer = Buffer.buffer();
        if (pending != null) {
            for (Object chunkOrEnd = pending.poll(); chunkOrEnd != null; chunkOrEnd = pending.poll()) {
                deliver(chunkOrEnd);
                release(chunkOrEnd);
            }
        }
        if (failure != null) {
            promise.tryFail(failure);
        }
        if (paused) {
            resume();
        }
        return promise.future();
    }
}
