package io.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.audit.AuditTrail;
import io.latchkey.database.Database;
import io.latchkey.database.DatabaseLifecycle;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.crypto.KeyRing;
import io.latchkey.secret.crypto.SecretCipher;
import io.latchkey.secret.db.DbSecretAdmin;
import io.latchkey.secret.db.DbSecretStore;
import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ManualClock;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.ReplicaLoad;
import io.latchkey.testing.SingleUseRefreshTokenServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * Three Latchkey replicas (three data planes, each with its own embedded-store cache) share one rotating refresh
 * token in PostgreSQL, against a token endpoint that accepts each refresh token once. Under load across several
 * token lifetimes, the advisory lock and the re-read after it keep every refresh on the newest token.
 */
@QuarkusTest
@QuarkusTestResource(UpstreamAndPolicyResource.class)
class ReplicatedRefreshTest {

    static final int REPLICAS = 3;
    static final int REQUESTS_PER_REPLICA = 500;
    static final int LIFETIMES = 4;
    static final int LIFETIME_SECONDS = 600;

    @Inject
    DatabaseLifecycle databaseLifecycle;

    @Test
    void replicasSharingASingleUseRefreshTokenNeverReuseIt() throws Exception {
        Database database = databaseLifecycle.get().orElseThrow();
        SecretCipher cipher = new SecretCipher(KeyRing.parse(System.getenv("LATCHKEY_TEST_CRYPTO_KEYS")));
        String name = "replicated/refresh-" + System.nanoTime();
        Vertx vertx = Vertx.vertx();
        ManualClock clock = new ManualClock();
        List<ProxyHarness> replicas = new ArrayList<>();
        List<DbSecretStore> stores = new ArrayList<>();
        try (SingleUseRefreshTokenServer provider = new SingleUseRefreshTokenServer(vertx, "refresh-0",
                LIFETIME_SECONDS); EchoUpstream upstream = EchoUpstream.http(vertx)) {
            String policy = """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata:
                      name: replicated
                    spec:
                      credentials:
                        api:
                          oauth2:
                            grant: refresh_token
                            tokenUrl: %s
                            clientId: literal:replicated-client
                            clientAuth: none
                            refreshToken: db:%s
                      routes:
                        - name: api
                          prefix: /api
                          upstream: http://127.0.0.1:%d
                          inject:
                            - bearer: api
                    """.formatted(provider.url(), name, upstream.port());
            for (int i = 0; i < REPLICAS; i++) {
                DbSecretStore store = new DbSecretStore(database, cipher, InstantSource.system(), Duration.ofSeconds(30),
                        Duration.ofMinutes(5), AuditTrail.NONE);
                stores.add(store);
            }
            new DbSecretAdmin(stores.get(0)).put(name, Secret.of("refresh-0")).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < REPLICAS; i++) {
                stores.get(i).reload().toCompletableFuture().get(10, TimeUnit.SECONDS);
                ProxyHarness.databaseSecrets.set(stores.get(i));
                try {
                    replicas.add(ProxyHarness.start(vertx, Files.createTempDirectory("replica-" + i), policy, Map.of(),
                            clock));
                } finally {
                    ProxyHarness.databaseSecrets.remove();
                }
            }

            int served = ReplicaLoad.run(replicas, clock, Duration.ofSeconds(LIFETIME_SECONDS), LIFETIMES,
                    REQUESTS_PER_REPLICA, "/api/call");

            assertThat(served).isEqualTo(REPLICAS * REQUESTS_PER_REPLICA * LIFETIMES);
            assertThat(provider.invalidGrants()).as("refresh tokens presented twice").isZero();
            // Each replica refreshes once per lifetime (and once at start), one after another, never concurrently.
            assertThat(provider.refreshes()).isBetween(REPLICAS * LIFETIMES, REPLICAS * (LIFETIMES + 1));
            assertThat(upstream.received()).allSatisfy(request -> assertThat(provider.issued(
                    request.headerValues("Authorization").get(0).substring("Bearer ".length()))).isTrue());
            // Everyone ends on the newest refresh token: stored, and what each replica's cache reads back.
            String newest = provider.currentRefreshToken();
            for (DbSecretStore store : stores) {
                store.reload().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(store.open(new ValueReference.Db(name)).current())
                        .isEqualTo(Resolution.available(Secret.of(newest)));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(replicas).allSatisfy(
                    replica -> assertThat(replica.credentials().statuses()).allSatisfy(
                            status -> assertThat(status.available()).isTrue())));
        } finally {
            replicas.forEach(ProxyHarness::close);
            new DbSecretAdmin(stores.get(0)).delete(name).toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
