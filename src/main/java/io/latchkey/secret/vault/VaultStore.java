package io.latchkey.secret.vault;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditTrail;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.SingleFlight;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.WritableValueSource;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData;
import io.quarkus.vault.client.common.VaultRequest;

/**
 * KV v2 secrets from Vault, cached in memory. Reads on the request path never reach Vault: values are read when a
 * policy is loaded and then again every {@code cacheTtl} in the background, so a new version reaches new requests
 * within that time. While Vault is unreachable, cached values keep serving until their TTL plus {@code grace}; after
 * that the credentials that need them are unavailable and readiness reports Vault DOWN, until it answers again.
 */
public final class VaultStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VaultStore.class);

    /** A read secret version; its fields are values. */
    private record Snapshot(Map<String, Object> data, int version, Instant readAt) {
    }

    /** One KV v2 secret (optionally pinned to a version) that some credential uses. */
    private final class Entry {
        final String mount;
        final String path;
        final Integer pinned;
        final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
        volatile String lastError;
        final AtomicReference<CompletableFuture<Void>> reading = new AtomicReference<>();

        Entry(String mount, String path, Integer pinned) {
            this.mount = mount;
            this.path = path;
            this.pinned = pinned;
        }

        /** A read that starts after any read already in flight, so it sees every write made before this call. */
        CompletableFuture<Void> readAfresh() {
            CompletableFuture<Void> running = reading.get();
            return running == null ? read() : running.thenCompose(ignored -> read());
        }

        CompletableFuture<Void> read() {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> claimed = SingleFlight.claim(reading, mine);
            if (claimed != mine) {
                return claimed;
            }
            client.secrets().kv2(mount).readSecret(path, pinned).whenComplete((data, error) -> {
                if (error == null) {
                    accept(data);
                } else {
                    fail(error);
                }
                reading.set(null);
                mine.complete(null);
            });
            return mine;
        }

        private void accept(VaultSecretsKV2ReadSecretData data) {
            int version = versionOf(data);
            Snapshot previous = snapshot.getAndSet(new Snapshot(
                    data.getData() == null ? Map.of() : Map.copyOf(data.getData()), version, clock.instant()));
            lastError = null;
            lastSuccess.set(clock.instant());
            if (previous != null && previous.version() != version) {
                LOG.infof("Vault secret %s/%s is now at version %d; new requests use it", mount, path, version);
            }
            if (previous == null || previous.version() != version) {
                audit.record(AuditEvent.credential(clock.instant(), null, "secret_read",
                        "vault:" + mount + "/" + path + " version " + version));
            }
        }

        private void fail(Throwable error) {
            if (closed) {
                // A read still under way when the store closed (its connection closed with the client): not Vault
                // failing, and nothing reads this store's state any more.
                LOG.debugf("Reading Vault secret %s/%s ended as the store closed: %s", mount, path, describe(error));
                return;
            }
            lastError = describe(error);
            lastFailure.set(lastError);
            LOG.warnf("Reading Vault secret %s/%s failed: %s", mount, path, lastError);
            audit.record(AuditEvent.credential(clock.instant(), null, "secret_read_failed",
                    "vault:" + mount + "/" + path + ": " + lastError));
        }

        Resolution field(String field) {
            Snapshot current = snapshot.get();
            if (current == null) {
                return Resolution.unavailable("vault:" + mount + "/" + path + " has not been read"
                        + (lastError == null ? "" : ": " + lastError));
            }
            if (pinned == null && clock.instant().isAfter(current.readAt().plus(settings.cacheTtl()).plus(
                    settings.grace()))) {
                return Resolution.unavailable("vault:" + mount + "/" + path + " could not be read again for longer"
                        + " than its cache TTL plus grace" + (lastError == null ? "" : ": " + lastError));
            }
            Object value = current.data().get(field);
            if (!(value instanceof String text)) {
                return Resolution.unavailable("vault:" + mount + "/" + path + " has no string field " + field);
            }
            Secret secret = Secret.of(text);
            if (secret.containsControlCharacter()) {
                return Resolution.unavailable("vault:" + mount + "/" + path + "#" + field
                        + " contains CR, LF, NUL or another control character and cannot be sent");
            }
            return Resolution.available(secret);
        }
    }

    private final VaultSettings settings;
    private final VaultClient client;
    private final InstantSource clock;
    private final AuditTrail audit;
    private final VaultLease lease;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param schedule arranges for a task to run after a delay (Vert.x timers; a manual clock in tests)
     */
    public VaultStore(VaultSettings settings, VaultClient client, InstantSource clock,
            java.util.function.BiConsumer<Duration, Runnable> schedule) {
        this(settings, client, clock, schedule, AuditTrail.NONE, schedule);
    }

    /**
     * As above, telling the audit trail about each secret read and each failed read.
     *
     * @param timer real-time delays (Vert.x timers) between attempts to take a refresh lease
     */
    public VaultStore(VaultSettings settings, VaultClient client, InstantSource clock,
            java.util.function.BiConsumer<Duration, Runnable> schedule, AuditTrail audit,
            java.util.function.BiConsumer<Duration, Runnable> timer) {
        this.audit = audit;
        this.lease = new VaultLease(this, InstantSource.system(), VaultLease.DEFAULT_TTL, VaultLease.DEFAULT_WAIT,
                timer);
        this.settings = settings;
        this.client = client;
        this.clock = clock;
        scheduleRefresh(schedule);
    }

    private void scheduleRefresh(java.util.function.BiConsumer<Duration, Runnable> schedule) {
        schedule.accept(settings.cacheTtl(), () -> {
            if (closed) {
                return;
            }
            entries.values().stream().filter(e -> e.pinned == null).forEach(Entry::read);
            scheduleRefresh(schedule);
        });
    }

    /**
     * A value source for one reference. The first read waits (bounded by the request timeout) so that a policy loads
     * with its values; call it off the event loop.
     */
    public ValueSource open(ValueReference.Vault reference) {
        Integer pinned = reference.version().isPresent() ? reference.version().getAsInt() : null;
        String key = reference.mount() + "/" + reference.path() + (pinned == null ? "" : "@" + pinned);
        Entry entry = entries.computeIfAbsent(key, k -> new Entry(reference.mount(), reference.path(), pinned));
        if (entry.snapshot.get() == null) {
            try {
                entry.read().get(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                entry.lastError = "no answer within " + settings.requestTimeout().toSeconds() + "s";
            }
        }
        String description = reference.describe();
        return new WritableValueSource() {
            @Override
            public Resolution current() {
                return entry.field(reference.field());
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public CompletionStage<Void> write(Secret value) {
                if (pinned != null) {
                    return CompletableFuture.failedFuture(new IllegalStateException(
                            description + " is pinned to a version and cannot be written"));
                }
                return VaultStore.this.write(reference, value.reveal()).thenApply(version -> null);
            }

            @Override
            public CompletionStage<Void> reread() {
                return entry.readAfresh();
            }

            /** A lease in Vault next to the secret, taken with check-and-set: see {@link VaultLease}. */
            @Override
            public <T> CompletionStage<T> exclusively(java.util.function.Supplier<CompletionStage<T>> work) {
                return lease.exclusively(reference.mount() + "/" + reference.path(), work);
            }
        };
    }

    /**
     * Writes a new value of one field with check-and-set on the version that was read, so two replicas can never
     * silently overwrite each other. Completes with the new version; fails with {@link VaultWriteConflict} when
     * another writer got there first.
     */
    public CompletionStage<Integer> write(ValueReference.Vault reference, String value) {
        Entry entry = entries.get(reference.mount() + "/" + reference.path());
        Snapshot read = entry == null ? null : entry.snapshot.get();
        int casVersion = read == null ? 0 : read.version();
        Map<String, Object> data = new java.util.HashMap<>(read == null ? Map.of() : read.data());
        data.put(reference.field(), value);
        return casWrite(reference.mount(), reference.path(), data, casVersion, reference.describe())
                .thenApply(version -> {
                    if (entry != null) {
                        entry.read();
                    }
                    return version;
                });
    }

    /**
     * Writes a whole KV v2 secret if its current version is {@code casVersion} (0: only if it does not exist).
     * Completes with the new version; fails with {@link VaultWriteConflict} when the version moved on.
     */
    CompletionStage<Integer> casWrite(String mount, String path, Map<String, Object> data, int casVersion,
            String description) {
        // The typed KV v2 update of the client sends options.cas as a boolean; Vault wants the version number.
        VaultRequest<Map> request = VaultRequest.<Map> post("Latchkey KV2 check-and-set write")
                .path(mount, "data", path)
                .body(Map.of("options", Map.of("cas", casVersion), "data", data))
                .expectOkStatus()
                .build(io.quarkus.vault.client.common.VaultJSONResultExtractor.of(Map.class));
        return client.execute(request).handle((response, error) -> {
            if (error != null) {
                if (Integer.valueOf(400).equals(status(error))) {
                    throw new VaultWriteConflict(description + " changed since it was read (version " + casVersion
                            + ")");
                }
                throw new IllegalStateException("writing " + description + " failed: " + describe(error));
            }
            Object payload = ((Map<?, ?>) response.getResult()).get("data");
            Object version = payload instanceof Map<?, ?> map ? map.get("version") : null;
            return version instanceof Number number ? number.intValue() : casVersion + 1;
        });
    }

    /** Reads a whole KV v2 secret's data and version; a secret that does not exist reads as empty, version 0. */
    CompletionStage<Map.Entry<Map<String, Object>, Integer>> readWhole(String mount, String path) {
        return client.secrets().kv2(mount).readSecret(path).handle((data, error) -> {
            if (error == null) {
                return Map.entry(data.getData() == null ? Map.<String, Object> of() : data.getData(), versionOf(data));
            }
            if (Integer.valueOf(404).equals(status(error))) {
                return Map.entry(Map.<String, Object> of(), 0);
            }
            throw new IllegalStateException("reading " + mount + "/" + path + " failed: " + describe(error));
        });
    }

    /** Readiness: Vault answered within the cache TTL plus grace, or nothing has been asked of it yet. */
    public Optional<String> problem() {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Instant success = lastSuccess.get();
        if (success != null && !clock.instant().isAfter(success.plus(settings.cacheTtl()).plus(settings.grace()))) {
            return Optional.empty();
        }
        return Optional.of("Vault at " + settings.address() + " has not answered"
                + (success == null ? " yet" : " since " + success) + Optional.ofNullable(lastFailure.get())
                        .map(f -> ": " + f).orElse(""));
    }

    public URI address() {
        return settings.address();
    }

    private static int versionOf(VaultSecretsKV2ReadSecretData data) {
        return data.getMetadata() == null || data.getMetadata().getVersion() == null ? 0
                : data.getMetadata().getVersion();
    }

    /** The failure inside the stages' and futures' wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Vault's HTTP status, when the failure is Vault's answer; null otherwise. */
    private static Integer status(Throwable error) {
        return unwrap(error) instanceof VaultClientException vault ? vault.getStatus() : null;
    }

    private static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof VaultClientException vault) {
            Integer status = vault.getStatus();
            if (status != null && status == 403) {
                return "permission denied (403)";
            }
            if (status != null && status == 404) {
                return "not found (404)";
            }
            return "HTTP " + status;
        }
        if (cause instanceof VaultUnreachableException unreachable) {
            return unreachable.getMessage();
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        closed = true;
    }
}
