package io.latchkey.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.latchkey.policy.OAuth2Settings.Assertion;
import io.latchkey.policy.OAuth2Settings.ClientAuth;
import io.latchkey.policy.OAuth2Settings.Grant;
import io.latchkey.policy.OAuth2Settings.RequestFormat;
import io.latchkey.policy.OAuth2Settings.ResponseFields;
import io.latchkey.secret.ValueReference;

/** Reads and checks the {@code oauth2:} block of a credential. */
final class OAuth2SettingsReader {

    static final Set<String> KEYS = Set.of("grant", "tokenUrl", "clientId", "clientSecret", "clientAuth", "privateKey",
            "keyId", "refreshToken", "subjectToken", "subjectTokenType", "assertion", "scopes", "scopeSeparator",
            "audience", "resource", "parameters", "requestFormat", "accessTokenPath", "refreshTokenPath",
            "expiresInPath", "refreshAt", "defaultLifetime", "caBundle");
    private static final Set<String> ASSERTION_KEYS = Set.of("issuer", "subject", "audience", "lifetime");
    private static final Set<String> RESERVED_PARAMETERS = Set.of("grant_type", "client_id", "client_secret",
            "client_assertion", "client_assertion_type", "refresh_token", "assertion", "subject_token",
            "subject_token_type", "scope", "audience", "resource");
    private static final Pattern PERCENT = Pattern.compile("([1-9][0-9]?)%");
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final Function<YamlCursor, Optional<ValueReference>> references;
    private final Function<YamlCursor, Optional<Duration>> durations;

    OAuth2SettingsReader(Function<YamlCursor, Optional<ValueReference>> references,
            Function<YamlCursor, Optional<Duration>> durations) {
        this.references = references;
        this.durations = durations;
    }

    Optional<OAuth2Settings> read(YamlCursor node, List<PolicyProblem> problems) {
        Optional<Map<String, YamlCursor>> maybe = node.mapping(KEYS);
        if (maybe.isEmpty()) {
            return Optional.empty();
        }
        Map<String, YamlCursor> fields = maybe.get();
        int before = problems.size();
        Optional<Grant> grant = node.required(fields, "grant").flatMap(g -> named(g, Grant.values(), Grant::policyName));
        Optional<URI> tokenUrl = node.required(fields, "tokenUrl").flatMap(OAuth2SettingsReader::url);
        Optional<ValueReference> clientId = optional(fields, "clientId").flatMap(references);
        Optional<ValueReference> clientSecret = optional(fields, "clientSecret").flatMap(references);
        ClientAuth clientAuth = optional(fields, "clientAuth")
                .flatMap(c -> named(c, ClientAuth.values(), ClientAuth::policyName))
                .orElse(ClientAuth.CLIENT_SECRET_BASIC);
        Optional<ValueReference> privateKey = optional(fields, "privateKey").flatMap(references);
        Optional<String> keyId = optional(fields, "keyId").flatMap(YamlCursor::text);
        Optional<ValueReference> refreshToken = optional(fields, "refreshToken").flatMap(references);
        Optional<ValueReference> subjectToken = optional(fields, "subjectToken").flatMap(references);
        String subjectTokenType = optional(fields, "subjectTokenType").flatMap(YamlCursor::text)
                .orElse("urn:ietf:params:oauth:token-type:access_token");
        Assertion assertion = optional(fields, "assertion").map(this::assertion)
                .orElse(new Assertion(Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(5)));
        List<String> scopes = optional(fields, "scopes").map(YamlCursor::texts).orElse(List.of());
        String separator = optional(fields, "scopeSeparator").map(s -> s.text().orElse(" ")).orElse(" ");
        Optional<String> audience = optional(fields, "audience").flatMap(YamlCursor::text);
        Optional<String> resource = optional(fields, "resource").flatMap(YamlCursor::text);
        Map<String, String> parameters = optional(fields, "parameters").map(this::parameters).orElse(Map.of());
        RequestFormat format = optional(fields, "requestFormat")
                .flatMap(f -> named(f, RequestFormat.values(), v -> v.name().toLowerCase()))
                .orElse(RequestFormat.FORM);
        ResponseFields response = new ResponseFields(
                optional(fields, "accessTokenPath").flatMap(OAuth2SettingsReader::path).orElse("access_token"),
                optional(fields, "refreshTokenPath").flatMap(OAuth2SettingsReader::path).orElse("refresh_token"),
                optional(fields, "expiresInPath").flatMap(OAuth2SettingsReader::path).orElse("expires_in"));
        double refreshAt = optional(fields, "refreshAt").flatMap(OAuth2SettingsReader::percent).orElse(0.8);
        Optional<Duration> defaultLifetime = optional(fields, "defaultLifetime").flatMap(durations);
        Optional<Path> caBundle = optional(fields, "caBundle").flatMap(c -> c.text().filter(t -> {
            if (!t.startsWith("/")) {
                c.problem("caBundle is an absolute path to a PEM file");
                return false;
            }
            return true;
        })).map(Path::of);

        if (grant.isPresent()) {
            requireFor(grant.get() == Grant.REFRESH_TOKEN, fields, node, "refreshToken",
                    "grant refresh_token needs refreshToken: a value reference to the refresh token");
            requireFor(grant.get() == Grant.TOKEN_EXCHANGE, fields, node, "subjectToken",
                    "grant token_exchange needs subjectToken: a value reference to the token to exchange");
            requireFor(grant.get() == Grant.JWT_BEARER, fields, node, "privateKey",
                    "grant jwt_bearer signs an assertion and needs privateKey: a PEM PKCS#8 key reference");
            if (grant.get() == Grant.JWT_BEARER && assertion.issuer().isEmpty() && clientId.isEmpty()) {
                node.problem("grant jwt_bearer needs assertion.issuer (or clientId, used as the issuer)");
            }
        }
        switch (clientAuth) {
            case CLIENT_SECRET_BASIC, CLIENT_SECRET_POST -> {
                if (grant.orElse(null) != Grant.JWT_BEARER || fields.containsKey("clientSecret")) {
                    requireFor(true, fields, node, "clientId", clientAuth.policyName() + " needs clientId");
                    requireFor(true, fields, node, "clientSecret",
                            clientAuth.policyName() + " needs clientSecret");
                }
            }
            case PRIVATE_KEY_JWT -> {
                requireFor(true, fields, node, "clientId", "private_key_jwt needs clientId");
                requireFor(true, fields, node, "privateKey", "private_key_jwt needs privateKey");
            }
            case NONE -> {
            }
        }
        if (problems.size() > before || grant.isEmpty() || tokenUrl.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new OAuth2Settings(grant.get(), tokenUrl.get(), clientId, clientSecret, clientAuth,
                privateKey, keyId, refreshToken, subjectToken, subjectTokenType, assertion, scopes, separator,
                audience, resource, parameters, format, response, refreshAt, defaultLifetime, caBundle));
    }

    /** Reports a missing key; a key that is present but invalid has already been reported where it stands. */
    private static void requireFor(boolean needed, Map<String, YamlCursor> fields, YamlCursor node, String key,
            String message) {
        if (needed && !fields.containsKey(key)) {
            node.problem(message);
        }
    }

    private static Optional<YamlCursor> optional(Map<String, YamlCursor> fields, String key) {
        return Optional.ofNullable(fields.get(key));
    }

    private static <E> Optional<E> named(YamlCursor node, E[] values, Function<E, String> name) {
        return node.text().flatMap(text -> {
            for (E value : values) {
                if (name.apply(value).equals(text)) {
                    return Optional.of(value);
                }
            }
            StringBuilder expected = new StringBuilder();
            for (E value : values) {
                expected.append(expected.length() == 0 ? "" : ", ").append(name.apply(value));
            }
            node.problem("expected one of " + expected);
            return Optional.empty();
        });
    }

    private static Optional<URI> url(YamlCursor node) {
        return node.text().flatMap(text -> {
            try {
                URI uri = new URI(text);
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                    node.problem("expected an http:// or https:// URL");
                    return Optional.empty();
                }
                if (uri.getRawUserInfo() != null) {
                    node.problem("credentials do not belong in the token URL");
                    return Optional.empty();
                }
                return Optional.of(uri);
            } catch (URISyntaxException e) {
                node.problem("not a valid URL: " + e.getReason());
                return Optional.empty();
            }
        });
    }

    private static Optional<String> path(YamlCursor node) {
        return node.text().filter(text -> {
            if (!PATH.matcher(text).matches()) {
                node.problem("expected a dot path such as authed_user.access_token");
                return false;
            }
            return true;
        });
    }

    private static Optional<Double> percent(YamlCursor node) {
        return node.text().flatMap(text -> {
            Matcher matcher = PERCENT.matcher(text);
            if (!matcher.matches()) {
                node.problem("expected a percentage of the token lifetime between 1% and 99%, such as 80%");
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(matcher.group(1)) / 100.0);
        });
    }

    private Assertion assertion(YamlCursor node) {
        Map<String, YamlCursor> fields = node.mapping(ASSERTION_KEYS).orElse(Map.of());
        return new Assertion(optional(fields, "issuer").flatMap(YamlCursor::text),
                optional(fields, "subject").flatMap(YamlCursor::text),
                optional(fields, "audience").flatMap(YamlCursor::text),
                optional(fields, "lifetime").flatMap(durations).orElse(Duration.ofMinutes(5)));
    }

    private Map<String, String> parameters(YamlCursor node) {
        Map<String, String> parameters = new LinkedHashMap<>();
        node.mapping(null).ifPresent(all -> all.forEach((name, value) -> value.text().ifPresent(text -> {
            if (RESERVED_PARAMETERS.contains(name)) {
                value.problem(name + " is set by Latchkey from the credential's other keys");
            } else {
                parameters.put(name, text);
            }
        })));
        return parameters;
    }
}
