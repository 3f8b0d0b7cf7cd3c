package io.latchkey.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The HTTP/1.1 connections from one event loop to one upstream origin: idle ones kept for reuse (the most recently
 * used first, so the others age out), new ones opened up to a limit, and calls waiting in turn beyond it. For an
 * https origin a connection is handed to a call only once its TLS handshake has succeeded. Confined to its event loop.
 */
final class Http1OriginPool {

    /** Idle connections older than this are closed rather than reused: the upstream may be about to close them. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * While connections wait idle, they are looked at this often, so one the pool no longer needs (its origin left the
     * policy, or traffic dropped) is closed at most this long after it has aged out, without waiting for a call.
     */
    static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Bootstrap bootstrap;
    private final EventLoop loop;
    /** TLS for an https origin; null for plain http. */
    private final SslContext ssl;
    private final LongSupplier nanoClock;
    private final InetSocketAddress origin;
    private final int maxConnections;
    private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
    private final ArrayDeque<Http1Call> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;
    /** The next look at the idle connections; null while none waits. */
    private ScheduledFuture<?> sweep;
    private final Runnable sweeper = this::sweepIdle;

    /**
     * @param bootstrap group, channel factory and resolver set; this pool adds the pipeline
     * @param ssl TLS for an https origin; null for plain http
     * @param nanoClock how old an idle connection is
     */
    Http1OriginPool(Bootstrap bootstrap, EventLoop loop, String host, int port, int maxConnections, SslContext ssl,
            LongSupplier nanoClock) {
        this.bootstrap = bootstrap.clone(loop);
        this.loop = loop;
        this.ssl = ssl;
        this.nanoClock = nanoClock;
        this.origin = InetSocketAddress.createUnresolved(host, port);
        this.maxConnections = maxConnections;
    }

    /** Gives the call a connection: an idle one, a new one, or the next one freed within the connect timeout. */
    void acquire(Http1Call call) {
        long now = nanoClock.getAsLong();
        for (Http1Connection connection = idle.pollLast(); connection != null; connection = idle.pollLast()) {
            if (connection.channel.isActive() && !agedOut(connection, now)) {
                connection.carry(call);
                return;
            }
            connection.discard();
        }
        if (closed) {
            call.connectFailed(closedFailure());
        } else if (open < maxConnections) {
            connect(call);
        } else {
            long connectTimeoutMillis = call.connectTimeoutMillis;
            waiting.add(call);
            call.waitTimeout = loop.schedule(() -> {
                if (waiting.remove(call)) {
                    call.waitTimeout = null;
                    call.waitTimedOut(connectTimeoutMillis);
                }
            }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens a connection for the call. The route's connect timeout bounds the TCP connect and, for https, the TLS
     * handshake after it, each on its own.
     */
    private void connect(Http1Call call) {
        open++;
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, call.connectTimeoutMillis);
        ChannelFuture connecting = bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        if (ssl != null) {
                            // With the origin's host name: sent as SNI, and checked against the certificate.
                            SslHandler tls = ssl.newHandler(channel.alloc(), origin.getHostString(), origin.getPort());
                            tls.setHandshakeTimeoutMillis(timeoutMillis);
                            pipeline.addLast("tls", tls);
                        }
                        pipeline.addLast("call", new Http1Connection(channel, Http1OriginPool.this));
                    }
                }).connect(origin);
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                open--;
                call.connectFailed(done.cause());
                return;
            }
            Channel channel = connecting.channel();
            Http1Connection connection = channel.pipeline().get(Http1Connection.class);
            if (ssl == null) {
                connection.carry(call);
                return;
            }
            channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    connection.carry(call);
                } else {
                    connection.discard();
                    call.connectFailed(handshake.cause());
                }
            });
        });
    }

    /** A connection is free again: the next waiting call takes it, or it waits idle. */
    void release(Http1Connection connection) {
        if (!connection.channel.isActive() || closed) {
            connection.discard();
            return;
        }
        Http1Call next = nextWaiting();
        if (next != null) {
            connection.carry(next);
            return;
        }
        connection.idleSinceNanos = nanoClock.getAsLong();
        idle.addLast(connection);
        if (sweep == null) {
            sweep = loop.schedule(sweeper, SWEEP_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the idle connections that have aged out (the oldest are first), and looks again while any waits. */
    private void sweepIdle() {
        sweep = null;
        long now = nanoClock.getAsLong();
        while (!idle.isEmpty() && agedOut(idle.peekFirst(), now)) {
            idle.pollFirst().discard();
        }
        if (!idle.isEmpty() && !closed) {
            sweep = loop.schedule(sweeper, SWEEP_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Whether an idle connection has waited the keep-alive limit: the upstream may be about to close it. */
    private static boolean agedOut(Http1Connection idle, long now) {
        return now - idle.idleSinceNanos >= KEEP_ALIVE_NANOS;
    }

    /** A connection closed or was discarded: it no longer counts, and a waiting call may open a new one. */
    void forget(Http1Connection connection) {
        if (!connection.counted) {
            return;
        }
        connection.counted = false;
        open--;
        idle.remove(connection);
        if (!closed && open < maxConnections) {
            Http1Call next = nextWaiting();
            if (next != null) {
                connect(next);
            }
        }
    }

    /** The longest-waiting call, its wait timeout cancelled; null when none waits. */
    private Http1Call nextWaiting() {
        Http1Call next = waiting.poll();
        if (next != null && next.waitTimeout != null) {
            next.waitTimeout.cancel(false);
            next.waitTimeout = null;
        }
        return next;
    }

    private static IllegalStateException closedFailure() {
        return new IllegalStateException("the upstream client is closed");
    }

    // Read from a metrics thread without a lock: a reading may be a moment old, which a gauge tolerates.

    int openConnections() {
        return open;
    }

    int idleConnections() {
        return idle.size();
    }

    int waitingCalls() {
        return waiting.size();
    }

    /** Closes the pool on its event loop, from any thread; nothing to do when the loop is already shut down. */
    void closeFromAnyThread() {
        try {
            loop.execute(this::close);
        } catch (RejectedExecutionException loopGone) {
            // Vert.x is already shutting its event loops down, and their channels with them.
        }
    }

    /** Closes the idle connections and refuses new calls; calls in flight keep theirs until they end. */
    private void close() {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        for (Http1Connection connection = idle.pollFirst(); connection != null; connection = idle.pollFirst()) {
            connection.discard();
        }
        for (Http1Call call = nextWaiting(); call != null; call = nextWaiting()) {
            call.connectFailed(closedFailure());
        }
    }
}
