package io.latchkey.proxy;

import io.vertx.core.http.RequestOptions;

/**
 * Reaches one kind of upstream: sends a request there and tells the listener when a connection carries it and what
 * the upstream answered. Either Latchkey's own HTTP/1.1 client on Netty ({@link Http1UpstreamClient}) or Vert.x's
 * pooled client ({@link VertxUpstreamClient}, for https routes with {@code http2: true}).
 */
interface UpstreamClient extends AutoCloseable {

    /**
     * Starts a request: method, host, port, URI and connect timeout come from the options, the headers from
     * {@code request}. Call it on an event loop; the listener hears of the call there.
     */
    void request(RequestOptions options, OutboundRequest request, UpstreamListener listener);

    @Override
    void close();
}
