package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.policy.PolicyStatus;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.vertx.core.Vertx;

/** A valid new policy replaces the old one for new requests; an invalid one is refused and the old one serves. */
class PolicyReloadTest {

    Vertx vertx;
    EchoUpstream upstream;
    ProxyHarness proxy;
    @TempDir
    Path directory;

    static String policy(String prefix, int port) {
        return """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: reload-%1$s
                spec:
                  routes:
                    - name: api
                      prefix: /%1$s
                      upstream: http://127.0.0.1:%2$d
                """.formatted(prefix, port);
    }

    @BeforeEach
    void start() {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        proxy = ProxyHarness.start(vertx, directory, policy("one", upstream.port()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @Test
    void validChangeTakesEffect() {
        assertThat(proxy.get("/one/x").statusCode()).isEqualTo(200);
        proxy.replacePolicy(policy("two", upstream.port()));
        assertThat(proxy.get("/two/x").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/one/x").statusCode()).isEqualTo(403);
        PolicyStatus status = proxy.policyState().status().orElseThrow();
        assertThat(status.name()).isEqualTo("reload-two");
        assertThat(status.reloadsApplied()).isEqualTo(1);
        assertThat(status.lastRejection()).isEmpty();
    }

    @Test
    void invalidChangeKeepsTheOldPolicyAndSaysWhy() {
        proxy.replacePolicy(policy("two", upstream.port()).replace("upstream:", "upstreem:"));
        assertThat(proxy.get("/one/x").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/two/x").statusCode()).isEqualTo(403);
        PolicyStatus status = proxy.policyState().status().orElseThrow();
        assertThat(status.name()).isEqualTo("reload-one");
        assertThat(status.reloadsRejected()).isEqualTo(1);
        assertThat(status.lastRejection()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("spec.routes[0].upstreem: unknown key").contains("spec.routes[0].upstream: required")
                .contains("line 9"));
        // A later good version clears the rejection.
        proxy.replacePolicy(policy("three", upstream.port()));
        assertThat(proxy.get("/three/x").statusCode()).isEqualTo(200);
        assertThat(proxy.policyState().status().orElseThrow().lastRejection()).isEmpty();
    }

    @Test
    void unreadableCaBundleIsARejectionNotACrash() {
        proxy.replacePolicy(policy("two", upstream.port()).replace("http://", "https://")
                + "      caBundle: /nonexistent/ca.pem\n");
        assertThat(proxy.get("/one/x").statusCode()).isEqualTo(200);
        assertThat(proxy.policyState().status().orElseThrow().lastRejection())
                .hasValueSatisfying(reason -> assertThat(reason).contains("caBundle /nonexistent/ca.pem"));
    }

    @Test
    void watcherPicksUpAConfigMapSymlinkSwap() throws IOException {
        // Lay the policy out as a ConfigMap mount: policy.yaml -> ..data/policy.yaml, ..data -> ..v1
        Path mount = Files.createDirectories(directory.resolve("configmap"));
        writeVersion(mount, "..v1", policy("one", upstream.port()));
        Files.createSymbolicLink(mount.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
        Files.delete(proxy.policyFile());
        Files.createSymbolicLink(proxy.policyFile(), mount.resolve("policy.yaml"));
        writeVersion(mount, "..v2", policy("mounted", upstream.port()));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(proxy.get("/mounted/x").statusCode()).isEqualTo(200));
    }

    private static void writeVersion(Path mount, String version, String content) throws IOException {
        Path versionDirectory = Files.createDirectories(mount.resolve(version));
        Files.writeString(versionDirectory.resolve("policy.yaml"), content);
        Path temporaryLink = mount.resolve("..data_tmp");
        Files.deleteIfExists(temporaryLink);
        Files.createSymbolicLink(temporaryLink, Path.of(version));
        Files.move(temporaryLink, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
