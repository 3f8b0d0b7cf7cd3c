package io.latchkey.secret;

/** What a value source holds right now: a value, or the reason it has none. */
public sealed interface Resolution permits Resolution.Available, Resolution.Unavailable {

    static Resolution available(Secret value) {
        return new Available(value);
    }

    static Resolution unavailable(String reason) {
        return new Unavailable(reason);
    }

    /** A usable value. */
    record Available(Secret value) implements Resolution {
    }

    /** No value; {@code reason} is safe to show an operator and never contains the value. */
    record Unavailable(String reason) implements Resolution {
    }
}
