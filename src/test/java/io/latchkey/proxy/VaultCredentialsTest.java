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
        vertx = ProxyHarness.newVertx();
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
    void rotatedRefreshTokensAreWrittenBackToVault() {
        vault.put("secret", "google", Map.of("client_secret", "google-secret", "refresh_token", "refresh-v1"));
        try (var tokens = new io.latchkey.testing.ScriptedTokenEndpoint(vertx)) {
            tokens.otherwise(n -> io.latchkey.testing.ScriptedTokenEndpoint.Answer.json(
                    "{\"access_token\":\"access-" + n + "\",\"expires_in\":3600,\"refresh_token\":\"refresh-v"
                            + (n + 1) + "\"}"));
            proxy = ProxyHarness.start(vertx, directory, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata: {name: rotation}
                    spec:
                      credentials:
                        gmail:
                          oauth2:
                            grant: refresh_token
                            tokenUrl: %s
                            clientId: literal:google-client
                            clientSecret: vault:secret/google#client_secret
                            refreshToken: vault:secret/google#refresh_token
                      routes:
                        - {name: gmail, prefix: /gmail, upstream: "http://127.0.0.1:%d", inject: [{bearer: gmail}]}
                    """.formatted(tokens.url(), upstream.port()), Map.of("VAULT_TOKEN", ROOT), clock);
            assertThat(proxy.get("/gmail/x").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> "refresh-v2".equals(vault.read("secret", "google").getString("refresh_token")));
            assertThat(vault.read("secret", "google").getString("client_secret")).isEqualTo("google-secret");
            // Minute by minute, as time passes for real: each minute the cache re-reads Vault; at 80% of the token
            // lifetime (48 min) the background refresh presents the refresh token Vault now holds.
            for (int minute = 0; minute < 50; minute++) {
                int seen = vault.requests().size();
                clock.advance(Duration.ofMinutes(1));
                await().atMost(Duration.ofSeconds(10)).until(() -> vault.requests().size() > seen);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> "refresh-v3".equals(vault.read("secret", "google").getString("refresh_token")));
            assertThat(tokens.received()).extracting(r -> TokenBodies.value(r.body(), "refresh_token"))
                    .containsExactly("refresh-v1", "refresh-v2");
        }
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

    /** Reads form-encoded token request bodies. */
    static final class TokenBodies {
        static String value(String body, String name) {
            for (String pair : body.split("&")) {
                String[] parts = pair.split("=", 2);
                if (parts[0].equals(name)) {
                    return java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
