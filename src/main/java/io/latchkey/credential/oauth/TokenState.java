package io.latchkey.credential.oauth;

import java.time.Instant;

import io.latchkey.secret.Secret;

/**
 * What an OAuth credential knows at one moment. Immutable; replaced whole, so a reader never sees a token from one
 * answer with the expiry of another.
 *
 * @param token the current access token, or null
 * @param issuedAt when the request that produced it was sent
 * @param expiresAt when it stops being usable; null when the provider gave no lifetime
 * @param refreshAt when a background refresh is due; null when none is planned
 * @param failures consecutive failed token requests
 * @param retryAt no token request before this (back-off); null when free to try
 * @param dead a failure no retry can cure; cleared when the credential's inputs change
 * @param deadInputs fingerprint of the inputs that produced the permanent failure
 */
record TokenState(
        Secret token,
        Instant issuedAt,
        Instant expiresAt,
        Instant refreshAt,
        int failures,
        Instant retryAt,
        String lastError,
        String lastReason,
        boolean dead,
        int deadInputs) {

    static final TokenState EMPTY = new TokenState(null, null, null, null, 0, null, null, null, false, 0);

    boolean usableAt(Instant now) {
        return token != null && (expiresAt == null || now.isBefore(expiresAt));
    }

    boolean refreshDueAt(Instant now) {
        return refreshAt != null && !now.isBefore(refreshAt);
    }

    TokenState withoutToken() {
        return new TokenState(null, null, null, null, failures, retryAt, lastError, lastReason, dead, deadInputs);
    }

    TokenState failed(String code, String reason, Instant retry, boolean permanent, int inputs) {
        return new TokenState(token, issuedAt, expiresAt, null, failures + 1, permanent ? null : retry, code, reason,
                permanent, inputs);
    }
}
