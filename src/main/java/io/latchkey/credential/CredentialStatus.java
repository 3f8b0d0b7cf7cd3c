package io.latchkey.credential;

import java.util.Optional;

/** Health of one credential as operators see it; it carries reasons, never values. */
public record CredentialStatus(String name, String kind, boolean available, Optional<String> reason) {

    public static CredentialStatus available(String name, String kind) {
        return new CredentialStatus(name, kind, true, Optional.empty());
    }

    public static CredentialStatus unavailable(String name, String kind, String reason) {
        return new CredentialStatus(name, kind, false, Optional.of(reason));
    }
}
