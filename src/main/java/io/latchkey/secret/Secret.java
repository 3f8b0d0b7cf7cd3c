package io.latchkey.secret;

import java.util.Objects;

/**
 * A credential value. Holding one never prints it: {@link #toString()} is redacted so that a secret passed to a
 * logger, an exception message or a debugger view by mistake shows nothing.
 */
public final class Secret {

    private static final String REDACTED = "[redacted]";

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value"));
    }

    /** The value itself, for the one place that writes it to the wire. */
    public String reveal() {
        return value;
    }

    /**
     * Whether the value holds CR, LF, NUL or another control character (tab aside), any of which could split or
     * truncate a header line on the wire.
     */
    public boolean containsControlCharacter() {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
