package io.latchkey.secret.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.audit.AuditEvent;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.WritableValueSource;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ManualClock;
import io.latchkey.testing.VaultDouble;
import io.vertx.core.Vertx;

/** Vault KV v2 through the real client against a loopback Vault double; time on a clock the test advances. */
@ExtendWith(LogCapture.class)
class VaultStoreTest {

    static final String ROOT_TOKEN = "hvs.root-token-for-tests";
    Vertx vertx;
    VaultDouble vault;
    ManualClock clock;
    VaultStore store;
    @TempDir
    Path directory;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        vault = new VaultDouble(vertx, ROOT_TOKEN);
        vault.put("secret", "partner", Map.of("password", "partner-pass-v1", "user", "partner"));
        clock = new ManualClock();
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        vault.close();
        vertx.close();
        LogCapture.assertNoneContain(ROOT_TOKEN, "partner-pass-v1", "partner-pass-v2", "rotated-refresh");
    }

    VaultSettings settings(VaultSettings.AuthMethod method) {
        return new VaultSettings(URI.create(vault.address()), Optional.empty(), Optional.empty(), method,
                Optional.empty(), "kubernetes", Optional.of("latchkey"), directory.resolve("sa-token"), "approle",
                Optional.of("role-1"), Optional.empty(), Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofSeconds(5));
    }

    VaultStore open(VaultSettings.AuthMethod method, ValueSource token, ValueSource secretId) {
        store = new VaultStore(settings(method),
                VaultClients.create(vertx, settings(method), token, secretId, clock), clock, clock::schedule);
        return store;
    }

    static ValueSource fixed(String value) {
        return new ValueSource() {
            @Override
            public Resolution current() {
                return Resolution.available(Secret.of(value));
            }

            @Override
            public String describe() {
                return "test";
            }
        };
    }

    static ValueReference.Vault ref(String text) {
        return (ValueReference.Vault) ValueReference.parse(text);
    }

    static String value(ValueSource source) {
        Resolution resolution = source.current();
        return resolution instanceof Resolution.Available available ? available.value().reveal()
                : "unavailable: " + ((Resolution.Unavailable) resolution).reason();
    }

    @Test
    void aReadCutShortByClosingTheStoreIsNotReportedAsAFailedRead() throws Exception {
        List<AuditEvent> audited = new CopyOnWriteArrayList<>();
        VaultSettings settings = settings(VaultSettings.AuthMethod.TOKEN);
        store = new VaultStore(settings, VaultClients.create(vertx, settings, fixed(ROOT_TOKEN), null, clock), clock,
                clock::schedule, audited::add, clock::schedule);
        WritableValueSource password = (WritableValueSource) store.open(ref("vault:secret/partner#password"));
        assertThat(value(password)).isEqualTo("partner-pass-v1");
        vault.hold(true);

        int linesBefore = LogCapture.lines().size();
        CompletableFuture<Void> open = password.reread().toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> vault.heldCount() == 1);
        vault.dropHeld();
        open.get(10, TimeUnit.SECONDS);
        assertThat(failedReadWarnings(linesBefore)).as("a read that fails while the store is open").singleElement()
                .asString().contains("failed: no answer from Vault").doesNotContain("NullPointerException");
        assertThat(audited).filteredOn(event -> event.decision().equals("secret_read_failed")).hasSize(1);

        linesBefore = LogCapture.lines().size();
        CompletableFuture<Void> closing = password.reread().toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> vault.heldCount() == 1);
        store.close();
        vault.dropHeld();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(failedReadWarnings(linesBefore)).as("a read ended by closing the store").isEmpty();
        assertThat(LogCapture.lines().subList(linesBefore, LogCapture.lines().size()))
                .anyMatch(line -> line.contains("ended as the store closed"));
        assertThat(audited).filteredOn(event -> event.decision().equals("secret_read_failed")).hasSize(1);
        assertThat(value(password)).as("the value read before stays").isEqualTo("partner-pass-v1");
    }

    private static List<String> failedReadWarnings(int linesBefore) {
        List<String> lines = LogCapture.lines();
        return lines.subList(linesBefore, lines.size()).stream()
                .filter(line -> line.startsWith("WARN") && line.contains("Reading Vault secret")).toList();
    }

    @Test
    void readsAFieldAndSeesANewVersionWithinTheCacheTtl() {
        open(VaultSettings.AuthMethod.TOKEN, fixed(ROOT_TOKEN), null);
        ValueSource password = store.open(ref("vault:secret/partner#password"));
        ValueSource pinned = store.open(ref("vault:secret/partner#password@1"));
        assertThat(value(password)).isEqualTo("partner-pass-v1");
        vault.put("secret", "partner", Map.of("password", "partner-pass-v2"));
        assertThat(value(password)).as("cached until the TTL").isEqualTo("partner-pass-v1");
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(password).equals("partner-pass-v2"));
        assertThat(value(pinned)).as("@1 pins the version").isEqualTo("partner-pass-v1");
        assertThat(store.problem()).isEmpty();
    }

    @Test
    void missingSecretsAndFieldsAreUnavailableWithAReason() {
        open(VaultSettings.AuthMethod.TOKEN, fixed(ROOT_TOKEN), null);
        assertThat(value(store.open(ref("vault:secret/absent#x")))).contains("not found (404)");
        assertThat(value(store.open(ref("vault:secret/partner#nope")))).contains("has no string field nope");
    }

    @Test
    void aWrongTokenIsPermissionDenied() {
        open(VaultSettings.AuthMethod.TOKEN, fixed("hvs.wrong"), null);
        assertThat(value(store.open(ref("vault:secret/partner#password")))).contains("permission denied (403)");
        assertThat(store.problem()).hasValueSatisfying(p -> assertThat(p).contains("has not answered yet"));
    }

    @Test
    void vaultDownKeepsServingUntilTtlPlusGraceThenReportsAndRecovers() {
        open(VaultSettings.AuthMethod.TOKEN, fixed(ROOT_TOKEN), null);
        ValueSource password = store.open(ref("vault:secret/partner#password"));
        vault.down(true);
        for (int minute = 1; minute <= 5; minute++) {
            clock.advance(Duration.ofMinutes(1));
            assertThat(value(password)).as("minute %d: within TTL + grace", minute).isEqualTo("partner-pass-v1");
        }
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(password).startsWith("unavailable"));
        assertThat(store.problem()).hasValueSatisfying(p -> assertThat(p).contains(vault.address())
                .contains("no answer from Vault").doesNotContain("NullPointerException"));
        vault.down(false);
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(password).equals("partner-pass-v1"));
        assertThat(store.problem()).isEmpty();
    }

    @Test
    void writesUseCheckAndSetOnTheVersionThatWasRead() throws Exception {
        open(VaultSettings.AuthMethod.TOKEN, fixed(ROOT_TOKEN), null);
        ValueReference.Vault token = ref("vault:secret/partner#refresh_token");
        store.open(token);
        int version = store.write(token, "rotated-refresh-1").toCompletableFuture().get();
        assertThat(version).isEqualTo(2);
        assertThat(vault.read("secret", "partner").getString("refresh_token")).isEqualTo("rotated-refresh-1");
        assertThat(vault.read("secret", "partner").getString("password")).as("other fields kept")
                .isEqualTo("partner-pass-v1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> value(store.open(token)).equals("rotated-refresh-1"));
        // Another replica writes first: our write, still based on version 2, must not overwrite it.
        vault.put("secret", "partner", Map.of("refresh_token", "rotated-refresh-by-other"));
        assertThatThrownBy(() -> store.write(token, "rotated-refresh-2").toCompletableFuture().join())
                .hasCauseInstanceOf(VaultWriteConflict.class);
        assertThat(vault.read("secret", "partner").getString("refresh_token")).isEqualTo("rotated-refresh-by-other");
    }

    @Test
    void kubernetesLogin() throws Exception {
        Files.writeString(directory.resolve("sa-token"), "eyJhbGciOi.service-account.jwt");
        vault.acceptKubernetesJwt("eyJhbGciOi.service-account.jwt");
        open(VaultSettings.AuthMethod.KUBERNETES, null, null);
        assertThat(value(store.open(ref("vault:secret/partner#password")))).isEqualTo("partner-pass-v1");
        assertThat(vault.requests()).contains("POST /v1/auth/kubernetes/login");
    }

    @Test
    void approleLogin() {
        vault.acceptAppRole("secret-id-1");
        open(VaultSettings.AuthMethod.APPROLE, null, fixed("secret-id-1"));
        assertThat(value(store.open(ref("vault:secret/partner#password")))).isEqualTo("partner-pass-v1");
        assertThat(vault.requests()).contains("POST /v1/auth/approle/login");
    }

    @Test
    void theVaultTokenIsRenewedBeforeItsLeaseRunsOut() throws Exception {
        Files.writeString(directory.resolve("sa-token"), "eyJhbGciOi.service-account.jwt");
        vault.acceptKubernetesJwt("eyJhbGciOi.service-account.jwt");
        open(VaultSettings.AuthMethod.KUBERNETES, null, null);
        ValueSource password = store.open(ref("vault:secret/partner#password"));
        assertThat(vault.requests()).doesNotContain("POST /v1/auth/token/renew-self");
        // The login lease is 3600 s; the background reads every minute carry the token towards its end.
        for (int minute = 0; minute < 60; minute++) {
            int seen = vault.requests().size();
            clock.advance(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> vault.requests().size() > seen);
        }
        assertThat(vault.requests()).contains("POST /v1/auth/token/renew-self");
        assertThat(vault.requests().stream().filter(r -> r.equals("POST /v1/auth/kubernetes/login"))).hasSize(1);
        assertThat(value(password)).isEqualTo("partner-pass-v1");
    }

    @Test
    void logsInAgainWhenTheTokenWasRevoked() throws Exception {
        Files.writeString(directory.resolve("sa-token"), "eyJhbGciOi.service-account.jwt");
        vault.acceptKubernetesJwt("eyJhbGciOi.service-account.jwt");
        open(VaultSettings.AuthMethod.KUBERNETES, null, null);
        ValueSource password = store.open(ref("vault:secret/partner#password"));
        vault.revokeAllTokens();
        vault.put("secret", "partner", Map.of("password", "partner-pass-v2"));
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(password).equals("partner-pass-v2"));
        assertThat(vault.requests().stream().filter(r -> r.equals("POST /v1/auth/kubernetes/login"))).hasSize(2);
    }
}
