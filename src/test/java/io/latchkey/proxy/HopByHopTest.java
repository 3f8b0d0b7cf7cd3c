package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class HopByHopTest {

    @Test
    void theFixedNamesAreFoundInAnyCaseWhereAHeadHoldsThem() {
        assertThat(HopByHop.NAMES).containsExactlyInAnyOrder("connection", "keep-alive", "proxy-connection", "te",
                "trailer", "transfer-encoding", "upgrade");
        for (String name : HopByHop.NAMES) {
            for (String written : new String[] { name, name.toUpperCase(Locale.ROOT), capitalised(name) }) {
                assertThat(isFixed("x-before: 1\r\n" + written)).as(written).isTrue();
            }
        }
    }

    @Test
    void aNameOneByteAwayFromAFixedOneIsNotFixed() {
        for (String name : HopByHop.NAMES) {
            for (int at = 0; at < name.length(); at++) {
                for (char replacement : new char[] { 'q', '-', '0', (char) (name.charAt(at) + 1) }) {
                    if (replacement == name.charAt(at)) {
                        continue;
                    }
                    String other = name.substring(0, at) + replacement + name.substring(at + 1);
                    assertThat(isFixed(other)).as(other).isFalse();
                }
            }
            assertThat(isFixed(name.substring(1))).as(name.substring(1)).isFalse();
            assertThat(isFixed(name + "s")).as(name + "s").isFalse();
        }
    }

    @Test
    void namesOfEveryOtherLengthAreNotFixed() {
        for (int length = 0; length <= 40; length++) {
            char[] name = new char[length];
            Arrays.fill(name, 'e');
            assertThat(isFixed(new String(name))).as("length " + length).isFalse();
        }
        for (String common : new String[] { "Host", "Accept", "User-Agent", "Content-Type", "Content-Length",
                "Authorization", "traceparent", "Accept-Encoding", "X-GitHub-Api-Version", "Proxy-Authorization" }) {
            assertThat(isFixed(common)).as(common).isFalse();
        }
    }

    /** Whether the last {@code name.length()} bytes of {@code text} are a fixed name, read where a head holds it. */
    private static boolean isFixed(String text) {
        byte[] bytes = (text + ": value\r\n").getBytes(StandardCharsets.ISO_8859_1);
        int nameStart = text.lastIndexOf('\n') + 1;
        return HopByHop.isFixed(bytes, nameStart, text.length() - nameStart);
    }

    private static String capitalised(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean start = true;
        for (char c : name.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : c);
            start = c == '-';
        }
        return out.toString();
    }
}
