package io.latchkey.credential.oauth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import io.latchkey.policy.OAuth2Settings.ResponseFields;
import io.latchkey.secret.Secret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Reads a token endpoint's answer. Besides RFC 6749 JSON it understands what real providers send: form-encoded
 * answers (GitHub without {@code Accept: application/json}), errors reported with HTTP 200 and an {@code error}
 * field (GitHub) or {@code ok: false} (Slack), and tokens nested in the answer (Slack's {@code authed_user}).
 * Anything else is an error with a clear reason, never a token.
 */
final class TokenResponseParser {

    static final int MAX_BYTES = 64 * 1024;
    /** Ten years: a longer {@code expires_in} is a unit mistake, not a token lifetime. */
    private static final long MAX_EXPIRES_IN_SECONDS = 10L * 365 * 24 * 3600;
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final ResponseFields fields;

    TokenResponseParser(ResponseFields fields) {
        this.fields = fields;
    }

    TokenResponse parse(int status, String contentType, Buffer body) {
        if (body.length() > MAX_BYTES) {
            throw new TokenEndpointException("bad_response", "the token response is larger than 64 KiB");
        }
        JsonObject json = decode(status, contentType, body);
        String error = errorCode(json);
        if (error != null) {
            throw new TokenEndpointException(error, "the token endpoint refused the request: " + error);
        }
        if (status < 200 || status > 299) {
            throw new TokenEndpointException("http_" + status, "the token endpoint answered HTTP " + status);
        }
        Object accessToken = at(json, fields.accessToken());
        if (!(accessToken instanceof String token) || token.isBlank()) {
            throw new TokenEndpointException("bad_response",
                    "the token response has no " + fields.accessToken() + " string");
        }
        Secret secret = Secret.of(token);
        if (secret.containsControlCharacter()) {
            throw new TokenEndpointException("bad_response", "the access token contains control characters");
        }
        Optional<Secret> refreshToken = Optional.ofNullable(at(json, fields.refreshToken()))
                .filter(String.class::isInstance).map(String.class::cast).filter(s -> !s.isBlank()).map(Secret::of);
        if (refreshToken.isPresent() && refreshToken.get().containsControlCharacter()) {
            throw new TokenEndpointException("bad_response", "the refresh token contains control characters");
        }
        return new TokenResponse(secret, expiresIn(at(json, fields.expiresIn())), refreshToken);
    }

    private static JsonObject decode(int status, String contentType, Buffer body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") || (type.startsWith("text/plain")
                && body.toString(StandardCharsets.UTF_8).contains("access_token="))) {
            return formToJson(body.toString(StandardCharsets.UTF_8));
        }
        try {
            Object value = io.vertx.core.json.Json.decodeValue(body);
            if (value instanceof JsonObject object) {
                return object;
            }
        } catch (DecodeException e) {
            // reported below
        }
        if (status < 200 || status > 299) {
            throw new TokenEndpointException("http_" + status, "the token endpoint answered HTTP " + status);
        }
        throw new TokenEndpointException("bad_response", "the token response is not a JSON object");
    }

    private static JsonObject formToJson(String form) {
        JsonObject json = new JsonObject();
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                json.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return json;
    }

    private static String errorCode(JsonObject json) {
        Object error = json.getValue("error");
        boolean slackFailure = Boolean.FALSE.equals(json.getValue("ok"));
        if (error == null && !slackFailure) {
            return null;
        }
        String code = error instanceof String text ? text : "error";
        return ERROR_CODE.matcher(code).matches() ? code : "error";
    }

    /** The value at a dot path, or null. */
    private static Object at(JsonObject json, String path) {
        Object current = json;
        for (String part : path.split("\\.")) {
            if (!(current instanceof JsonObject object)) {
                return null;
            }
            current = object.getValue(part);
        }
        return current;
    }

    private static Optional<Duration> expiresIn(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        long seconds;
        if (value instanceof Number number) {
            seconds = number.longValue();
            if (number.doubleValue() != seconds) {
                throw nonsense();
            }
        } else if (value instanceof String text && text.matches("[0-9]{1,12}")) {
            seconds = Long.parseLong(text);
        } else {
            throw nonsense();
        }
        if (seconds <= 0 || seconds > MAX_EXPIRES_IN_SECONDS) {
            throw nonsense();
        }
        return Optional.of(Duration.ofSeconds(seconds));
    }

    private static TokenEndpointException nonsense() {
        return new TokenEndpointException("bad_response",
                "the token response has an expires_in that is not a positive number of seconds under ten years");
    }
}
