package io.latchkey.secret.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.persistence.LockModeType;

import io.latchkey.audit.AuditEvent;
import io.latchkey.secret.Secret;
import io.latchkey.secret.crypto.SealedValue;
import io.latchkey.secret.crypto.SealedValueException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * What operators do to the embedded store (the admin API): store and remove values, list them without their values,
 * and seal them again under the active key. Each change is audited and reaches this replica's in-memory copy at once;
 * other replicas see it at their next read.
 */
public final class DbSecretAdmin {

    /** What operators see of a stored secret: never its value. */
    public record Metadata(String name, int version, String keyId, Instant createdAt, Instant updatedAt) {
    }

    /** What re-encryption did: values now under the active key, and those that could not be opened. */
    public record Reencryption(String activeKey, int reencrypted, int alreadyCurrent, List<String> failed) {
    }

    private final DbSecretStore store;

    /** Works on the store's database and keys, and keeps its in-memory copy current. */
    public DbSecretAdmin(DbSecretStore store) {
        this.store = store;
    }

    /**
     * Stores a value whatever was there before.
     *
     * @throws IllegalArgumentException when the value is empty or holds a control character
     */
    public CompletionStage<Metadata> put(String name, Secret value) {
        DbSecretStore.checkValue(value);
        Instant now = store.clock.instant();
        return store.database.run(() -> Panache.withTransaction(() -> StoredSecretEntity
                .<StoredSecretEntity> findById(name)
                .onItem().transformToUni(existing -> {
                    SealedValue sealed = store.cipher.seal(name, value.reveal());
                    if (existing == null) {
                        return StoredSecretEntity.created(name, sealed, now).<StoredSecretEntity> persist();
                    }
                    existing.seal(sealed);
                    existing.version++;
                    existing.updatedAt = now;
                    return Uni.createFrom().item(existing);
                })
                .map(DbSecretAdmin::metadata)))
                .thenApply(metadata -> {
                    store.cache(name, value, metadata.version());
                    store.audit.record(AuditEvent.credential(now, null, "secret_written",
                            "db:" + name + " version " + metadata.version()));
                    return metadata;
                });
    }

    /** Removes a value. Completes with whether one was stored. */
    public CompletionStage<Boolean> delete(String name) {
        return store.database.run(() -> Panache.withTransaction(() -> StoredSecretEntity.deleteById(name)))
                .thenApply(deleted -> {
                    if (deleted) {
                        store.forget(name);
                        store.audit.record(AuditEvent.credential(store.clock.instant(), null, "secret_deleted",
                                "db:" + name));
                    }
                    return deleted;
                });
    }

    /** Every stored secret's metadata, by name. */
    public CompletionStage<List<Metadata>> list() {
        return store.database.run(() -> Panache.withSession(() -> StoredSecretEntity.<StoredSecretEntity> listAll()))
                .thenApply(rows -> rows.stream()
                        .map(DbSecretAdmin::metadata)
                        .sorted(Comparator.comparing(Metadata::name)).toList());
    }

    /**
     * Seals every value that an older key sealed again under the active key. The rows are locked while it runs, so a
     * replica's write cannot slip in between and be overwritten. Values no key opens are reported, not lost. The
     * version does not move: the value is the same.
     */
    public CompletionStage<Reencryption> reencryptAll() {
        return store.database.run(() -> Panache.withTransaction(() -> StoredSecretEntity.<StoredSecretEntity> findAll()
                .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                .map(rows -> {
                    int reencrypted = 0;
                    int current = 0;
                    List<String> failed = new ArrayList<>();
                    for (StoredSecretEntity row : rows) {
                        if (!store.cipher.needsRotation(row.sealed())) {
                            current++;
                            continue;
                        }
                        try {
                            row.seal(store.cipher.reseal(row.name, row.sealed()));
                            reencrypted++;
                        } catch (SealedValueException e) {
                            failed.add(row.name);
                        }
                    }
                    failed.sort(null);
                    return new Reencryption(store.cipher.activeKeyId(), reencrypted, current, List.copyOf(failed));
                }))).thenApply(result -> {
                    store.audit.record(AuditEvent.credential(store.clock.instant(), null, "secrets_reencrypted",
                            result.reencrypted() + " values now under key " + result.activeKey()
                                    + (result.failed().isEmpty() ? "" : "; not opened: " + result.failed())));
                    store.reload();
                    return result;
                });
    }

    private static Metadata metadata(StoredSecretEntity row) {
        return new Metadata(row.name, row.version, row.keyId, row.createdAt, row.updatedAt);
    }
}
