package io.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.vertx.core.Vertx;

/**
 * The packaged application, started the way the README starts it: {@code java -jar} with {@code LATCHKEY_POLICY}.
 */
class PackagedApplicationIT {

    static final Path RUNNER = Path.of(System.getProperty("latchkey.runner", "target/quarkus-app/quarkus-run.jar"));
    static final Pattern LISTENING = Pattern.compile("Latchkey proxy listening on http://127.0.0.1:(\\d+)");

    @TempDir
    Path directory;

    Process start(Path policy, Path output) throws IOException {
        return start(policy, output, Map.of());
    }

    Process start(Path policy, Path output, Map<String, String> environment) throws IOException {
        return start(policy, output, List.of(), environment);
    }

    /** The jar on free ports with {@code jvmOptions}, IT_TOKEN set, and {@code environment} over that. */
    static Process start(Path policy, Path output, List<String> jvmOptions, Map<String, String> environment)
            throws IOException {
        return start(RUNNER, policy, output, jvmOptions, environment);
    }

    /** As above, for the build whose runner jar is {@code runner}. */
    static Process start(Path runner, Path policy, Path output, List<String> jvmOptions,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dquarkus.http.port=0", "-Dquarkus.management.port=0", "-Dlatchkey.proxy.port=0",
                "-jar", runner.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LATCHKEY_POLICY", policy.toString());
        builder.environment().put("IT_TOKEN", "packaged-it-token-55e1");
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return builder.start();
    }

    @Test
    void eachBuildIsOneJarOnTheJdkClassPathWithItsEntriesStored() throws IOException {
        // application.properties (uber-jar, stored, the file itself left out) and pom.xml (names); the other tests
        // here start these very jars.
        for (Path runner : List.of(RUNNER, WithoutDatabaseBuildIT.RUNNER)) {
            try (JarFile jar = new JarFile(runner.toFile())) {
                Attributes manifest = jar.getManifest().getMainAttributes();
                assertThat(manifest.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("io.latchkey.LatchkeyMain");
                assertThat(manifest.getValue(Attributes.Name.CLASS_PATH)).as("nothing outside the jar").isBlank();
                assertThat(jar.getEntry("io/latchkey/proxy/DataPlane.class")).isNotNull();
                assertThat(jar.getEntry("io/vertx/core/Vertx.class")).as("dependencies inside").isNotNull();
                assertThat(jar.getEntry("application.properties")).as("recorded by the build instead").isNull();
                assertThat(Collections.list(jar.entries())).as(runner.toString()).hasSizeGreaterThan(10_000)
                        .allSatisfy(entry -> assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED));
            }
        }
    }

    @Test
    void invalidPolicyStopsStartUpWithEveryProblemListed() throws Exception {
        Path policy = directory.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: broken}
                spec:
                  routes:
                    - name: github
                      prefix: /github
                      upstream: https://api.github.com
                      inject:
                        - bearer: github-pat
                    - name: other
                      upstream: https://example.com
                """);
        String log = failedStartUp(policy, "out.log", Map.of());
        assertThat(log).contains("has 2 problems")
                .contains("line 10: spec.routes[0].inject[0].bearer: unknown credential 'github-pat'")
                .contains("line 11: spec.routes[1]: a route needs a prefix (base-URL mode), hosts (forward mode) or both");
    }

    @Test
    void startsOnEmbeddedDefaultsAndProxies() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EchoUpstream upstream = EchoUpstream.http(vertx)) {
            Path policy = echoPolicy(directory, upstream.port());
            Path output = directory.resolve("out.log");
            Process process = start(policy, output);
            try {
                assertProxiesWithToken(awaitListening(output, process), upstream, "packaged-it-token-55e1");
            } finally {
                stopsOnSigterm(process);
            }
            assertThat(Files.readString(output)).doesNotContain("packaged-it-token-55e1");
            // application.properties is left out of the jar; the values it sets, recorded by the build, still apply:
            // production logs one JSON object per line (quarkus.log.console.json.enabled, set only there).
            assertThat(Files.readAllLines(output)).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).startsWith("{\"timestamp\":"));
        } finally {
            vertx.close();
        }
    }

    @Test
    void keysThatCannotOpenStoredSecretsStopStartUp() throws Exception {
        // A database of its own, holding one value sealed with a key the process will not be given.
        String server = System.getenv().getOrDefault("LATCHKEY_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/latchkey");
        String user = System.getenv().getOrDefault("LATCHKEY_TEST_DATABASE_USER", "postgres");
        String itUrl = server.substring(0, server.lastIndexOf('/') + 1) + "latchkey_it";
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection("jdbc:" + server, user, "")) {
            admin.createStatement().execute("DROP DATABASE IF EXISTS latchkey_it");
            admin.createStatement().execute("CREATE DATABASE latchkey_it");
        }
        Path policy = echoPolicy(directory, 9); // never called: this test is about start-up
        String key = "it-k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        Path first = directory.resolve("first.log");
        Process migrate = start(policy, first, Map.of("LATCHKEY_DATABASE_URL", itUrl, "QUARKUS_DATASOURCE_USERNAME", user,
                "IT_KEYS", key, "LATCHKEY_CRYPTO_KEYS", "env:IT_KEYS"));
        try {
            awaitListening(first, migrate);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> Files.readString(first).contains("Database available"));
        } finally {
            migrate.destroy();
            migrate.waitFor(30, TimeUnit.SECONDS);
        }
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:" + itUrl, user, "")) {
            connection.createStatement().execute("INSERT INTO stored_secret (name, key_id, nonce, ciphertext, version,"
                    + " created_at, updated_at) VALUES ('it/orphan', 'it-gone', '\\x000102030405060708090a0b',"
                    + " '\\x00', 1, now(), now())");
        }

        assertThat(failedStartUp(policy, "keys.log", Map.of("LATCHKEY_DATABASE_URL", itUrl,
                "QUARKUS_DATASOURCE_USERNAME", user, "IT_KEYS", key, "LATCHKEY_CRYPTO_KEYS", "env:IT_KEYS")))
                .contains("latchkey.crypto.keys cannot open stored secrets")
                .contains("db:it/orphan was sealed with key it-gone, which latchkey.crypto.keys does not hold")
                .doesNotContain(key.substring("it-k1:".length()));

        assertThat(failedStartUp(policy, "malformed.log", Map.of("LATCHKEY_DATABASE_URL", itUrl,
                "QUARKUS_DATASOURCE_USERNAME", user, "IT_KEYS", "it-k1:not*base64", "LATCHKEY_CRYPTO_KEYS", "env:IT_KEYS")))
                .contains("latchkey.crypto.keys: key it-k1 is not valid base64")
                .doesNotContain("not*base64");
    }

    @Test
    void dbReferencesWithoutTheStoreStopStartUpWithTheReason() throws Exception {
        Path policy = directory.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: stored}
                spec:
                  credentials:
                    token: {secret: "db:team/token"}
                  routes:
                    - {name: echo, prefix: /echo, upstream: "http://127.0.0.1:9", inject: [{bearer: token}]}
                """);
        assertThat(failedStartUp(policy, "database-off.log", Map.of("LATCHKEY_DATABASE_ENABLED", "false")))
                .contains("line 6: spec.credentials.token.secret: db: references need the database, which is switched off");
        // The database stays on (unreachable here), without keys.
        assertThat(failedStartUp(policy, "no-keys.log", Map.of("LATCHKEY_DATABASE_URL", "postgresql://127.0.0.1:9/none")))
                .contains("line 6: spec.credentials.token.secret: db: references need latchkey.crypto.keys");
    }

    /** Sends SIGTERM and expects the process to be gone within 30 seconds. */
    static void stopsOnSigterm(Process process) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }

    /** Starts the jar, expects it to exit with a non-zero status within a minute, and returns what it printed. */
    String failedStartUp(Path policy, String logName, Map<String, String> environment) throws Exception {
        return failedStartUp(RUNNER, policy, directory.resolve(logName), environment);
    }

    /** Starts the build whose runner jar is {@code runner}, which must exit non-zero; its output. */
    static String failedStartUp(Path runner, Path policy, Path output, Map<String, String> environment)
            throws Exception {
        Process process = start(runner, policy, output, List.of(), environment);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits").isTrue();
        assertThat(process.exitValue()).isNotZero();
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    @Test
    void validateCommandChecksWithoutStarting() throws Exception {
        Path bad = directory.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: latchkey.io/v1alpha1\nkind: EgressPolicy\nmetadata: {name: b}\nspec: {}\n");
        Path output = directory.resolve("validate.log");
        Process process = new ProcessBuilder(java(),
                "-jar", RUNNER.toString(), "validate", bad.toString(),
                Path.of(System.getProperty("latchkey.examples", "examples")).resolve("quickstart-policy.yaml").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        String log = Files.readString(output);
        assertThat(log).contains("line 4: spec.routes: required").contains("quickstart-policy.yaml: valid")
                .doesNotContain("listening");
    }

    @Test
    void quickstartExampleStarts() throws Exception {
        Path output = directory.resolve("out.log");
        Process process = start(Path.of(System.getProperty("latchkey.examples", "examples"))
                .resolve("quickstart-policy.yaml"), output);
        try {
            awaitListening(output, process);
            assertThat(Files.readString(output)).contains("Policy quickstart loaded");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A policy with one route, /echo to the upstream on {@code port}, injecting the bearer token from IT_TOKEN. */
    static Path echoPolicy(Path directory, int port) throws IOException {
        return Files.writeString(directory.resolve("policy.yaml"), """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: packaged}
                spec:
                  credentials:
                    token: {secret: env:IT_TOKEN}
                  routes:
                    - {name: echo, prefix: /echo, upstream: "http://127.0.0.1:%d", inject: [{bearer: token}]}
                """.formatted(port));
    }

    /** One request through the proxy on {@code port}: answered 200, and the upstream saw the token. */
    static void assertProxiesWithToken(int port, EchoUpstream upstream, String token) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo/hi")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer " + token);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits, bounded, for the log line that names the proxy port. */
    static int awaitListening(Path output, Process process) throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(50))
                .failFast("exited early", () -> !process.isAlive())
                .until(() -> LISTENING.matcher(Files.readString(output, StandardCharsets.UTF_8)).find());
        Matcher matcher = LISTENING.matcher(Files.readString(output, StandardCharsets.UTF_8));
        if (!matcher.find()) {
            throw new AssertionError("never started:\n" + Files.readString(output));
        }
        return Integer.parseInt(matcher.group(1));
    }
}
