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
    void designExampleParsesAndReportsOnlyTheStoresAndKindsThisVersionLacks() throws IOException {
        List<PolicyProblem> problems = problems(resource("design-example.yaml"));
        assertThat(problems).extracting(PolicyProblem::toString).containsExactly(
                "line 14: spec.credentials.partner.basic.password: vault: references are not configured: no Vault store is set up",
                "line 17: spec.credentials.slack-bot.oauth2: oauth2 credentials are not available in this version of Latchkey",
                "line 24: spec.credentials.gmail.oauth2: oauth2 credentials are not available in this version of Latchkey");
    }

    @Test
    void designExampleShapeIsUnderstoodWhenItsStoresAreAvailable() throws IOException {
        String example = resource("design-example.yaml");
        PolicyParser permissive = new PolicyParser(reference -> {
        });
        List<PolicyProblem> problems;
        try {
            permissive.parse(example, "design");
            problems = List.of();
        } catch (PolicyException e) {
            problems = e.problems();
        }
        // Only the oauth2 kind remains (the token-cache issue); routes, allow-lists and injections all parse.
        assertThat(problems).extracting(PolicyProblem::path).containsExactly("spec.credentials.slack-bot.oauth2",
                "spec.credentials.gmail.oauth2");
        String withoutOauth = example.replaceAll("(?s)    slack-bot:.*?(  routes:)", "$1")
                .replace("    - name: gmail\n      prefix: /gmail\n      upstream: https://gmail.googleapis.com\n"
                        + "      inject:\n        - bearer: gmail\n", "");
        Policy policy = permissive.parse(withoutOauth, "design");
        assertThat(policy.routes()).extracting(RouteSpec::name).containsExactly("github", "weather", "partner");
        RouteSpec github = policy.routes().get(0);
        assertThat(github.prefix()).hasValue("/github");
        assertThat(github.hosts()).containsExactly("api.github.com");
        assertThat(github.allow().methods()).containsExactlyInAnyOrder("GET", "POST", "PATCH");
        assertThat(github.inject()).hasSize(2);
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
                        + " idleTimeout, inject, name, passCallerAuthorization, prefix, tunnel, upstream");
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
}
