package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.util.AsciiString;

class InjectedHeaderBytesTest {

    @Test
    void theSameTextIsEncodedOnceAndAnotherTextAgain() {
        InjectedHeaderBytes bytes = new InjectedHeaderBytes(1);
        String name = "Authorization";
        String first = "Bearer " + "first-token";
        AsciiString encodedName = bytes.of(name);
        AsciiString encoded = bytes.of(first);
        assertThat((Object) bytes.of(name)).isSameAs(encodedName);
        assertThat((Object) bytes.of(first)).isSameAs(encoded);
        assertThat(encoded.toString()).isEqualTo("Bearer first-token");

        // A rotated credential: another string, even one with equal text, is encoded from what it holds now.
        String rotated = "Bearer " + "rotated-token";
        assertThat(bytes.of(rotated).toString()).isEqualTo("Bearer rotated-token");
        assertThat(bytes.of(name).toString()).isEqualTo("Authorization");
        String equalButNew = new String(rotated);
        assertThat(bytes.of(equalButNew).toString()).isEqualTo("Bearer rotated-token");
    }

    @Test
    void textIsEncodedAsIso8859OneWithAQuestionMarkBeyondIt() {
        AsciiString encoded = new InjectedHeaderBytes(1).of("é€");
        assertThat(encoded.array()[encoded.arrayOffset()]).isEqualTo((byte) 0xe9);
        assertThat(encoded.byteAt(1)).isEqualTo((byte) '?');
    }
}
