package io.latchkey.secret.db;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.latchkey.secret.crypto.SealedValue;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A {@code db:} secret as stored: sealed, with the id of its key, and a version counting its writes. */
@Entity
@Table(name = "stored_secret")
public class StoredSecretEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(name = "key_id", nullable = false)
    public String keyId;

    @Column(nullable = false)
    public byte[] nonce;

    @Column(nullable = false)
    public byte[] ciphertext;

    @Column(nullable = false)
    public int version;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** A secret stored for the first time: version 1. */
    static StoredSecretEntity created(String name, SealedValue sealed, Instant now) {
        StoredSecretEntity row = new StoredSecretEntity();
        row.name = name;
        row.seal(sealed);
        row.version = 1;
        row.createdAt = now;
        row.updatedAt = now;
        return row;
    }

    SealedValue sealed() {
        return new SealedValue(keyId, nonce, ciphertext);
    }

    void seal(SealedValue sealed) {
        keyId = sealed.keyId();
        nonce = sealed.nonce();
        ciphertext = sealed.ciphertext();
    }

    @Override
    public String toString() {
        return "StoredSecret[" + name + ", version " + version + ", key " + keyId + "]";
    }
}
