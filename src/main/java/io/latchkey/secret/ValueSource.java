package io.latchkey.secret;

/** A credential value that may change while the proxy runs. Reading it never blocks. */
public interface ValueSource extends AutoCloseable {

    /** The value now, or why there is none. */
    Resolution current();

    /** The reference the value comes from, for operators; never the value. */
    String describe();

    /** Stops watching for changes. */
    @Override
    default void close() {
    }
}
