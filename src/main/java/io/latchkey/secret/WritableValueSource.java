package io.latchkey.secret;

import java.util.concurrent.CompletionStage;

/** A value source whose store can take a new value: Vault (check-and-set) and, later, the embedded store. */
public interface WritableValueSource extends ValueSource {

    /**
     * Stores a new value. Completes when the store has it; fails when another writer changed it first (the value
     * read is no longer the current one) or the store is unreachable.
     */
    CompletionStage<Void> write(Secret value);
}
