package io.latchkey.secret.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for the embedded secret store. Every write draws a fresh 96-bit nonce; the associated data binds a
 * ciphertext to its secret's name and the format version, so a ciphertext copied to another name fails to decrypt
 * instead of yielding the other secret.
 */
public final class SecretCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String AAD_PREFIX = "latchkey/db/v1/";

    private final KeyRing keys;
    private final SecureRandom random;

    public SecretCipher(KeyRing keys) {
        this(keys, new SecureRandom());
    }

    SecretCipher(KeyRing keys, SecureRandom random) {
        this.keys = keys;
        this.random = random;
    }

    public SealedValue seal(String name, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.active(), nonce, name);
            return new SealedValue(keys.activeId(), nonce, cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /**
     * @throws SealedValueException when the key is unknown, or the value was not sealed for this name with this key
     */
    public String open(String name, SealedValue sealed) {
        SecretKey key = keys.byId(sealed.keyId());
        if (key == null) {
            throw new SealedValueException("db:" + name + " was sealed with key " + sealed.keyId()
                    + ", which latchkey.crypto.keys does not hold");
        }
        if (sealed.nonce().length != NONCE_BYTES) {
            throw new SealedValueException("db:" + name + " has a malformed nonce");
        }
        try {
            return new String(cipher(Cipher.DECRYPT_MODE, key, sealed.nonce(), name).doFinal(sealed.ciphertext()),
                    StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SealedValueException("db:" + name + " does not decrypt with key " + sealed.keyId()
                    + ": the key is wrong, or the value was stored under another name or altered");
        } catch (GeneralSecurityException e) {
            throw new SealedValueException("db:" + name + " cannot be decrypted (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** The id of the key new writes use. */
    public String activeKeyId() {
        return keys.activeId();
    }

    /** Whether a value is sealed with a key other than the active one and should be re-encrypted. */
    public boolean needsRotation(SealedValue sealed) {
        return !sealed.keyId().equals(keys.activeId());
    }

    /** Opens a value and seals it again under the active key, with a fresh nonce. */
    public SealedValue reseal(String name, SealedValue sealed) {
        return seal(name, open(name, sealed));
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String name) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD((AAD_PREFIX + name).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
