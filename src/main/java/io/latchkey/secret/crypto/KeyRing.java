package io.latchkey.secret.crypto;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys of the embedded secret store, each with an id. The first key is active: new writes use it;
 * the others still decrypt what they wrote until everything has been re-encrypted. Written as
 * {@code id:base64,id:base64} (commas or line breaks), for example {@code 2026-11:3q2+7w...,2026-05:A1b2...}.
 */
public final class KeyRing {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final int KEY_BYTES = 32;

    private final String activeId;
    private final Map<String, SecretKey> keys;

    private KeyRing(String activeId, Map<String, SecretKey> keys) {
        this.activeId = activeId;
        this.keys = keys;
    }

    /**
     * @throws IllegalArgumentException listing every problem; the message never contains key material
     */
    public static KeyRing parse(String text) {
        List<String> problems = new ArrayList<>();
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String active = null;
        for (String entry : text.split("[,\\n]")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            String id = colon < 0 ? "" : trimmed.substring(0, colon);
            if (!ID.matcher(id).matches()) {
                problems.add("each key is written id:base64, with an id of letters, digits, '.', '-' or '_'");
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(trimmed.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                problems.add("key " + id + " is not valid base64");
                continue;
            }
            if (key.length != KEY_BYTES) {
                problems.add("key " + id + " is " + key.length + " bytes; AES-256 needs 32 (openssl rand -base64 32)");
                continue;
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(key, "AES")) != null) {
                problems.add("key id " + id + " appears twice");
                continue;
            }
            if (active == null) {
                active = id;
            }
        }
        if (keys.isEmpty() && problems.isEmpty()) {
            problems.add("no key given; generate one with: echo \"k1:$(openssl rand -base64 32)\"");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("latchkey.crypto.keys: " + String.join("; ", problems));
        }
        return new KeyRing(active, Map.copyOf(keys));
    }

    public String activeId() {
        return activeId;
    }

    SecretKey active() {
        return keys.get(activeId);
    }

    /** The key with this id, or null. */
    SecretKey byId(String id) {
        return keys.get(id);
    }

    @Override
    public String toString() {
        return "KeyRing[active=" + activeId + ", ids=" + keys.keySet() + "]";
    }
}
