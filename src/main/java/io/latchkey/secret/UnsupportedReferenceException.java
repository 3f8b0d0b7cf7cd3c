package io.latchkey.secret;

/** A value reference names a store this process has not been configured to use. */
public final class UnsupportedReferenceException extends RuntimeException {

    public UnsupportedReferenceException(String message) {
        super(message, null, false, false);
    }
}
