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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dquarkus.http.port=0", "-Dquarkus.management.port=0", "-Dlatchkey.proxy.port=0",
                "-jar", RUNNER.toString()));
        builder.environment().put("LATCHKEY_POLICY", policy.toString());
        builder.environment().put("IT_TOKEN", "packaged-it-token-55e1");
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return builder.start();
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
        Path output = directory.resolve("out.log");
        Process process = start(policy, output);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits").isTrue();
        assertThat(process.exitValue()).isNotZero();
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(log).contains("has 2 problems")
                .contains("line 10: spec.routes[0].inject[0].bearer: unknown credential 'github-pat'")
                .contains("line 11: spec.routes[1]: a route needs a prefix (base-URL mode), hosts (forward mode) or both");
    }

    @Test
    void startsOnEmbeddedDefaultsAndProxies() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EchoUpstream upstream = EchoUpstream.http(vertx)) {
            Path policy = directory.resolve("policy.yaml");
            Files.writeString(policy, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata: {name: packaged}
                    spec:
                      credentials:
                        token: {secret: env:IT_TOKEN}
                      routes:
                        - {name: echo, prefix: /echo, upstream: "http://127.0.0.1:%d", inject: [{bearer: token}]}
                    """.formatted(upstream.port()));
            Path output = directory.resolve("out.log");
            Process process = start(policy, output);
            try {
                int port = awaitListening(output, process);
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo/hi")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(upstream.last().headerValues("Authorization"))
                        .containsExactly("Bearer packaged-it-token-55e1");
            } finally {
                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            }
            assertThat(Files.readString(output)).doesNotContain("packaged-it-token-55e1");
        } finally {
            vertx.close();
        }
    }

    @Test
    void validateCommandChecksWithoutStarting() throws Exception {
        Path bad = directory.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: latchkey.io/v1alpha1\nkind: EgressPolicy\nmetadata: {name: b}\nspec: {}\n");
        Path output = directory.resolve("validate.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
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
