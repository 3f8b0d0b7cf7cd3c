package io.latchkey.secret;

/** Turns raw text from a store into a value that is safe to put on the wire. */
final class SecretValues {

    private SecretValues() {
    }

    /**
     * One trailing line break is dropped, because Secret files written by editors and {@code echo} end with one;
     * any other CR, LF, NUL or control character makes the value unusable, since it could split a header.
     */
    static Resolution accept(String raw, String description) {
        return accept(raw, description, false);
    }

    /**
     * @param multiline whether line breaks belong to the value (a PEM private key that never goes on the wire)
     */
    static Resolution accept(String raw, String description, boolean multiline) {
        String value = raw;
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty()) {
            return Resolution.unavailable(description + " is empty");
        }
        Secret secret = Secret.of(value);
        if (!multiline && secret.containsControlCharacter()) {
            return Resolution
                    .unavailable(description + " contains CR, LF, NUL or another control character and cannot be sent");
        }
        return Resolution.available(secret);
    }
}
