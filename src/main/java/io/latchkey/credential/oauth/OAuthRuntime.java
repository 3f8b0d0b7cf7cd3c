package io.latchkey.credential.oauth;

import java.time.Duration;
import java.time.InstantSource;
import java.util.function.DoubleSupplier;

import io.vertx.core.http.HttpClient;

/**
 * What OAuth credentials share: the client that reaches token endpoints, time, the scheduler, jitter and the
 * metrics observer. Tests pass a manual clock and scheduler and a fixed jitter.
 *
 * @param vertx token requests are sent from one of its event loops, whoever triggers them
 * @param jitter a source of numbers in [0, 1)
 * @param backoffBase first retry delay after a failed token request
 * @param backoffCap longest retry delay
 */
public record OAuthRuntime(
        io.vertx.core.Vertx vertx,
        java.util.function.Function<java.nio.file.Path, HttpClient> clients,
        InstantSource clock,
        RefreshScheduler scheduler,
        DoubleSupplier jitter,
        TokenRequestObserver observer,
        Duration backoffBase,
        Duration backoffCap) {
}
