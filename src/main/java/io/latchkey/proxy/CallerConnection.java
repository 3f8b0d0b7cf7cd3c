package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * One caller connection of Latchkey's own HTTP/1.1 server: reads requests with {@link RequestReader}, hands each to
 * the data plane as an {@link Http1CallerRequest}, and writes its {@link Http1CallerResponse}. Vert.x's TCP server
 * accepts the connection and runs it on its event loop and context; everything HTTP is here, and the head of a
 * request is read where it lies rather than decoded into objects. Requests sent before the previous answer ended
 * (pipelining) wait unread until it has. Confined to the connection's event loop.
 */
final class CallerConnection implements RequestReader.Listener {

    private static final Logger LOG = Logger.getLogger(CallerConnection.class);
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(Unpooled.directBuffer(25)
            .writeBytes("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    private static final ByteBuf TUNNEL_OPEN = Unpooled.unreleasableBuffer(Unpooled.directBuffer(39)
            .writeBytes("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
            .asReadOnly();

    /** What every connection shares: where requests go, how refusals are answered, the limits. */
    record Settings(Handler<CallerRequest> handler, ErrorResponses errors, InFlightRequests inFlight,
            int maxRequestLine, int maxHead) {
    }

    private final NetSocketInternal socket;
    private final ChannelHandlerContext channel;
    private final Settings settings;
    private final RequestReader reader;
    /** What the responses' heads are written into, and what the requests are read into. */
    private final KeptBuffer heads;
    private final KeptReadBuffer reads;

    /** The request being read or answered; null between requests. */
    private Http1CallerRequest current;
    /** Inside a read of this connection: writes wait for its end to be flushed together. */
    private boolean reading;
    private boolean needsFlush;
    private boolean closed;
    /** Whether the socket's reading is stopped (Vert.x's pause): by back-pressure, or until an answer ends. */
    private boolean socketPaused;
    /** Hears when a full write queue has room again; the current response's. */
    private Handler<Void> drainHandler;

    CallerConnection(NetSocketInternal socket, Settings settings) {
        this.socket = socket;
        this.channel = socket.channelHandlerContext();
        this.settings = settings;
        this.reader = new RequestReader(this, settings.maxRequestLine(), settings.maxHead());
        this.heads = new KeptBuffer(channel.alloc());
        this.reads = KeptReadBuffer.install(channel.channel());
        socket.messageHandler(this::read);
        socket.closeHandler(ignored -> closed());
        socket.exceptionHandler(failure -> LOG.debugf("Caller connection failed: %s", failure.getMessage()));
        // Set once: Vert.x schedules a task each time a drain handler is set, which per response would cost a
        // wake-up of the event loop.
        socket.drainHandler(ignored -> drained());
    }

    private void read(Object message) {
        if (!(message instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(message);
            return;
        }
        reading = true;
        try {
            reader.read(bytes);
            if (reader.holding() && !socketPaused) {
                // Bytes that wait for an answer to end (a pipelined request): until it has, the socket is not read,
                // so whatever the caller sends meanwhile waits in the kernel's buffers (holding the caller back
                // through TCP), not in the proxy's memory.
                pauseSocket();
            }
        } finally {
            reading = false;
            flush();
        }
    }

    @Override
    public void head(RequestHead head) {
        Http1CallerRequest request = new Http1CallerRequest(this, head);
        current = request;
        if (head.expectsContinue) {
            send(CONTINUE.duplicate());
            // Now, unless within a read (then at its end): a pipelined request is read when the answer before it
            // ends, outside any read of this connection, and its caller waits for this before sending the body.
            flush();
        }
        if (head.method == HttpMethod.CONNECT) {
            // What follows the head belongs to the tunnel, if one opens: kept unread until then.
            request.response().keepAliveRefused();
            pauseReading();
        }
        try {
            settings.handler().handle(request);
        } catch (RuntimeException unexpected) {
            // A defect, not the caller's doing; the exception's message is not logged, as it may quote a header.
            LOG.errorf("Handling a request failed with %s; closing the caller's connection",
                    unexpected.getClass().getName());
            close();
        }
    }

    @Override
    public void body(ByteBuf chunk, boolean last) {
        Http1CallerRequest request = current;
        if (request != null) {
            request.received(chunk, last);
        }
    }

    @Override
    public void malformed(DecoderException cause) {
        Http1CallerRequest request = current;
        if (request != null) {
            // The body cannot be framed any more: whoever streams it hears why (the forwarder answers 400 with it, if
            // no answer has begun), and the connection ends.
            request.failed(new ProxyFailure(ErrorCode.BAD_REQUEST, cause.getMessage(), null));
            close();
            return;
        }
        String message = cause.getMessage();
        if (cause instanceof TooLongFrameException) {
            message += message.startsWith("the request line") ? " (latchkey.proxy.max-request-line-length)"
                    : " (latchkey.proxy.max-header-size)";
        }
        Http1CallerRequest refused = new Http1CallerRequest(this, new RequestHead());
        current = refused;
        settings.errors().send(refused, new ProxyFailure(ErrorCode.BAD_REQUEST, message, null));
    }

    /** The request's body has been read to its end; the next request waits for its answer's end. */
    void requestEnded(Http1CallerRequest request) {
        if (request != current) {
            return;
        }
        if (request.response().ended()) {
            next(request.response().keepsConnection());
        } else {
            // The socket is paused only if bytes arrive meanwhile (see read): pausing and resuming it for every
            // request would cost two epoll_ctl calls each.
            reader.suspend();
        }
    }

    /** The answer has been written whole: the connection goes on with the next request, or ends. */
    void responseEnded(Http1CallerRequest request, boolean keepAlive) {
        if (request != current) {
            return;
        }
        if (!keepAlive) {
            close();
            return;
        }
        if (request.isEnded()) {
            next(true);
        }
        // Otherwise the rest of the body is read (and dropped) first: requestEnded goes on from there.
    }

    private void next(boolean keepAlive) {
        current = null;
        // The answer is over: its relay must not hear of room on the connection any more.
        drainHandler = null;
        if (!keepAlive) {
            close();
            return;
        }
        resumeReading();
    }

    /** Stops reading the caller's bytes: the body's receiver cannot take more, or an answer is due first. */
    void pauseReading() {
        reader.suspend();
        pauseSocket();
    }

    void resumeReading() {
        if (closed) {
            return;
        }
        resumeSocket();
        reader.resume();
    }

    private void pauseSocket() {
        socketPaused = true;
        ((ConnectionBase) socket).doPause();
    }

    private void resumeSocket() {
        if (socketPaused) {
            socketPaused = false;
            ((ConnectionBase) socket).doResume();
        }
    }

    /** Whether a response may keep the connection open: not once the proxy drains. */
    boolean keepsAlive() {
        return !settings.inFlight().draining();
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** A buffer for a response's head, of at least {@code size} bytes; the write it is given to releases it. */
    ByteBuf headBuffer(int size) {
        return heads.take(size);
    }

    /** Writes, to be flushed by {@link #flush()}, or at the end of the current read. */
    void send(ByteBuf bytes) {
        channel.write(bytes, channel.voidPromise());
        needsFlush = true;
    }

    void flush() {
        if (needsFlush && !reading) {
            needsFlush = false;
            channel.flush();
        }
    }

    boolean writeQueueFull() {
        return !channel.channel().isWritable();
    }

    void drainHandler(Handler<Void> handler) {
        drainHandler = handler;
    }

    private void drained() {
        Handler<Void> receiver = drainHandler;
        if (receiver != null) {
            receiver.handle(null);
        }
    }

    void close() {
        if (!closed) {
            // Nothing more is read: a request pipelined behind one answered with the connection's end must not be
            // served, even when that answer was written within the read that brought both.
            reader.discard();
            flush();
            socket.close();
        }
    }

    /**
     * CONNECT was allowed: the caller hears 200, and from then on the connection's bytes (any sent after the head
     * first) go to {@code upstream} and back unchanged.
     */
    void tunnel(NetSocket upstream) {
        if (closed) {
            upstream.close();
            return;
        }
        // The request stays current: the tunnel counts as in flight until the connection closes.
        ByteBuf early = reader.takeHeld();
        reader.discard();
        send(TUNNEL_OPEN.duplicate());
        flush();
        if (early != null) {
            // Copied and given back: Vert.x writes a buffer it did not allocate without ever releasing it.
            byte[] bytes = ByteBufUtil.getBytes(early);
            early.release();
            upstream.write(Buffer.buffer(bytes));
        }
        socket.messageHandler(null);
        socket.pipeTo(upstream);
        upstream.pipeTo(socket);
        resumeSocket();
    }

    private void closed() {
        closed = true;
        reader.discard();
        heads.release();
        reads.release();
        Http1CallerRequest request = current;
        current = null;
        if (request != null) {
            request.failed(new HttpClosedException("the caller closed the connection"));
            request.response().connectionClosed();
        }
    }
}
