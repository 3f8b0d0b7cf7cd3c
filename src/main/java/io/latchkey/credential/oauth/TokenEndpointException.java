package io.latchkey.credential.oauth;

import java.util.Set;

/**
 * A token request that produced no token. {@code code} is short and safe to show (an OAuth error code such as
 * {@code invalid_grant}, or {@code http_503}, {@code timeout}, {@code bad_response}); the message explains it and never
 * repeats what the endpoint sent beyond its error code.
 */
final class TokenEndpointException extends RuntimeException {

    /** Errors that no retry can cure: the grant or the client configuration is wrong. */
    private static final Set<String> PERMANENT = Set.of("invalid_grant", "invalid_client", "unauthorized_client",
            "unsupported_grant_type", "invalid_scope", "invalid_request", "invalid_target", "access_denied");

    private final String code;

    TokenEndpointException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }

    /** Whether retrying later may succeed; false means an operator must act. */
    boolean retryable() {
        return !PERMANENT.contains(code);
    }

    boolean invalidGrant() {
        return code.equals("invalid_grant");
    }

    /** The outcome label for metrics: a small fixed set, never the raw code. */
    String outcome() {
        if (code.equals("invalid_grant")) {
            return "invalid_grant";
        }
        if (PERMANENT.contains(code)) {
            return "rejected";
        }
        if (code.equals("bad_response")) {
            return "bad_response";
        }
        if (code.startsWith("http_")) {
            return "server_error";
        }
        return "unreachable";
    }
}
