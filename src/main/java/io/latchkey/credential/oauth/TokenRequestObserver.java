package io.latchkey.credential.oauth;

import java.time.Duration;

/**
 * Told about every token request, for metrics and the audit trail. {@code outcome} is one of a small fixed set:
 * {@code success},
 * {@code invalid_grant}, {@code rejected}, {@code bad_response}, {@code server_error}, {@code unreachable}.
 */
public interface TokenRequestObserver {

    TokenRequestObserver NONE = (credential, outcome, latency) -> {
    };

    void tokenRequest(String credential, String outcome, Duration latency);

    /**
     * The provider rotated the refresh token.
     *
     * @param stored whether the new one was written back to the credential's store (Vault, the embedded store)
     */
    default void refreshTokenRotated(String credential, boolean stored) {
    }
}
