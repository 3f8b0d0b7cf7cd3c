package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * The header section of an HTTP/1.1 message as {@link MessageReader} read it: positions in one copy of the head's
 * bytes. Nothing is decoded into strings until asked for, and the headers are handed out as {@link AsciiString}
 * views of those bytes, which are written on by copying bytes.
 */
abstract class MessageHead {

    final byte[] bytes;
    /** Per header four positions in {@link #bytes}: name start, name end, value start, value end. */
    private final int[] fields;
    private final int count;
    /** Of the first 64 lines, those with a fixed hop-by-hop name (bit n for line n), and the Content-Length ones. */
    private final long hopByHopLines;
    private final long contentLengthLines;
    /** Of the first 64 lines, those that arrived as {@link #writeField} writes them: {@code name: value} CR LF. */
    private final long writtenAsIsLines;
    /** Whether a Connection line names more than keep-alive or close: only then is the rule read from the values. */
    private final boolean connectionNamesOthers;

    /** The head whose header section {@code parsed} has just read. */
    MessageHead(byte[] bytes, MessageReader<?> parsed) {
        this.bytes = bytes;
        this.fields = parsed.fields;
        this.count = parsed.fieldCount;
        this.hopByHopLines = parsed.hopByHopLines;
        this.contentLengthLines = parsed.contentLengthLines;
        this.writtenAsIsLines = parsed.writtenAsIsLines;
        this.connectionNamesOthers = parsed.connectionNamesOthers;
    }

    /** A head without header lines. */
    MessageHead(byte[] bytes) {
        this.bytes = bytes;
        this.fields = new int[0];
        this.count = 0;
        this.hopByHopLines = 0;
        this.contentLengthLines = 0;
        this.writtenAsIsLines = 0;
        this.connectionNamesOthers = false;
    }

    /** The first value of a header, any case of its name; null when it is absent. */
    final String header(CharSequence name) {
        int header = indexOf(name);
        return header < 0 ? null : value(header);
    }

    final boolean contains(CharSequence name) {
        return indexOf(name) >= 0;
    }

    private int indexOf(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The hop-by-hop rule for this message. Connection lines that say only {@code keep-alive} or {@code close} (the
     * usual ones) are read where they lie; a string is made only of lines that name other headers, all of them.
     */
    final HopByHop hopByHop() {
        if (!connectionNamesOthers) {
            return HopByHop.fixedOnly();
        }
        String listed = null;
        for (int i = 0; i < count; i++) {
            if (nameIs(i, "connection") && !valueIs(i, "keep-alive") && !valueIs(i, "close")) {
                listed = listed == null ? value(i) : listed + "," + value(i);
            }
        }
        return HopByHop.forConnectionHeader(listed);
    }

    private boolean valueIs(int header, String lower) {
        int start = fields[header * 4 + 2];
        return fields[header * 4 + 3] - start == lower.length() && MessageReader.nameIs(bytes, start, lower);
    }

    /** How many header lines the head has. */
    final int count() {
        return count;
    }

    /**
     * The end-to-end lines under {@code rule} (this head's hop-by-hop rule): bit n for line n. Only for heads of at
     * most 64 lines.
     */
    final long endToEndLines(HopByHop rule) {
        long lines = (count == Long.SIZE ? -1L : (1L << count) - 1) & ~hopByHopLines;
        if (rule.listsAny()) {
            for (long left = lines; left != 0; left &= left - 1) {
                int line = Long.numberOfTrailingZeros(left);
                if (rule.isListed(this, line)) {
                    lines &= ~(1L << line);
                }
            }
        }
        return lines;
    }

    /** Whether one of {@code lines} (bit n for line n) is a Content-Length. */
    final boolean hasContentLength(long lines) {
        return (contentLengthLines & lines) != 0;
    }

    /** The value of header line {@code header}. */
    final String value(int header) {
        int at = header * 4;
        return new String(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], StandardCharsets.ISO_8859_1);
    }

    /** The bytes {@link #writeField} writes for header line {@code header}. */
    final int fieldLength(int header) {
        int at = header * 4;
        return fields[at + 1] - fields[at] + fields[at + 3] - fields[at + 2] + 4;
    }

    /** The bytes {@link #writeFields} writes for {@code lines} (bit n for line n). */
    final int fieldsLength(long lines) {
        int length = 0;
        for (long left = lines; left != 0; left &= left - 1) {
            length += fieldLength(Long.numberOfTrailingZeros(left));
        }
        return length;
    }

    /**
     * Writes the header lines marked in {@code lines} (bit n for line n) as {@link #writeField} writes each. Lines
     * that arrived written that way already ({@code name: value} and CR LF, as servers write them) and follow each
     * other are copied as one piece: a response's usual headers in one or two copies instead of six writes each. Two
     * such lines with consecutive numbers lie next to each other, as each ends where the next begins.
     */
    final void writeFields(long lines, ByteBuf out) {
        long copied = lines & writtenAsIsLines;
        long left = lines;
        while (left != 0) {
            int line = Long.numberOfTrailingZeros(left);
            if ((copied & 1L << line) == 0) {
                writeField(line, out);
                left &= left - 1;
                continue;
            }
            int runEnd = line + Long.numberOfTrailingZeros(~(copied >>> line));
            int start = fields[line * 4];
            out.writeBytes(bytes, start, fields[(runEnd - 1) * 4 + 3] + 2 - start);
            left = runEnd == Long.SIZE ? 0 : left & -1L << runEnd;
        }
    }

    /** Writes header line {@code header} as {@code name: value} and a line end, copying its bytes. */
    final void writeField(int header, ByteBuf out) {
        int at = header * 4;
        out.writeBytes(bytes, fields[at], fields[at + 1] - fields[at]);
        out.writeByte(':').writeByte(' ');
        out.writeBytes(bytes, fields[at + 2], fields[at + 3] - fields[at + 2]);
        out.writeByte('\r').writeByte('\n');
    }

    final boolean nameIs(int header, CharSequence name) {
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

    /** Whether the name of header line {@code header} starts with {@code lowerPrefix}, in any case. */
    final boolean nameStartsWith(int header, String lowerPrefix) {
        int start = fields[header * 4];
        return fields[header * 4 + 1] - start >= lowerPrefix.length()
                && MessageReader.nameIs(bytes, start, lowerPrefix);
    }

    /** The name of header line {@code header}, a view of the head's bytes. */
    final AsciiString name(int header) {
        int at = header * 4;
        return new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], false);
    }

    /** The value of header line {@code header}, a view of the head's bytes. */
    final AsciiString valueView(int header) {
        int at = header * 4;
        return new AsciiString(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], false);
    }

    /** The headers in the order sent, as views of the head's bytes. */
    final Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
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
                return new AbstractMap.SimpleImmutableEntry<>(name(header), valueView(header));
            }
        };
    }
}
