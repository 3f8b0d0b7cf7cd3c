package io.latchkey.secret;

import java.util.Optional;

/** The embedded {@code db:} store as the data plane starts with it: open, or the reason it is not. */
public interface EmbeddedSecrets {

    /** The store, when it is open. */
    Optional<StoredSecrets> store();

    /** Why {@code db:} references cannot be used, when the store is not open. */
    String unavailableReason();
}
