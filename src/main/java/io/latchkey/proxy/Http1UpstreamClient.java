package io.latchkey.proxy;

import java.util.function.LongSupplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * Latchkey's own HTTP/1.1 client for one upstream origin, plain or over TLS, on Netty's channels (heads written
 * and read in place: {@link Http1RequestBytes}, {@link ResponseReader}): each event loop keeps
 * its own pool of connections to the origin, so a request never crosses threads or takes a lock. It does per request
 * what a proxy needs and no more (the benchmark's floors showed Vert.x's general-purpose client costing about an
 * eighth of the proxy's CPU per request; see bench/README.md).
 * <p>
 * DNS goes through Vert.x's resolver: asynchronous, unless {@code quarkus.vertx.use-async-dns} is switched off, when
 * it is the JDK's lookup on the event loop. The connection limit applies per event loop.
 */
final class Http1UpstreamClient implements UpstreamClient {

    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final int maxConnectionsPerLoop;
    /** TLS for an https origin; null for plain http. */
    private final SslContext ssl;
    private final LongSupplier nanoClock;
    private final PerEventLoop<Http1OriginPool> pools = new PerEventLoop<>(Http1OriginPool::closeFromAnyThread);

    /**
     * @param ssl TLS for an https origin, verifying its certificate and host name; null for plain http
     * @param nanoClock System.nanoTime, or a clock the tests tick: how old an idle connection is
     * @param allocator where the connections' buffers come from: Netty's default pool, or one the tests account for
     */
    Http1UpstreamClient(VertxInternal vertx, String host, int port, int maxConnectionsPerLoop, SslContext ssl,
            LongSupplier nanoClock, ByteBufAllocator allocator) {
        this.bootstrap = new Bootstrap()
                .channelFactory(vertx.transport().channelFactory(false))
                .option(ChannelOption.ALLOCATOR, allocator)
                .resolver(vertx.nettyAddressResolverGroup())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, false);
        this.host = host;
        this.port = port;
        this.maxConnectionsPerLoop = maxConnectionsPerLoop;
        this.ssl = ssl;
        this.nanoClock = nanoClock;
    }

    @Override
    public void request(RequestOptions options, OutboundRequest request, UpstreamListener listener) {
        ContextInternal context = ContextInternal.current();
        if (context == null || !context.nettyEventLoop().inEventLoop()) {
            listener.notCarried(new IllegalStateException("upstream requests start on an event loop"));
            return;
        }
        Http1OriginPool pool = pool(context.nettyEventLoop());
        pool.acquire(new Http1Call(context, options.getMethod(), options.getURI(), request,
                options.getConnectTimeout(), pool, listener));
    }

    private Http1OriginPool pool(EventLoop loop) {
        Http1OriginPool pool = pools.get();
        return pool != null ? pool
                : pools.add(new Http1OriginPool(bootstrap, loop, host, port, maxConnectionsPerLoop, ssl, nanoClock));
    }

    /** Connections open or being opened to the origin, on every event loop. */
    int openConnections() {
        return pools.sum(Http1OriginPool::openConnections);
    }

    /** Connections waiting in the pools for the next call. */
    int idleConnections() {
        return pools.sum(Http1OriginPool::idleConnections);
    }

    /** Calls waiting for a pooled connection, the pools being at their limit. */
    int waitingCalls() {
        return pools.sum(Http1OriginPool::waitingCalls);
    }

    /** Closes idle connections on every event loop; requests in flight finish on theirs. */
    @Override
    public void close() {
        pools.close();
    }
}
