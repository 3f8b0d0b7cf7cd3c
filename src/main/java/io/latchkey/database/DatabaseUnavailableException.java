package io.latchkey.database;

/** The database cannot be used now: unreachable, or its schema not applied yet. */
public final class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String reason) {
        super("the database is unavailable: " + reason, null, false, false);
    }
}
