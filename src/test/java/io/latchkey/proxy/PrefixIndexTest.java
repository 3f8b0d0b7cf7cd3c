package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Longest-prefix lookup at segment boundaries, including keys whose hashes collide. */
class PrefixIndexTest {

    static PrefixIndex<String> index(String... prefixes) {
        Map<String, String> entries = new HashMap<>();
        for (String prefix : prefixes) {
            entries.put(prefix, "route " + prefix);
        }
        return new PrefixIndex<>(entries);
    }

    static String match(PrefixIndex<String> index, String path) {
        int slot = index.longestMatch(path);
        if (slot < 0) {
            return null;
        }
        assertThat(index.value(slot)).isEqualTo("route " + index.key(slot));
        return index.key(slot);
    }

    @Test
    void theLongestPrefixEndingAtASegmentBoundaryWins() {
        PrefixIndex<String> index = index("/api", "/api/v2", "/api/v2/admin/users");

        assertThat(match(index, "/api")).isEqualTo("/api");
        assertThat(match(index, "/api/")).isEqualTo("/api");
        assertThat(match(index, "/api/v1/repos")).isEqualTo("/api");
        assertThat(match(index, "/api/v2")).isEqualTo("/api/v2");
        assertThat(match(index, "/api/v2/repos?x=1")).isEqualTo("/api/v2");
        assertThat(match(index, "/api/v2/admin/users/7")).isEqualTo("/api/v2/admin/users");
        assertThat(match(index, "/api/v2/admin")).isEqualTo("/api/v2");
    }

    @Test
    void aPrefixMatchesWholeSegmentsOnly() {
        PrefixIndex<String> index = index("/api", "/git");

        assertThat(match(index, "/apis")).isNull();
        assertThat(match(index, "/ap")).isNull();
        assertThat(match(index, "/github/user")).isNull();
        assertThat(match(index, "/")).isNull();
        assertThat(match(index, "")).isNull();
        assertThat(match(index, "/other/api")).isNull();
    }

    @Test
    void keysWithTheSameHashAreToldApartByTheirCharacters() {
        // "Aa" and "BB" have the same String hash, and so do these prefixes.
        assertThat("/Aa".hashCode()).isEqualTo("/BB".hashCode());
        PrefixIndex<String> index = index("/Aa", "/BB", "/AaBB", "/BBAa");

        assertThat(match(index, "/Aa/x")).isEqualTo("/Aa");
        assertThat(match(index, "/BB/x")).isEqualTo("/BB");
        assertThat(match(index, "/AaAa/x")).isNull();
        assertThat(match(index, "/BBAa")).isEqualTo("/BBAa");
        assertThat(match(index, "/AaBB/Aa")).isEqualTo("/AaBB");
    }

    @Test
    void candidatesStopAtTheDeepestKeysSegmentCount() {
        PrefixIndex<String> index = index("/a/b");

        assertThat(match(index, "/a/b/c/d/e/f")).isEqualTo("/a/b");
        assertThat(match(index, "/a/bc")).isNull();
        // Only two candidates are tried ("/a", "/a/b"): a deeper path costs no more lookups.
        assertThat(match(index, "/a")).isNull();
    }

    @Test
    void anEmptyIndexMatchesNothing() {
        PrefixIndex<String> index = index();

        assertThat(index.isEmpty()).isTrue();
        assertThat(match(index, "/api")).isNull();
    }

    @Test
    void tenThousandKeysAllFindThemselves() {
        String[] prefixes = new String[10_000];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = "/api/r" + i;
        }
        PrefixIndex<String> index = index(prefixes);

        for (String prefix : prefixes) {
            assertThat(match(index, prefix + "/x")).isEqualTo(prefix);
        }
        assertThat(match(index, "/api/r10000/x")).isNull();
    }
}
