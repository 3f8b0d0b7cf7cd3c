package io.latchkey.credential.oauth;

import java.time.Duration;

import io.vertx.core.Vertx;

/** Schedules refreshes on Vert.x timers. */
public final class VertxRefreshScheduler implements RefreshScheduler {

    private final Vertx vertx;

    public VertxRefreshScheduler(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long id = vertx.setTimer(Math.max(1, delay.toMillis()), ignored -> task.run());
        return () -> vertx.cancelTimer(id);
    }
}
