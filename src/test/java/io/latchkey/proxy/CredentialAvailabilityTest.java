package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.credential.CredentialStatus;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ProxyHarness;
import io.vertx.core.Vertx;

/**
 * File-backed secrets follow their file, including the symlink swap Kubernetes performs on Secret mounts; a missing
 * or unusable value makes only its own routes answer 503.
 */
@ExtendWith(LogCapture.class)
class CredentialAvailabilityTest {

    static final String FIRST = "first-file-secret-2b7e";
    static final String SECOND = "second-file-secret-91ac";
    static final String MOUNTED_FIRST = "mounted-secret-v1-5d0c";
    static final String MOUNTED_SECOND = "mounted-secret-v2-e6f3";
    static final String WITH_NEWLINE = "good-then\nX-Evil: injected";

    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;
    static Path plainFile;
    static Path mount;

    @BeforeAll
    static void start(@TempDir Path directory) throws IOException {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        plainFile = directory.resolve("token");
        Files.writeString(plainFile, FIRST + "\n");
        mount = Files.createDirectories(directory.resolve("mount"));
        kubernetesSecretUpdate(mount, "..2026_11_26_v1", MOUNTED_FIRST);
        Files.createSymbolicLink(mount.resolve("api-key"), Path.of("..data/api-key"));
        Path badFile = directory.resolve("bad");
        Files.writeString(badFile, WITH_NEWLINE);
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: credentials
                spec:
                  credentials:
                    from-file:
                      secret: file:%s
                    from-mount:
                      secret: file:%s
                    from-env:
                      secret: env:PRESENT
                    missing-env:
                      secret: env:NOT_SET_ANYWHERE
                    missing-file:
                      secret: file:%s
                    bad-value:
                      secret: file:%s
                  routes:
                    - {name: file, prefix: /file, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: from-file}]}
                    - {name: mount, prefix: /mount, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: from-mount}]}
                    - {name: env, prefix: /env, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: from-env}]}
                    - {name: no-env, prefix: /no-env, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: missing-env}]}
                    - {name: no-file, prefix: /no-file, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: missing-file}]}
                    - {name: bad, prefix: /bad, upstream: "http://127.0.0.1:%5$d", inject: [{bearer: bad-value}]}
                    - name: two
                      prefix: /two
                      upstream: "http://127.0.0.1:%5$d"
                      inject:
                        - header: {name: X-First, value: "${from-env}"}
                        - header: {name: X-Second, value: "${missing-env}"}
                """.formatted(plainFile, mount.resolve("api-key"), directory.resolve("absent"), badFile,
                upstream.port()), Map.of("PRESENT", "env-secret-4a1d"));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
        LogCapture.assertNoneContain(FIRST, SECOND, MOUNTED_FIRST, MOUNTED_SECOND, "env-secret-4a1d", "good-then");
    }

    /** Writes a new timestamped directory and swaps the {@code ..data} link to it, as the kubelet does. */
    static void kubernetesSecretUpdate(Path mount, String version, String value) throws IOException {
        Path versionDirectory = Files.createDirectories(mount.resolve(version));
        Files.writeString(versionDirectory.resolve("api-key"), value);
        Path temporaryLink = mount.resolve("..data_tmp");
        Files.deleteIfExists(temporaryLink);
        Files.createSymbolicLink(temporaryLink, Path.of(version));
        Files.move(temporaryLink, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void fileSecretRotationReachesNewRequestsWithoutRestart() throws IOException {
        assertThat(proxy.get("/file/x").statusCode()).isEqualTo(200);
        assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer " + FIRST);
        Path next = plainFile.resolveSibling("token.next");
        Files.writeString(next, SECOND);
        Files.move(next, plainFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            proxy.get("/file/x");
            assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer " + SECOND);
        });
    }

    @Test
    void kubernetesSymlinkSwapReachesNewRequests() throws IOException {
        proxy.get("/mount/x");
        assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer " + MOUNTED_FIRST);
        kubernetesSecretUpdate(mount, "..2026_11_26_v2", MOUNTED_SECOND);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            proxy.get("/mount/x");
            assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer " + MOUNTED_SECOND);
        });
    }

    @Test
    void environmentValueIsInjected() {
        proxy.get("/env/x");
        assertThat(upstream.last().headerValues("Authorization")).containsExactly("Bearer env-secret-4a1d");
    }

    @Test
    void missingVariableAnswers503OnItsRouteOnly() {
        int before = upstream.received().size();
        HttpResponse<String> response = proxy.get("/no-env/x");
        RoutingTest.assertError(response, 503, "credential_unavailable", "no-env");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.body()).contains("NOT_SET_ANYWHERE");
        assertThat(upstream.received()).hasSize(before);
        assertThat(proxy.get("/env/x").statusCode()).isEqualTo(200);
    }

    @Test
    void missingFileAnswers503() {
        RoutingTest.assertError(proxy.get("/no-file/x"), 503, "credential_unavailable", "no-file");
    }

    @Test
    void valueWithLineBreakNeverReachesTheWire() {
        int before = upstream.received().size();
        HttpResponse<String> response = proxy.get("/bad/x");
        RoutingTest.assertError(response, 503, "credential_unavailable", "bad");
        assertThat(response.body()).doesNotContain("good-then").doesNotContain("X-Evil");
        assertThat(upstream.received()).hasSize(before);
    }

    @Test
    void aRouteWithOneUnavailableCredentialSendsNothing() {
        int before = upstream.received().size();
        RoutingTest.assertError(proxy.get("/two/x"), 503, "credential_unavailable", "two");
        assertThat(upstream.received()).hasSize(before);
    }

    @Test
    void readinessDataNamesReasonsNotValues() {
        assertThat(proxy.credentials().statuses()).extracting(CredentialStatus::name, CredentialStatus::available)
                .contains(org.assertj.core.groups.Tuple.tuple("from-env", true),
                        org.assertj.core.groups.Tuple.tuple("missing-env", false),
                        org.assertj.core.groups.Tuple.tuple("bad-value", false));
        String all = proxy.credentials().statuses().toString();
        assertThat(all).contains("NOT_SET_ANYWHERE").doesNotContain("env-secret-4a1d").doesNotContain("good-then");
    }
}
