package io.latchkey.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.vertx.core.Vertx;

/** Alive while an event loop still runs tasks. Nothing outside the process affects liveness. */
@Liveness
@ApplicationScoped
public class EventLoopLivenessCheck implements HealthCheck {

    private static final Duration LIMIT = Duration.ofSeconds(5);

    private final Vertx vertx;

    public EventLoopLivenessCheck(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public HealthCheckResponse call() {
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        vertx.runOnContext(ignored -> ran.complete(true));
        try {
            ran.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return HealthCheckResponse.up("event-loop");
        } catch (Exception e) {
            return HealthCheckResponse.named("event-loop").down()
                    .withData("reason", "an event loop did not run a task within " + LIMIT.toSeconds() + "s").build();
        }
    }
}
