package io.latchkey.secret.db;

/** A check-and-set write lost: another writer changed the stored value after it was read. */
public final class DbWriteConflict extends RuntimeException {

    public DbWriteConflict(String message) {
        super(message, null, false, false);
    }
}
