package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.credential.CredentialStatus;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ManualClock;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.VaultDouble;
import io.vertx.core.Vertx;

/** {@code vault:} references through the proxy, and the DESIGN.md example loading unchanged with Vault set up. */
@ExtendWith(LogCapture.class)
class VaultCredentialsTest {

    static final String ROOT = "hvs.proxy-test-root";
    Vertx vertx;
    VaultDouble vault;
    EchoUpstream upstream;
    ProxyHarness proxy;
    ManualClock clock = new ManualClock();
    @TempDir
    Path directory;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        vault = new VaultDouble(vertx, ROOT);
        upstream = EchoUpstream.http(vertx);
        ProxyHarness.vaultAddress.set(vault.address());
    }

    @AfterEach
    void stop() {
        ProxyHarness.vaultAddress.remove();
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
        vault.close();
        vertx.close();
        LogCapture.assertNoneContain(ROOT, "vault-pass-v1", "vault-pass-v2");
    }

    @Test
    void vaultValuesAreInjectedAndNewVersionsReachRequestsWithinTheTtl() {
        vault.put("secret", "partner", Map.of("password", "vault-pass-v1"));
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: vault}
                spec:
                  credentials:
                    partner:
                      basic:
                        username: literal:partner
                        password: vault:secret/partner#password
                  routes:
                    - {name: partner, prefix: /partner, upstream: "http://127.0.0.1:%d", inject: [{basic: partner}]}
                """.formatted(upstream.port()), Map.of("VAULT_TOKEN", ROOT), clock);
        proxy.get("/partner/x");
        assertThat(upstream.last().headerValues("Authorization")).containsExactly(basic("partner:vault-pass-v1"));
        vault.put("secret", "partner", Map.of("password", "vault-pass-v2"));
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            proxy.get("/partner/x");
            assertThat(upstream.last().headerValues("Authorization")).containsExactly(basic("partner:vault-pass-v2"));
        });
    }

    @Test
    void designExampleLoadsUnchanged() throws IOException {
        vault.put("secret", "partner", Map.of("password", "vault-pass-v1"));
        vault.put("secret", "google", Map.of("client_secret", "google-secret", "refresh_token", "google-refresh"));
        String example;
        try (InputStream in = getClass().getResourceAsStream("/policies/design-example.yaml")) {
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        proxy = ProxyHarness.start(vertx, directory, example,
                Map.of("VAULT_TOKEN", ROOT, "PARTNER_USER", "partner", "GITHUB_TOKEN", "ghp_design"), clock);
        assertThat(proxy.policyState().status().orElseThrow().name()).isEqualTo("example");
        assertThat(proxy.policyState().status().orElseThrow().routes()).isEqualTo(4);
        assertThat(proxy.credentials().statuses()).extracting(CredentialStatus::name).containsExactly("github-pat",
                "weather-key", "partner", "slack-bot", "gmail");
        assertThat(proxy.credentials().statuses().stream().filter(s -> s.name().equals("partner")).findFirst()
                .orElseThrow().available()).isTrue();
    }

    static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
