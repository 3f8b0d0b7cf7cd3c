package io.latchkey.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.ValueSources;

/** Every problem in a policy is reported at once, each with its path and line, in words a person can act on. */
class PolicyParserTest {

    final PolicyParser parser = new PolicyParser(new ValueSources(name -> null,
            new FileWatcher(java.time.Duration.ofHours(1)))::checkSupported);

    static String resource(String name) throws IOException {
        try (InputStream in = PolicyParserTest.class.getResourceAsStream("/policies/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    List<PolicyProblem> problems(String yaml) {
        try {
            parser.parse(yaml, "test.yaml");
        } catch (PolicyException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems");
    }

    @Test
    void designExampleParsesAndReportsOnlyTheStoreThisVersionLacks() throws IOException {
        List<PolicyProblem> problems = problems(resource("design-example.yaml"));
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "line 14: spec.credentials.partner.basic.password: vault: references are not configured: set latchkey.vault.address to use Vault",
                "line 27: spec.credentials.gmail.oauth2.clientSecret: vault: references are not configured: set latchkey.vault.address to use Vault",
                "line 28: spec.credentials.gmail.oauth2.refreshToken: vault: references are not configured: set latchkey.vault.address to use Vault");
    }

    @Test
    void designExampleLoadsUnchangedWhenItsStoresAreAvailable() throws IOException {
        Policy policy = new PolicyParser(reference -> {
        }).parse(resource("design-example.yaml"), "design");
        assertThat(policy.routes()).extracting(RouteSpec::name).containsExactly("github", "weather", "partner",
                "gmail");
        RouteSpec github = policy.routes().get(0);
        assertThat(github.prefix()).hasValue("/github");
        assertThat(github.hosts()).containsExactly("api.github.com");
        assertThat(github.allow().methods()).containsExactlyInAnyOrder("GET", "POST", "PATCH");
        assertThat(github.inject()).hasSize(2);
        OAuth2Settings slack = ((CredentialSpec.OAuth2Spec) policy.credentials().get("slack-bot")).settings();
        assertThat(slack.grant()).isEqualTo(OAuth2Settings.Grant.CLIENT_CREDENTIALS);
        assertThat(slack.scopes()).containsExactly("chat:write", "channels:read");
        assertThat(slack.clientAuth()).isEqualTo(OAuth2Settings.ClientAuth.CLIENT_SECRET_BASIC);
        OAuth2Settings gmail = ((CredentialSpec.OAuth2Spec) policy.credentials().get("gmail")).settings();
        assertThat(gmail.grant()).isEqualTo(OAuth2Settings.Grant.REFRESH_TOKEN);
        assertThat(gmail.refreshAt()).isEqualTo(0.8);
    }

    @Test
    void oauth2GrantsNameWhatTheyNeed() {
        List<PolicyProblem> problems = problems(
                """
                        apiVersion: latchkey.io/v1alpha1
                        kind: EgressPolicy
                        metadata: {name: x}
                        spec:
                          credentials:
                            a: {oauth2: {grant: refresh_token, tokenUrl: "https://t.example/token", clientId: env:I, clientSecret: env:S}}
                            b: {oauth2: {grant: token_exchange, tokenUrl: "https://t.example/token", clientAuth: none}}
                            c: {oauth2: {grant: jwt_bearer, tokenUrl: "https://t.example/token", clientAuth: none}}
                            d: {oauth2: {grant: client_credentials, tokenUrl: "https://t.example/token", clientAuth: private_key_jwt}}
                            e: {oauth2: {grant: password, tokenUrl: "ftp://t.example", clientAuth: none, refreshAt: 120%}}
                            f: {oauth2: {grant: client_credentials, tokenUrl: "https://t.example/token", clientId: env:I}}
                            g: {oauth2: {grant: client_credentials, tokenUrl: "https://t.example/token", clientAuth: none,
                                         parameters: {grant_type: password}, accessTokenPath: "a..b"}}
                          routes: []
                        """);
        assertThat(problems).extracting(p -> p.path() + ": " + p.message()).containsExactly(
                "spec.credentials.a.oauth2: grant refresh_token needs refreshToken: a value reference to the refresh token",
                "spec.credentials.b.oauth2: grant token_exchange needs subjectToken: a value reference to the token to exchange",
                "spec.credentials.c.oauth2: grant jwt_bearer signs an assertion and needs privateKey: a PEM PKCS#8 key reference",
                "spec.credentials.c.oauth2: grant jwt_bearer needs assertion.issuer (or clientId, used as the issuer)",
                "spec.credentials.d.oauth2: private_key_jwt needs clientId",
                "spec.credentials.d.oauth2: private_key_jwt needs privateKey",
                "spec.credentials.e.oauth2.grant: expected one of client_credentials, refresh_token, jwt_bearer, token_exchange",
                "spec.credentials.e.oauth2.tokenUrl: expected an http:// or https:// URL",
                "spec.credentials.e.oauth2.refreshAt: expected a percentage of the token lifetime between 1% and 99%, such as 80%",
                "spec.credentials.f.oauth2: client_secret_basic needs clientSecret",
                "spec.credentials.g.oauth2.parameters.grant_type: grant_type is set by Latchkey from the credential's other keys",
                "spec.credentials.g.oauth2.accessTokenPath: expected a dot path such as authed_user.access_token");
    }

    @Test
    void everyProblemIsReportedAtOnceWithPathAndLine() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: broken
                spec:
                  credentials:
                    token:
                      secret: env:TOKEN
                  routes:
                    - name: a
                      prefix: /a
                      upstream: ftp://example.com
                    - name: b
                      prefix: b
                      upstream: https://example.com
                      allow:
                        methods: [get]
                      inject:
                        - query: {value: "${token}"}
                        - bearer: tokn
                """);
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "line 12: spec.routes[0].upstream: expected an http:// or https:// URL",
                "line 14: spec.routes[1].prefix: a prefix is a path such as /github: starts with '/', no trailing '/',"
                        + " no wildcards, no dot-segments",
                "line 17: spec.routes[1].allow.methods[0]: expected an upper-case HTTP method such as GET",
                "line 19: spec.routes[1].inject[0].query.name: required",
                "line 20: spec.routes[1].inject[1].bearer: unknown credential 'tokn'; spec.credentials defines token");
    }

    @Test
    void invalidPolicyMessageListsEveryProblemForAPerson() {
        assertThatThrownBy(() -> parser.parse("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - name: a
                      prefix: /a
                      upstream: https://example.com
                      inject: [{bearer: missing}]
                """, "/etc/latchkey/policy.yaml"))
                .isInstanceOf(PolicyException.class)
                .hasMessage("Policy /etc/latchkey/policy.yaml has 1 problem:\n"
                        + "  line 9: spec.routes[0].inject[0].bearer: unknown credential 'missing';"
                        + " spec.credentials defines none");
    }

    @Test
    void aCredentialNamesExactlyOneKind() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    both:
                      secret: env:A
                      basic: {username: env:U, password: env:P}
                    none: {}
                  routes: []
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly(
                "names more than one kind (secret, basic); a credential has exactly one",
                "names no kind; expected one of basic, oauth2, secret");
    }

    @Test
    void valueReferencesAreCheckedAndLiteralsNeverEchoed() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    raw: {secret: "ghp_pasted_without_scheme_123"}
                    rel: {secret: "file:relative/path"}
                    db: {secret: "db:github"}
                    env: {secret: "env:1BAD"}
                  routes: []
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly(
                "a value reference starts with env:, file:, vault:, db: or literal:",
                "file: needs an absolute path such as file:/var/run/secrets/api-key",
                "db: references are not configured: the embedded secret store is not set up",
                "env: needs a variable name such as env:GITHUB_TOKEN");
        assertThat(problems.toString()).doesNotContain("ghp_pasted_without_scheme_123");
    }

    @Test
    void templatesNameKnownCredentialsAndTheirFields() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    key: {secret: env:KEY}
                    login: {basic: {username: env:U, password: env:P}}
                  routes:
                    - name: r
                      prefix: /r
                      upstream: https://example.com
                      inject:
                        - header: {name: X-A, value: "${key.username}"}
                        - header: {name: X-B, value: "${login}"}
                        - header: {name: X-C, value: "${nope}"}
                        - header: {name: X-D, value: "${key"}
                        - header: {name: Content-Length, value: "1"}
                        - header: {name: "Bad Header", value: "1"}
                        - basic: key
                        - bearer: login
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly(
                "${key.username}: credential key has one value; write ${key}",
                "${login}: credential login is basic; write ${login.username} or ${login.password}",
                "unknown credential 'nope'; spec.credentials defines key, login",
                "'${' at position 0 has no closing '}'",
                "Content-Length describes the connection and cannot be injected",
                "not a valid header name",
                "basic needs a credential of kind basic; key is not one",
                "bearer needs a credential of kind secret; login is not one");
    }

    @Test
    void namesPrefixesAndHostsAreUnique() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - {name: a, prefix: /a, hosts: [api.example.com], upstream: "https://example.com"}
                    - {name: a, prefix: /a, hosts: [API.example.com], upstream: "https://example.com"}
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly(
                "route name a is already used by spec.routes[0]",
                "prefix /a is already used by route a",
                "host api.example.com is already used by route a");
    }

    @Test
    void unknownKeysAndDuplicateKeysAreReported() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - name: a
                      prefix: /a
                      prefix: /b
                      upstream: https://example.com
                      timeout: 5s
                """);
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "line 8: spec.routes[0].prefix: duplicate key",
                "line 10: spec.routes[0].timeout: unknown key; expected one of allow, caBundle, connectTimeout, hosts,"
                        + " http2, idleTimeout, inject, name, passCallerAuthorization, prefix, tunnel, upstream");
    }

    @Test
    void malformedYamlPointsAtTheLine() {
        List<PolicyProblem> problems = problems("apiVersion: latchkey.io/v1alpha1\nkind: [EgressPolicy\nspec: {}\n");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).line()).isEqualTo(3);
        assertThat(problems.get(0).message()).startsWith("not valid YAML");
    }

    @Test
    void wrongDocumentKindIsReported() {
        List<PolicyProblem> problems = problems("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x}
                spec: {routes: []}
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly("expected latchkey.io/v1alpha1",
                "expected EgressPolicy");
    }

    @Test
    void tunnelRoutesNeedHostsAndCannotInject() {
        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    k: {secret: env:K}
                  routes:
                    - {name: t, prefix: /t, upstream: "https://example.com", tunnel: true, inject: [{bearer: k}]}
                """);
        assertThat(problems).extracting(PolicyProblem::message).containsExactly(
                "a tunnel carries TLS bytes it cannot read, so a tunnel route cannot inject",
                "a tunnel route needs hosts: the hosts a CONNECT may reach");
    }

    @Test
    void timeoutsAndDefaults() {
        Policy policy = parser.parse("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - {name: a, prefix: /a, upstream: "https://example.com/v1/", connectTimeout: 250ms, idleTimeout: 0}
                    - {name: b, prefix: /b/c, upstream: "http://example.com"}
                """, "t");
        RouteSpec a = policy.routes().get(0);
        assertThat(a.connectTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(a.idleTimeout()).isEmpty();
        RouteSpec b = policy.routes().get(1);
        assertThat(b.connectTimeout()).isEqualTo(RouteSpec.DEFAULT_CONNECT_TIMEOUT);
        assertThat(b.idleTimeout()).hasValue(RouteSpec.DEFAULT_IDLE_TIMEOUT);
        assertThat(b.allow()).isEqualTo(Allow.ANY);
        assertThat(b.passCallerAuthorization()).isFalse();
    }

    @Test
    void http2IsOfferedOnlyToHttpsUpstreamsAndOnlyWhenAsked() {
        Policy policy = parser.parse("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - {name: a, prefix: /a, upstream: "https://example.com", http2: true}
                    - {name: b, prefix: /b, upstream: "https://example.com"}
                """, "t");
        assertThat(policy.routes()).extracting(RouteSpec::http2).containsExactly(true, false);

        List<PolicyProblem> problems = problems("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - {name: a, prefix: /a, upstream: "http://example.com", http2: true}
                """);
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "line 6: spec.routes[0].http2: http2 applies to https upstreams only (HTTP/2 is offered during the TLS"
                        + " handshake)");
    }
}
