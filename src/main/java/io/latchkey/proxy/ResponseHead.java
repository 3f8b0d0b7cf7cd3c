package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

import io.netty.util.AsciiString;

/**
 * The head of an upstream's answer as {@link ResponseReader} read it: the status, and the reason and headers as
 * positions in one copy of the head's bytes. Nothing is decoded into strings until asked for, and the headers are
 * handed out as {@link AsciiString} views of those bytes, which Vert.x writes on to the caller by copying bytes.
 */
final class ResponseHead {

    private final byte[] bytes;
    final int status;
    private final int reasonStart;
    private final int reasonEnd;
    /** Per header four positions in {@link #bytes}: name start, name end, value start, value end. */
    private final int[] fields;
    private final int count;
    /** Whether the connection may carry another call after this answer's body. */
    final boolean keepAlive;

    ResponseHead(byte[] bytes, int status, int reasonStart, int reasonEnd, int[] fields, int count,
            boolean keepAlive) {
        this.bytes = bytes;
        this.status = status;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.fields = fields;
        this.count = count;
        this.keepAlive = keepAlive;
    }

    boolean hasReason() {
        return reasonEnd > reasonStart;
    }

    /** The reason phrase as sent; empty when none was. */
    String reason() {
        return new String(bytes, reasonStart, reasonEnd - reasonStart, StandardCharsets.ISO_8859_1);
    }

    /** Whether the reason phrase is exactly {@code phrase}, without decoding it. */
    boolean reasonIs(String phrase) {
        if (phrase.length() != reasonEnd - reasonStart) {
            return false;
        }
        for (int i = 0; i < phrase.length(); i++) {
            if (phrase.charAt(i) != (char) (bytes[reasonStart + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The first value of a header, any case of its name; null when it is absent. */
    String header(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                int at = i * 4;
                return new String(bytes, fields[at + 2], fields[at + 3] - fields[at + 2],
                        StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private boolean nameIs(int header, CharSequence name) {
        int start = fields[header * 4];
        int length = fields[header * 4 + 1] - start;
        if (length != name.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (AsciiString.toLowerCase(name.charAt(i)) != AsciiString.toLowerCase((char) (bytes[start + i] & 0xff))) {
                return false;
            }
        }
        return true;
    }

    private AsciiString name(int header) {
        int at = header * 4;
        return new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], false);
    }

    private AsciiString value(int header) {
        int at = header * 4;
        return new AsciiString(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], false);
    }

    /** The headers in the order sent, as views of the head's bytes. */
    Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= count) {
                    throw new NoSuchElementException();
                }
                int header = next++;
                return new AbstractMap.SimpleImmutableEntry<>(name(header), value(header));
            }
        };
    }
}
