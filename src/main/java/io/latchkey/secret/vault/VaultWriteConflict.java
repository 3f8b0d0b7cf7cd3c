package io.latchkey.secret.vault;

/** A check-and-set write lost to another writer: re-read and decide again. */
public final class VaultWriteConflict extends RuntimeException {

    public VaultWriteConflict(String message) {
        super(message, null, false, false);
    }
}
