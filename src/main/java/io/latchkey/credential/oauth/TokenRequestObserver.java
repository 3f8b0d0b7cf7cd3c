package io.latchkey.credential.oauth;

import java.time.Duration;

/**
 * Told about every token request, for metrics. {@code outcome} is one of a small fixed set: {@code success},
 * {@code invalid_grant}, {@code rejected}, {@code bad_response}, {@code server_error}, {@code unreachable}.
 */
public interface TokenRequestObserver {

    TokenRequestObserver NONE = (credential, outcome, latency) -> {
    };

    void tokenRequest(String credential, String outcome, Duration latency);
}
