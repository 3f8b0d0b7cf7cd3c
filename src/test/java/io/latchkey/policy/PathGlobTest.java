package io.latchkey.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "/user, /user, true",
            "/user, /user/, false",
            "/user, /users, false",
            "/repos/**, /repos, true",
            "/repos/**, /repos/, true",
            "/repos/**, /repos/a/b/c, true",
            "/repos/**, /reposx, false",
            "/repos/*, /repos/a, true",
            "/repos/*, /repos/a/b, false",
            "/repos/*/issues, /repos/x/issues, true",
            "/repos/*/issues, /repos/x/y/issues, false",
            "/a/**/z, /a/z, true",
            "/a/**/z, /a/b/c/z, true",
            "/a/**/z, /a/b/c/y, false",
            "/files/*.json, /files/report.json, true",
            "/files/*.json, /files/report.xml, false",
            "/files/*.json, /files/a/b.json, false",
            "/, /, true",
            "/, /x, false",
            "/**, /anything/at/all, true",
    })
    void matches(String pattern, String path, boolean expected) {
        assertThat(PathGlob.parse(pattern).matches(path)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = { "repos|a path pattern starts with '/'",
            "/a**|'**' must be a whole segment, as in /repos/**",
            "/a/../b|a path pattern cannot contain '.' or '..' segments" })
    void refusesMalformedPatterns(String pattern, String message) {
        assertThatThrownBy(() -> PathGlob.parse(pattern)).hasMessage(message);
    }
}
