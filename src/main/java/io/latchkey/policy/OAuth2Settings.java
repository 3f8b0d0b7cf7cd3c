package io.latchkey.policy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.latchkey.secret.ValueReference;

/**
 * How an {@code oauth2} credential obtains its access token: the grant, the token endpoint, client authentication,
 * and the few options providers that bend the standard need (a JSON request body, a token nested in the answer).
 *
 * @param refreshAt fraction of a token's lifetime after which it is renewed in the background (0.8: at 80%)
 * @param defaultLifetime lifetime assumed when the provider omits {@code expires_in}; empty: the token is used until
 *        the upstream rejects it with 401
 */
public record OAuth2Settings(
        Grant grant,
        URI tokenUrl,
        Optional<ValueReference> clientId,
        Optional<ValueReference> clientSecret,
        ClientAuth clientAuth,
        Optional<ValueReference> privateKey,
        Optional<String> keyId,
        Optional<ValueReference> refreshToken,
        Optional<ValueReference> subjectToken,
        String subjectTokenType,
        Assertion assertion,
        List<String> scopes,
        String scopeSeparator,
        Optional<String> audience,
        Optional<String> resource,
        Map<String, String> parameters,
        RequestFormat requestFormat,
        ResponseFields response,
        double refreshAt,
        Optional<java.time.Duration> defaultLifetime,
        Optional<Path> caBundle) {

    public OAuth2Settings {
        scopes = List.copyOf(scopes);
        parameters = Map.copyOf(parameters);
    }

    public enum Grant {
        CLIENT_CREDENTIALS("client_credentials", "client_credentials"),
        REFRESH_TOKEN("refresh_token", "refresh_token"),
        JWT_BEARER("jwt_bearer", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        TOKEN_EXCHANGE("token_exchange", "urn:ietf:params:oauth:grant-type:token-exchange");

        private final String policyName;
        private final String grantType;

        Grant(String policyName, String grantType) {
            this.policyName = policyName;
            this.grantType = grantType;
        }

        public String policyName() {
            return policyName;
        }

        /** The {@code grant_type} parameter sent to the token endpoint. */
        public String grantType() {
            return grantType;
        }
    }

    public enum ClientAuth {
        CLIENT_SECRET_BASIC("client_secret_basic"),
        CLIENT_SECRET_POST("client_secret_post"),
        PRIVATE_KEY_JWT("private_key_jwt"),
        NONE("none");

        private final String policyName;

        ClientAuth(String policyName) {
            this.policyName = policyName;
        }

        public String policyName() {
            return policyName;
        }
    }

    public enum RequestFormat {
        FORM,
        JSON
    }

    /** Claims of a {@code jwt_bearer} assertion (RFC 7523); {@code audience} defaults to the token URL. */
    public record Assertion(Optional<String> issuer, Optional<String> subject, Optional<String> audience,
            java.time.Duration lifetime) {
    }

    /** Where the answer holds each field, as dot paths ({@code authed_user.access_token}). */
    public record ResponseFields(String accessToken, String refreshToken, String expiresIn) {
        public static final ResponseFields STANDARD = new ResponseFields("access_token", "refresh_token", "expires_in");
    }
}
