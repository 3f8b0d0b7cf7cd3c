package io.latchkey.secret;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A lock every replica sharing a store sees, held while some asynchronous work runs. */
@FunctionalInterface
public interface SharedLock {

    /**
     * Runs {@code work} once the lock named {@code key} is held, and releases the lock when the work's stage
     * completes, whether it succeeded or not.
     */
    <T> CompletionStage<T> exclusively(String key, Supplier<CompletionStage<T>> work);
}
