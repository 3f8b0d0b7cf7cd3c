package io.latchkey.secret.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** AES-256-GCM sealing for the embedded store: fresh nonces, name binding, key rotation, clear failures. */
class SecretCipherTest {

    static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static final String K1 = key();
    static final String K2 = key();

    @Test
    void sealsAndOpens() {
        SecretCipher cipher = new SecretCipher(KeyRing.parse("k1:" + K1));
        SealedValue sealed = cipher.seal("github-token", "ghp_roundtrip");
        assertThat(sealed.keyId()).isEqualTo("k1");
        assertThat(sealed.nonce()).hasSize(12);
        assertThat(new String(sealed.ciphertext(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("ghp_roundtrip");
        assertThat(cipher.open("github-token", sealed)).isEqualTo("ghp_roundtrip");
    }

    @Test
    void everyWriteUsesAFreshNonce() {
        SecretCipher cipher = new SecretCipher(KeyRing.parse("k1:" + K1));
        SealedValue first = cipher.seal("a", "same value");
        SealedValue second = cipher.seal("a", "same value");
        assertThat(first.nonce()).isNotEqualTo(second.nonce());
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    }

    @Test
    void aCiphertextCopiedToAnotherNameDoesNotDecrypt() {
        SecretCipher cipher = new SecretCipher(KeyRing.parse("k1:" + K1));
        SealedValue sealed = cipher.seal("slack-token", "xoxb-secret");
        assertThatThrownBy(() -> cipher.open("github-token", sealed)).isInstanceOf(SealedValueException.class)
                .hasMessage("db:github-token does not decrypt with key k1: the key is wrong, or the value was stored"
                        + " under another name or altered")
                .hasMessageNotContaining("xoxb-secret");
    }

    @Test
    void aTamperedCiphertextDoesNotDecrypt() {
        SecretCipher cipher = new SecretCipher(KeyRing.parse("k1:" + K1));
        SealedValue sealed = cipher.seal("a", "value");
        sealed.ciphertext()[0] ^= 1;
        assertThatThrownBy(() -> cipher.open("a", sealed)).isInstanceOf(SealedValueException.class);
    }

    @Test
    void olderKeysStillDecryptNewWritesUseTheActiveOneAndResealMovesValuesToIt() {
        SealedValue old = new SecretCipher(KeyRing.parse("k1:" + K1)).seal("a", "old value");
        SecretCipher rotated = new SecretCipher(KeyRing.parse("k2:" + K2 + "\nk1:" + K1));
        assertThat(rotated.open("a", old)).isEqualTo("old value");
        assertThat(rotated.needsRotation(old)).isTrue();
        SealedValue moved = rotated.reseal("a", old);
        assertThat(moved.keyId()).isEqualTo("k2");
        assertThat(rotated.needsRotation(moved)).isFalse();
        assertThat(new SecretCipher(KeyRing.parse("k2:" + K2)).open("a", moved)).isEqualTo("old value");
        assertThat(rotated.seal("b", "new").keyId()).isEqualTo("k2");
    }

    @Test
    void aWrongOrMissingKeyIsAClearErrorNeverGarbage() {
        SealedValue sealed = new SecretCipher(KeyRing.parse("k1:" + K1)).seal("a", "value");
        assertThatThrownBy(() -> new SecretCipher(KeyRing.parse("k1:" + K2)).open("a", sealed))
                .hasMessageContaining("does not decrypt with key k1");
        assertThatThrownBy(() -> new SecretCipher(KeyRing.parse("k9:" + K2)).open("a", sealed))
                .hasMessage("db:a was sealed with key k1, which latchkey.crypto.keys does not hold");
    }

    @Test
    void keyConfigurationProblemsAreListedWithoutKeyMaterial() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> KeyRing.parse("k1:" + shortKey + ",k2:not*base64,k3:" + K1 + ",k3:" + K2 + ",nokey"))
                .hasMessage("latchkey.crypto.keys: key k1 is 16 bytes; AES-256 needs 32 (openssl rand -base64 32);"
                        + " key k2 is not valid base64; key id k3 appears twice;"
                        + " each key is written id:base64, with an id of letters, digits, '.', '-' or '_'")
                .hasMessageNotContaining(K1).hasMessageNotContaining(K2);
        assertThatThrownBy(() -> KeyRing.parse("  \n# comment\n")).hasMessageContaining("no key given");
        assertThat(KeyRing.parse("k2:" + K2 + ", k1:" + K1).toString()).doesNotContain(K1).doesNotContain(K2)
                .contains("active=k2");
    }
}
