package io.latchkey.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/** Counts requests in flight, for the drain at shutdown, and knows whether the proxy is draining. */
final class InFlightRequests {

    private static final org.jboss.logging.Logger ACCESS = org.jboss.logging.Logger.getLogger("io.latchkey.access");

    private final AtomicInteger count = new AtomicInteger();
    private final boolean accessLog;
    private volatile boolean draining;

    InFlightRequests(boolean accessLog) {
        this.accessLog = accessLog;
    }

    /**
     * Counts a request until its response ends or its connection closes. The returned handler must also run from any
     * close handler set on the response later (Vert.x keeps one), which the forwarder does.
     */
    Done begin(HttpServerRequest request) {
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
        private final HttpServerRequest request;
        private final long startNanos = System.nanoTime();
        private boolean counted;
        /** The matched route's name, once known. */
        String route = "none";

        Done(HttpServerRequest request) {
            this.request = request;
        }

        @Override
        public void handle(Void ignored) {
            if (!counted) {
                counted = true;
                count.decrementAndGet();
                if (accessLog && ACCESS.isInfoEnabled()) {
                    log();
                }
            }
        }

        private void log() {
            var response = request.response();
            String error = response.headers().get(ErrorResponses.ERROR_HEADER);
            ACCESS.infof("%s route=%s status=%d latency_ms=%.1f bytes_in=%d bytes_out=%d error=%s%s",
                    request.method().name(), route, response.getStatusCode(),
                    (System.nanoTime() - startNanos) / 1_000_000.0, request.bytesRead(), response.bytesWritten(),
                    error == null ? "-" : error, response.ended() ? "" : " (connection closed)");
        }
    }
}
