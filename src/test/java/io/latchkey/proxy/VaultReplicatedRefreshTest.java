package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ManualClock;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.ReplicaLoad;
import io.latchkey.testing.SingleUseRefreshTokenServer;
import io.latchkey.testing.VaultDouble;
import io.vertx.core.Vertx;

/**
 * Three replicas share one single-use refresh token kept in Vault, with no database: a lease in Vault, taken with
 * check-and-set, lets one refresh at a time, and each re-reads the token after taking it.
 */
@ExtendWith(LogCapture.class)
class VaultReplicatedRefreshTest {

    static final String ROOT = "hvs.replicated-root";
    static final int LIFETIME_SECONDS = 600;

    @Test
    void replicasSharingARefreshTokenInVaultNeverReuseIt() throws Exception {
        Vertx vertx = ProxyHarness.newVertx();
        ManualClock clock = new ManualClock();
        List<ProxyHarness> replicas = new ArrayList<>();
        try (VaultDouble vault = new VaultDouble(vertx, ROOT);
                SingleUseRefreshTokenServer provider = new SingleUseRefreshTokenServer(vertx, "refresh-0",
                        LIFETIME_SECONDS);
                EchoUpstream upstream = EchoUpstream.http(vertx)) {
            vault.put("secret", "crm", Map.of("refresh_token", "refresh-0"));
            String policy = """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata: {name: vault-replicated}
                    spec:
                      credentials:
                        crm:
                          oauth2:
                            grant: refresh_token
                            tokenUrl: %s
                            clientId: literal:crm-client
                            clientAuth: none
                            refreshToken: vault:secret/crm#refresh_token
                      routes:
                        - {name: crm, prefix: /crm, upstream: "http://127.0.0.1:%d", inject: [{bearer: crm}]}
                    """.formatted(provider.url(), upstream.port());
            ProxyHarness.vaultAddress.set(vault.address());
            try {
                for (int i = 0; i < 3; i++) {
                    replicas.add(ProxyHarness.start(vertx, Files.createTempDirectory("vault-replica-" + i), policy,
                            Map.of("VAULT_TOKEN", ROOT), clock));
                }
            } finally {
                ProxyHarness.vaultAddress.remove();
            }

            int served = ReplicaLoad.run(replicas, clock, Duration.ofSeconds(LIFETIME_SECONDS), 4, 500, "/crm/x");

            assertThat(served).isEqualTo(3 * 4 * 500);
            assertThat(provider.invalidGrants()).as("refresh tokens presented twice").isZero();
            assertThat(provider.refreshes()).isBetween(3 * 4, 3 * 5);
            assertThat(vault.read("secret", "crm").getString("refresh_token"))
                    .isEqualTo(provider.currentRefreshToken());
            assertThat(vault.read("secret", "latchkey-locks/crm").getString("holder")).as("lease released").isEmpty();
        } finally {
            replicas.forEach(ProxyHarness::close);
            vertx.close();
        }
    }
}
