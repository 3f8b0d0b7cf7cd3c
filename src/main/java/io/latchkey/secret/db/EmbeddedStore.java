package io.latchkey.secret.db;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.latchkey.LatchkeyConfig;
import io.latchkey.audit.AuditLifecycle;
import io.latchkey.database.DatabaseLifecycle;
import io.latchkey.secret.EmbeddedSecrets;
import io.latchkey.secret.StoredSecrets;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.crypto.KeyRing;
import io.latchkey.secret.crypto.SecretCipher;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The embedded {@code db:} store as the application runs it: opened when the database is on and
 * {@code latchkey.crypto.keys} is set, its keys checked against what is stored before the policy loads, and its
 * values read again every cache TTL.
 */
@ApplicationScoped
public class EmbeddedStore implements EmbeddedSecrets {

    /** After the database starts, before the data plane loads the policy. */
    static final int START_PRIORITY = 200;
    private static final Duration FIRST_ATTEMPT_WAIT = Duration.ofSeconds(15);

    private final LatchkeyConfig config;
    private final DatabaseLifecycle database;
    private final AuditLifecycle audit;
    private final Vertx vertx;
    private volatile DbSecretStore store;
    private volatile String unavailableReason = "the embedded store has not started";

    public EmbeddedStore(LatchkeyConfig config, DatabaseLifecycle database, AuditLifecycle audit, Vertx vertx) {
        this.config = config;
        this.database = database;
        this.audit = audit;
        this.vertx = vertx;
    }

    /**
     * @throws IllegalArgumentException when {@code latchkey.crypto.keys} is malformed or cannot be read
     * @throws IllegalStateException when the keys cannot open what is stored
     */
    void onStart(@Observes @Priority(START_PRIORITY) StartupEvent event) {
        if (database.get().isEmpty()) {
            unavailableReason = "db: references need the database, which is switched off (latchkey.database.enabled)";
            return;
        }
        if (config.crypto().keys().isEmpty()) {
            unavailableReason = "db: references need latchkey.crypto.keys (see the README, 'Embedded secret store')";
            return;
        }
        KeyRing keys = KeyRing.parse(readKeys(config.crypto().keys().get()));
        // The policy may read db: values as it loads: give the database its first chance to answer.
        database.get().get().awaitFirstAttempt(FIRST_ATTEMPT_WAIT);
        DbSecretStore opened = new DbSecretStore(database.get().get(), new SecretCipher(keys),
                InstantSource.system(), config.database().cacheTtl(), config.database().grace(), audit.trail());
        opened.verifyKeys();
        vertx.setPeriodic(config.database().cacheTtl().toMillis(), id -> {
            if (database.get().get().available()) {
                opened.reload();
            }
        });
        store = opened;
    }

    private static String readKeys(String referenceText) {
        ValueReference reference;
        try {
            reference = ValueReference.parse(referenceText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("latchkey.crypto.keys: " + e.getMessage());
        }
        if (reference instanceof ValueReference.Env env) {
            String value = System.getenv(env.variable());
            if (value == null) {
                throw new IllegalArgumentException("latchkey.crypto.keys: environment variable " + env.variable()
                        + " is not set");
            }
            return value;
        }
        if (reference instanceof ValueReference.File file) {
            try {
                return Files.readString(file.path());
            } catch (IOException e) {
                throw new IllegalArgumentException("latchkey.crypto.keys: cannot read " + file.path() + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        throw new IllegalArgumentException("latchkey.crypto.keys must be an env: or file: reference");
    }

    /** The store, when it is open. */
    public Optional<DbSecretStore> get() {
        return Optional.ofNullable(store);
    }

    @Override
    public Optional<StoredSecrets> store() {
        return Optional.ofNullable(store);
    }

    /** What the admin API works with, when the store is open. */
    public Optional<DbSecretAdmin> admin() {
        return get().map(DbSecretAdmin::new);
    }

    @Override
    public String unavailableReason() {
        return unavailableReason;
    }
}
