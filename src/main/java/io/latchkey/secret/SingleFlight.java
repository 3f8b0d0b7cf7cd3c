package io.latchkey.secret;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run at a time of an asynchronous task whose concurrent callers share the run in progress: a token request, a
 * re-read of stored secrets. The run clears its slot when it finishes.
 */
public final class SingleFlight {

    private SingleFlight() {
    }

    /**
     * Puts {@code mine} in the empty slot and returns it, or returns the run already there. Never null: a run that
     * finishes between a failed claim and the look at the slot leaves it empty, and the claim is tried again.
     */
    public static CompletableFuture<Void> claim(AtomicReference<CompletableFuture<Void>> slot,
            CompletableFuture<Void> mine) {
        while (!slot.compareAndSet(null, mine)) {
            CompletableFuture<Void> running = slot.get();
            if (running != null) {
                return running;
            }
        }
        return mine;
    }
}
