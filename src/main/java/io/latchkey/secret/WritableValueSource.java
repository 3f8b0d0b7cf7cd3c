package io.latchkey.secret;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A value source whose store can take a new value: Vault (check-and-set) and the embedded store. */
public interface WritableValueSource extends ValueSource {

    /**
     * Stores a new value. Completes when the store has it; fails when another writer changed it first (the value
     * read is no longer the current one) or the store is unreachable.
     */
    CompletionStage<Void> write(Secret value);

    /** Reads the value from the store now, so that {@link #current()} shows what another replica wrote. */
    default CompletionStage<Void> reread() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Runs {@code work} while holding a lock on this value that every replica sharing the store sees, so that a
     * read-use-write cycle (a single-use refresh token) is never interleaved. Stores without such a lock run it
     * at once.
     */
    default <T> CompletionStage<T> exclusively(Supplier<CompletionStage<T>> work) {
        return work.get();
    }
}
