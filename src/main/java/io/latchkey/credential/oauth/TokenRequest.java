package io.latchkey.credential.oauth;

import java.util.Map;

/**
 * One request to a token endpoint, ready to send: its parameters (which include secrets: never log them) and an
 * optional {@code Authorization} header for {@code client_secret_basic}.
 */
record TokenRequest(Map<String, String> parameters, String authorization) {

    @Override
    public String toString() {
        return "TokenRequest[" + parameters.keySet() + "]";
    }
}
