package io.latchkey.credential;

import java.time.Instant;
import java.util.Optional;

/**
 * Health of one credential as operators see it; it carries states, times and reasons, never values.
 *
 * @param state {@code available} or {@code unavailable} for static credentials; {@code valid}, {@code refreshing},
 *        {@code failing} or {@code dead} for OAuth tokens
 * @param expiresAt when the current token expires, for credentials that expire
 * @param lastError a short code for the last failure ({@code invalid_grant}, {@code http_503}, ...)
 */
public record CredentialStatus(String name, String kind, boolean available, String state, Optional<String> reason,
        Optional<Instant> expiresAt, Optional<String> lastError) {

    public static CredentialStatus available(String name, String kind) {
        return new CredentialStatus(name, kind, true, "available", Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public static CredentialStatus unavailable(String name, String kind, String reason) {
        return new CredentialStatus(name, kind, false, "unavailable", Optional.of(reason), Optional.empty(),
                Optional.empty());
    }
}
