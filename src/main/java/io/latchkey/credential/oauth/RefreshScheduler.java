package io.latchkey.credential.oauth;

import java.time.Duration;

/**
 * Runs a task after a delay measured on the credential's clock. Production uses Vert.x timers; tests use a manual
 * scheduler that runs what is due when they advance their clock.
 */
public interface RefreshScheduler {

    /** A scheduled task; cancelling an already run task does nothing. */
    interface Cancellable {
        void cancel();
    }

    Cancellable schedule(Duration delay, Runnable task);
}
