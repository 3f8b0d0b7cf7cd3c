package io.latchkey.secret.crypto;

/** A stored value that cannot be opened; the message names the secret and the key, never the value. */
public final class SealedValueException extends RuntimeException {

    public SealedValueException(String message) {
        super(message, null, false, false);
    }
}
