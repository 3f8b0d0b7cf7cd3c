package io.latchkey.proxy;

import java.time.Instant;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * One caller request on its way through a route: what is needed to build (and, after a 401, rebuild) the outbound
 * request with the credentials current at that moment.
 */
final class Exchange extends IdleWatch.Entry {

    final CallerRequest request;
    final CompiledRoute route;
    final String rawQuery;
    final String relativeRawPath;
    /** Whether the request declares a body ({@link CallerRequest#declaresBody}), decided once when it arrives. */
    private final boolean hasBody;
    /**
     * When the outbound request was built, on a route whose tokens Latchkey renews (null on others); a 401 renews
     * only tokens older than this.
     */
    Instant startedAt;
    int attempt;
    /** Sent once more because the upstream declined it unprocessed (HTTP/2 GOAWAY, REFUSED_STREAM). */
    boolean resentUnprocessed;
    /** When the request arrived, on the data plane's monotonic clock, for the overhead metric. */
    final long arrivedNanos;
    /** When the request was last sent upstream, on the data plane's monotonic clock. */
    long sentNanos;
    /** The whole request body, when it was small enough to keep for a replay. */
    Buffer body;

    /** Ends the request's count in flight; run it from any close handler set on the response. */
    final Handler<Void> done;

    /** The request sent upstream now; null before it is created. */
    UpstreamCall upstream;

    Exchange(CallerRequest request, boolean hasBody, CompiledRoute route, String rawQuery,
            String relativeRawPath, Instant startedAt, InFlightRequests.Done done) {
        this.arrivedNanos = done.startNanos;
        this.hasBody = hasBody;
        this.done = done;
        this.request = request;
        this.route = route;
        this.rawQuery = rawQuery;
        this.relativeRawPath = relativeRawPath;
        this.startedAt = startedAt;
    }

    @Override
    long idleTimeoutNanos() {
        return route.idleTimeoutMillis * 1_000_000L;
    }

    /** The upstream was silent too long: resetting fails the exchange with the timeout, answered as 504. */
    @Override
    void expire() {
        if (upstream != null) {
            upstream.reset(new TimeoutException("no data for " + route.idleTimeoutMillis + " ms"));
        }
    }

    /** The outbound request with the route's injections applied now. */
    OutboundRequest outbound() {
        OutboundRequest outbound = OutboundRequest.from(request, route, rawQuery);
        route.injection.applyTo(outbound);
        return outbound;
    }

    boolean hasBody() {
        return hasBody;
    }

    /** Whether the request can be sent again: it has no body, or the body was kept. */
    boolean replayable() {
        return body != null || !hasBody();
    }
}
