package io.latchkey.proxy;

import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditTrail;
import io.vertx.core.Handler;

/**
 * Counts requests in flight, for the drain at shutdown, and knows whether the proxy is draining. When a request is
 * over it writes the access log line and hands the audit trail its event.
 */
final class InFlightRequests {

    private static final org.jboss.logging.Logger ACCESS = org.jboss.logging.Logger.getLogger("io.latchkey.access");

    private final AtomicInteger count = new AtomicInteger();
    private final boolean accessLog;
    private final AuditTrail audit;
    private final InstantSource clock;
    private final LongSupplier nanoClock;
    private volatile boolean draining;

    InFlightRequests(boolean accessLog) {
        this(accessLog, AuditTrail.NONE, InstantSource.system(), System::nanoTime);
    }

    /**
     * @param clock when a request ended, for its audit event
     * @param nanoClock how long a request took: the data plane's monotonic clock, which the forwarder reads too
     */
    InFlightRequests(boolean accessLog, AuditTrail audit, InstantSource clock, LongSupplier nanoClock) {
        this.accessLog = accessLog;
        this.audit = audit;
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    /**
     * Counts a request until its response ends or its connection closes. The returned handler must also run from any
     * close handler set on the response later (Vert.x keeps one), which the forwarder does.
     */
    Done begin(CallerRequest request) {
        count.incrementAndGet();
        Done done = new Done(request);
        request.response().endHandler(done).closeHandler(done);
        if (draining) {
            request.response().putHeader("Connection", "close");
        }
        return done;
    }

    int count() {
        return count.get();
    }

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    /** Decrements once, whichever of end or close comes first, and writes the access log line. */
    final class Done implements Handler<Void> {
        private final CallerRequest request;
        /** When the request arrived, on the data plane's monotonic clock; the exchange's overhead is measured from it. */
        final long startNanos = nanoClock.getAsLong();
        private boolean counted;
        /** The matched route's name, once known. */
        String route = "none";
        /** The matched route's credentials, once known. */
        String credential;
        /** The path relative to the matched route, without the query; null until a route matched. */
        String relativePath;
        /**
         * The request's exchange once it exists. Every request ends here, so this is where the idle watch is sure to
         * let go of it, whichever path the forwarder took.
         */
        IdleWatch.Entry exchange;

        Done(CallerRequest request) {
            this.request = request;
        }

        @Override
        public void handle(Void ignored) {
            if (exchange != null) {
                IdleWatch.forget(exchange);
            }
            if (!counted) {
                counted = true;
                count.decrementAndGet();
                boolean logged = accessLog && ACCESS.isInfoEnabled();
                if (logged || audit != AuditTrail.NONE) {
                    // The request's end and its error code, read once for both records.
                    long tookNanos = nanoClock.getAsLong() - startNanos;
                    String error = request.response().getHeader(ErrorResponses.ERROR_HEADER);
                    if (logged) {
                        log(tookNanos, error);
                    }
                    if (audit != AuditTrail.NONE) {
                        audit(tookNanos, error);
                    }
                }
            }
        }

        private void audit(long tookNanos, String error) {
            var response = request.response();
            String decision = error != null ? error : response.ended() ? "forwarded" : "connection_closed";
            audit.record(new AuditEvent(clock.instant(), AuditEvent.Kind.REQUEST, route, credential, null,
                    request.method().name(), relativePath, response.getStatusCode(), tookNanos / 1_000, decision,
                    null));
        }

        private void log(long tookNanos, String error) {
            var response = request.response();
            ACCESS.infof("%s route=%s status=%d latency_ms=%.1f bytes_in=%d bytes_out=%d error=%s%s",
                    request.method().name(), route, response.getStatusCode(), tookNanos / 1_000_000.0,
                    request.bytesRead(), response.bytesWritten(), error == null ? "-" : error,
                    response.ended() ? "" : " (connection closed)");
        }
    }
}
