package io.latchkey.proxy;

import java.util.Map;

/**
 * Path prefixes and their values, for finding the longest prefix of a request's path that ends at a segment
 * boundary, without building a string per candidate: the path is scanned once, each candidate's hash is carried
 * along ({@link String#hashCode()}'s own function, so it can be compared with the keys' cached hashes), and a
 * candidate matches a key of the same hash, length and characters. Open addressing in arrays sized when built;
 * read-only after, so any thread may look up.
 * <p>
 * The candidates of a path are the text before each {@code /} after the first character, then the whole path; only
 * as many as the deepest key has segments are tried, so a long path costs no more than the policy's deepest prefix.
 */
final class PrefixIndex<V> {

    private final String[] keys;
    private final Object[] values;
    private final int mask;
    private final int size;
    /** The most segments (slashes) in a key: no longer candidate can match. */
    private final int deepestKey;

    PrefixIndex(Map<String, V> entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size()) * 2 - 1) << 1;
        this.keys = new String[capacity];
        this.values = new Object[capacity];
        this.mask = capacity - 1;
        this.size = entries.size();
        int deepest = 0;
        for (Map.Entry<String, V> entry : entries.entrySet()) {
            String key = entry.getKey();
            int slot = spread(key.hashCode()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = entry.getValue();
            deepest = Math.max(deepest, segments(key));
        }
        this.deepestKey = deepest;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * The slot of the longest key that is a candidate prefix of {@code path}, or -1; read it with {@link #key} and
     * {@link #value}.
     */
    int longestMatch(String path) {
        int found = -1;
        int hash = 0;
        int candidates = 0;
        int length = path.length();
        for (int i = 0; i <= length && candidates < deepestKey; i++) {
            if (i == length || (i > 0 && path.charAt(i) == '/')) {
                candidates++;
                int slot = slotOf(path, i, hash);
                if (slot >= 0) {
                    found = slot; // scanning forward, a later match is a longer one
                }
            }
            if (i < length) {
                hash = 31 * hash + path.charAt(i);
            }
        }
        return found;
    }

    String key(int slot) {
        return keys[slot];
    }

    @SuppressWarnings("unchecked")
    V value(int slot) {
        return (V) values[slot];
    }

    /** The slot of the key equal to {@code path}'s first {@code end} characters, whose hash is given; or -1. */
    private int slotOf(String path, int end, int hash) {
        for (int slot = spread(hash) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            String key = keys[slot];
            if (key.length() == end && key.hashCode() == hash && path.regionMatches(0, key, 0, end)) {
                return slot;
            }
        }
        return -1;
    }

    /** As HashMap does: the high bits take part, so keys that differ only there do not share a probe run. */
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    private static int segments(String prefix) {
        int count = 0;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }
}
