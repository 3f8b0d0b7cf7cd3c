package io.latchkey.secret.db;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditTrail;
import io.latchkey.database.Database;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.SingleFlight;
import io.latchkey.secret.StoredSecrets;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.WritableValueSource;
import io.latchkey.secret.crypto.SealedValueException;
import io.latchkey.secret.crypto.SecretCipher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;

/**
 * The embedded secret store: {@code db:} values sealed with AES-256-GCM in PostgreSQL, as the data plane reads them.
 * Requests never reach the database: every value is read (and opened) into memory when the store starts, again every
 * {@code cacheTtl}, and at once after a write through this store. While the database is unreachable, values keep
 * serving until their TTL plus {@code grace}. Writes of values read earlier are check-and-set on the stored version,
 * so two replicas can never silently overwrite each other. What operators do to stored values is
 * {@link DbSecretAdmin}'s.
 */
public final class DbSecretStore implements StoredSecrets {

    private static final Logger LOG = Logger.getLogger(DbSecretStore.class);
    private static final long FIRST_LOAD_TIMEOUT_SECONDS = 10;
    /** Longest wait for another replica's refresh to finish; a token request is bounded well below it. */
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

    /** A stored secret as last read: its value (or why it cannot be opened) and its version. */
    private record Cached(Resolution value, int version) {
    }

    final Database database;
    final SecretCipher cipher;
    final InstantSource clock;
    private final Duration cacheTtl;
    private final Duration grace;
    final AuditTrail audit;
    private final AtomicReference<Map<String, Cached>> values = new AtomicReference<>(Map.of());
    private final AtomicReference<CompletableFuture<Void>> loading = new AtomicReference<>();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile Instant loadedAt;
    private volatile String loadProblem = "not read yet";

    public DbSecretStore(Database database, SecretCipher cipher, InstantSource clock, Duration cacheTtl,
            Duration grace, AuditTrail audit) {
        this.database = database;
        this.cipher = cipher;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
        this.grace = grace;
        this.audit = audit;
        database.whenAvailable(this::reload);
    }

    /**
     * Reads every stored value now and opens each with the key ring, waiting (bounded) for the answer. Used at
     * start-up: a value that the configured keys cannot open is a start-up error, never garbage later.
     *
     * @throws IllegalStateException naming the secrets and keys at fault
     */
    public void verifyKeys() {
        if (!database.available()) {
            return; // checked when the database arrives; until then db: values are unavailable
        }
        try {
            reload().toCompletableFuture().get(FIRST_LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("db: secrets could not be read at start-up (%s); retrying in the background", loadProblem);
            return;
        }
        List<String> unreadable = new ArrayList<>();
        values.get().forEach((name, cached) -> {
            if (cached.value() instanceof Resolution.Unavailable unavailable) {
                unreadable.add(unavailable.reason());
            }
        });
        if (!unreadable.isEmpty()) {
            unreadable.sort(null);
            throw new IllegalStateException("latchkey.crypto.keys cannot open stored secrets: "
                    + String.join("; ", unreadable));
        }
    }

    /** Reads every value again; concurrent calls share one read. */
    public CompletionStage<Void> reload() {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> claimed = SingleFlight.claim(loading, mine);
        if (claimed != mine) {
            return claimed;
        }
        database.run(() -> Panache.withSession(() -> StoredSecretEntity.<StoredSecretEntity> listAll()))
                .whenComplete((rows, error) -> {
                    if (error == null) {
                        Map<String, Cached> read = new HashMap<>();
                        for (StoredSecretEntity row : rows) {
                            read.put(row.name, new Cached(open(row), row.version));
                        }
                        Map<String, Cached> before = values.get();
                        read.forEach((name, fresh) -> recordIfNewer(name, before.get(name), fresh));
                        // A write through this replica that landed after this read began keeps its newer version.
                        values.updateAndGet(current -> {
                            Map<String, Cached> next = new HashMap<>(read);
                            read.forEach((name, fresh) -> {
                                Cached known = current.get(name);
                                if (known != null && known.version() > fresh.version()) {
                                    next.put(name, known);
                                }
                            });
                            return Map.copyOf(next);
                        });
                        loadedAt = clock.instant();
                        loadProblem = null;
                    } else {
                        loadProblem = database.problem().orElse(error.getClass().getSimpleName());
                    }
                    loading.set(null);
                    mine.complete(null);
                });
        return mine;
    }

    /**
     * Reads one value now, in a read of its own: unlike {@link #reload()} it never joins a read that started
     * earlier, so under a lock it sees every write made before the lock was taken.
     */
    private CompletionStage<Void> readOne(String name) {
        return database.run(() -> Panache.withSession(() -> StoredSecretEntity.<StoredSecretEntity> findById(name)))
                .thenAccept(row -> {
                    Cached fresh = row == null ? null : new Cached(open(row), row.version);
                    if (fresh != null) {
                        recordIfNewer(name, values.get().get(name), fresh);
                    }
                    update(name, fresh);
                });
    }

    private Resolution open(StoredSecretEntity row) {
        try {
            Secret secret = Secret.of(cipher.open(row.name, row.sealed()));
            if (secret.containsControlCharacter()) {
                return Resolution.unavailable("db:" + row.name + " contains a control character and cannot be sent");
            }
            return Resolution.available(secret);
        } catch (SealedValueException e) {
            return Resolution.unavailable(e.getMessage());
        }
    }

    /** Audits a value read for the first time or at a new version: that it was read, or why it cannot be opened. */
    private void recordIfNewer(String name, Cached known, Cached read) {
        if (known != null && known.version() >= read.version()) {
            return;
        }
        audit.record(read.value() instanceof Resolution.Unavailable unavailable
                ? AuditEvent.credential(clock.instant(), null, "secret_read_failed", unavailable.reason())
                : AuditEvent.credential(clock.instant(), null, "secret_read", "db:" + name + " version " + read.version()));
    }

    @Override
    public ValueSource open(ValueReference.Db reference) {
        String name = reference.name();
        opened.incrementAndGet();
        return new WritableValueSource() {
            @Override
            public Resolution current() {
                return resolve(name);
            }

            @Override
            public String describe() {
                return reference.describe();
            }

            @Override
            public CompletionStage<Void> write(Secret value) {
                Cached read = values.get().get(name);
                return writeIfUnchanged(name, value, read == null ? 0 : read.version());
            }

            @Override
            public CompletionStage<Void> reread() {
                return readOne(name);
            }

            /** A PostgreSQL advisory lock on this secret's name, seen by every replica sharing the database. */
            @Override
            public <T> CompletionStage<T> exclusively(Supplier<CompletionStage<T>> work) {
                return database.withAdvisoryLock("latchkey/db/" + name, LOCK_TIMEOUT, work);
            }
        };
    }

    private Resolution resolve(String name) {
        Instant loaded = loadedAt;
        if (loaded == null) {
            return Resolution.unavailable("db:" + name + " has not been read: " + loadProblem);
        }
        if (!current(loaded)) {
            return Resolution.unavailable("db:" + name + " could not be read again for longer than its cache TTL"
                    + " plus grace: " + loadProblem);
        }
        Cached cached = values.get().get(name);
        if (cached == null) {
            return Resolution.unavailable("db:" + name + " does not exist; store it with the admin API");
        }
        return cached.value();
    }

    /**
     * Stores a value only if the stored version is still {@code readVersion} (0: only if none is stored yet).
     * Fails with {@link DbWriteConflict} when another writer got there first.
     */
    public CompletionStage<Void> writeIfUnchanged(String name, Secret value, int readVersion) {
        checkValue(value);
        Instant now = clock.instant();
        var sealed = cipher.seal(name, value.reveal());
        return database.run(() -> Panache.withTransaction(() -> {
            if (readVersion == 0) {
                return StoredSecretEntity.created(name, sealed, now).persist().replaceWith(1);
            }
            return StoredSecretEntity.update("keyId = :keyId, nonce = :nonce, ciphertext = :ciphertext,"
                    + " version = version + 1, updatedAt = :now where name = :name and version = :read",
                    Parameters.with("keyId", sealed.keyId()).and("nonce", sealed.nonce())
                            .and("ciphertext", sealed.ciphertext()).and("now", now).and("name", name)
                            .and("read", readVersion));
        })).handle((updated, error) -> {
            if (error != null || updated == 0) {
                reload();
                if (error != null && !isUniqueViolation(error)) {
                    throw new IllegalStateException("writing db:" + name + " failed: "
                            + database.problem().orElse(error.getClass().getSimpleName()));
                }
                throw new DbWriteConflict("db:" + name + " changed since it was read (version " + readVersion + ")");
            }
            cache(name, value, readVersion + 1);
            return null;
        });
    }

    /** Whether a policy has asked for {@code db:} values since start-up. */
    public boolean inUse() {
        return opened.get() > 0;
    }

    /** Readiness: why {@code db:} values cannot be served, or empty while they can. */
    public Optional<String> problem() {
        Instant loaded = loadedAt;
        if (loaded != null && current(loaded)) {
            return Optional.empty();
        }
        return Optional.of("db: secrets " + (loaded == null ? "have not been read" : "were last read at " + loaded)
                + ": " + loadProblem);
    }

    /** Whether values read at {@code loaded} may still serve: within their cache TTL plus grace. */
    private boolean current(Instant loaded) {
        return !clock.instant().isAfter(loaded.plus(cacheTtl).plus(grace));
    }

    /** Serves a value just written through this replica at its new version. */
    void cache(String name, Secret value, int version) {
        update(name, new Cached(Resolution.available(value), version));
    }

    /** Stops serving a value just deleted through this replica. */
    void forget(String name) {
        update(name, null);
    }

    /** Replaces (or, with null, removes) one cached value atomically. */
    private void update(String name, Cached cached) {
        values.updateAndGet(current -> {
            Map<String, Cached> next = new HashMap<>(current);
            if (cached == null) {
                next.remove(name);
            } else {
                next.put(name, cached);
            }
            return Map.copyOf(next);
        });
    }

    /** @throws IllegalArgumentException when the value is empty or holds a control character */
    static void checkValue(Secret value) {
        if (value.reveal().isEmpty()) {
            throw new IllegalArgumentException("the value is empty");
        }
        if (value.containsControlCharacter()) {
            throw new IllegalArgumentException("the value contains CR, LF, NUL or another control character");
        }
    }

    private static boolean isUniqueViolation(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).contains("23505")) {
                return true;
            }
        }
        return false;
    }
}
