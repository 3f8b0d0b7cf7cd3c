package io.latchkey.secret;

/**
 * The embedded store's values as {@code db:} references read them. The store itself (PostgreSQL, sealed values) is in
 * {@code secret.db}, which the without-database build leaves out; the data plane sees only this.
 */
public interface StoredSecrets {

    /** A value source for one reference; it reads an in-memory copy, never the database. */
    ValueSource open(ValueReference.Db reference);
}
