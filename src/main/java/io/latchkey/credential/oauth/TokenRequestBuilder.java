package io.latchkey.credential.oauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.policy.OAuth2Settings;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueSource;
import io.vertx.core.json.JsonObject;

/**
 * Builds the token request for a credential's grant and client authentication from the current values of its
 * sources. Built per attempt, so a rotated client secret or key is used at the next request.
 */
final class TokenRequestBuilder {

    private final String credential;
    private final OAuth2Settings settings;
    private final Optional<ValueSource> clientId;
    private final Optional<ValueSource> clientSecret;
    private final Optional<ValueSource> privateKey;
    private final Optional<ValueSource> subjectToken;
    private final InstantSource clock;

    TokenRequestBuilder(String credential, OAuth2Settings settings, Optional<ValueSource> clientId,
            Optional<ValueSource> clientSecret, Optional<ValueSource> privateKey, Optional<ValueSource> subjectToken,
            InstantSource clock) {
        this.credential = credential;
        this.settings = settings;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.privateKey = privateKey;
        this.subjectToken = subjectToken;
        this.clock = clock;
    }

    /**
     * @param refreshToken the refresh token to present, for the refresh_token grant
     * @throws CredentialUnavailableException when a value the request needs is unavailable
     */
    TokenRequest build(Secret refreshToken) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("grant_type", settings.grant().grantType());
        String scope = String.join(settings.scopeSeparator(), settings.scopes());
        switch (settings.grant()) {
            case REFRESH_TOKEN -> parameters.put("refresh_token", refreshToken.reveal());
            case JWT_BEARER -> parameters.put("assertion", assertion(scope));
            case TOKEN_EXCHANGE -> {
                parameters.put("subject_token", value(subjectToken.orElseThrow(), "subjectToken").reveal());
                parameters.put("subject_token_type", settings.subjectTokenType());
            }
            case CLIENT_CREDENTIALS -> {
            }
        }
        if (!scope.isEmpty()) {
            parameters.put("scope", scope);
        }
        settings.audience().ifPresent(audience -> parameters.put("audience", audience));
        settings.resource().ifPresent(resource -> parameters.put("resource", resource));
        parameters.putAll(settings.parameters());
        String authorization = null;
        switch (settings.clientAuth()) {
            case CLIENT_SECRET_BASIC -> {
                if (clientId.isPresent() && clientSecret.isPresent()) {
                    String pair = formEncode(value(clientId.get(), "clientId").reveal()) + ":"
                            + formEncode(value(clientSecret.get(), "clientSecret").reveal());
                    authorization = "Basic "
                            + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
                }
            }
            case CLIENT_SECRET_POST -> {
                parameters.put("client_id", value(clientId.orElseThrow(), "clientId").reveal());
                parameters.put("client_secret", value(clientSecret.orElseThrow(), "clientSecret").reveal());
            }
            case PRIVATE_KEY_JWT -> {
                String id = value(clientId.orElseThrow(), "clientId").reveal();
                parameters.put("client_id", id);
                parameters.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
                parameters.put("client_assertion", JwtSigner.sign(value(privateKey.orElseThrow(), "privateKey"),
                        settings.keyId(), claims(id, Optional.of(id), settings.tokenUrl().toString())));
            }
            case NONE -> clientId.ifPresent(id -> parameters.put("client_id", value(id, "clientId").reveal()));
        }
        return new TokenRequest(parameters, authorization);
    }

    /** The RFC 7523 assertion of the jwt_bearer grant; Google reads the scope from it. */
    private String assertion(String scope) {
        OAuth2Settings.Assertion assertion = settings.assertion();
        String issuer = assertion.issuer()
                .orElseGet(() -> value(clientId.orElseThrow(), "clientId").reveal());
        JsonObject claims = claims(issuer, assertion.subject(),
                assertion.audience().orElse(settings.tokenUrl().toString()));
        claims.put("exp", clock.instant().plus(assertion.lifetime()).getEpochSecond());
        if (!scope.isEmpty()) {
            claims.put("scope", scope);
        }
        return JwtSigner.sign(value(privateKey.orElseThrow(), "privateKey"), settings.keyId(), claims);
    }

    private JsonObject claims(String issuer, Optional<String> subject, String audience) {
        Instant now = clock.instant();
        JsonObject claims = new JsonObject().put("iss", issuer).put("aud", audience)
                .put("iat", now.getEpochSecond()).put("exp", now.plusSeconds(300).getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        subject.ifPresent(sub -> claims.put("sub", sub));
        return claims;
    }

    private Secret value(ValueSource source, String key) {
        Resolution resolution = source.current();
        if (resolution instanceof Resolution.Available available) {
            return available.value();
        }
        throw new CredentialUnavailableException(credential,
                key + ": " + ((Resolution.Unavailable) resolution).reason());
    }

    /** RFC 6749 section 2.3.1: client id and secret are form-encoded before Basic encoding. */
    private static String formEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String formBody(Map<String, String> parameters) {
        StringBuilder body = new StringBuilder();
        parameters.forEach((name, value) -> {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(formEncode(name)).append('=').append(formEncode(value));
        });
        return body.toString();
    }

    static String jsonBody(Map<String, String> parameters) {
        JsonObject json = new JsonObject();
        parameters.forEach(json::put);
        return json.encode();
    }

}
