package io.latchkey.secret.crypto;

/**
 * A value as the embedded store keeps it: the id of the key that sealed it, a 96-bit nonce used once, and the
 * AES-GCM ciphertext with its 128-bit tag.
 */
public record SealedValue(String keyId, byte[] nonce, byte[] ciphertext) {

    @Override
    public String toString() {
        return "SealedValue[keyId=" + keyId + ", " + ciphertext.length + " bytes]";
    }
}
