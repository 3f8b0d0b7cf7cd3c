package io.latchkey.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/** Counts requests in flight, for the drain at shutdown, and knows whether the proxy is draining. */
final class InFlightRequests {

    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean draining;

    /**
     * Counts a request until its response ends or its connection closes. The returned handler must also run from any
     * close handler set on the response later (Vert.x keeps one), which the forwarder does.
     */
    Done begin(HttpServerRequest request) {
        count.incrementAndGet();
        Done done = new Done();
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

    /** Decrements once, whichever of end or close comes first. */
    final class Done implements Handler<Void> {
        private boolean counted;

        @Override
        public void handle(Void ignored) {
            if (!counted) {
                counted = true;
                count.decrementAndGet();
            }
        }
    }
}
