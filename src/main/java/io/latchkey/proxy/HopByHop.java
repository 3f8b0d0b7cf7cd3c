package io.latchkey.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

/**
 * Headers that describe one connection and must not be forwarded (RFC 9110 section 7.6.1): the fixed set, and
 * whatever a message's {@code Connection} header lists. Comparisons ignore case without allocating, since this
 * runs for every header of every message.
 */
final class HopByHop {

    /** The fixed set; {@link #isFixed(byte[], int, int)} holds it too, by length. */
    static final String[] NAMES = { "connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade" };

    /** A message's {@code Connection} tokens; most messages list none beyond the fixed set. */
    private final List<String> listed;

    private HopByHop(List<String> listed) {
        this.listed = listed;
    }

    private static final HopByHop FIXED_ONLY = new HopByHop(List.of());

    /** The rule for a message whose Connection header names nothing beyond keep-alive and close. */
    static HopByHop fixedOnly() {
        return FIXED_ONLY;
    }

    /** The hop-by-hop rule for a message with this {@code Connection} header (null when absent). */
    static HopByHop forConnectionHeader(String connection) {
        if (connection == null) {
            return FIXED_ONLY;
        }
        List<String> tokens = null;
        int start = 0;
        while (start < connection.length()) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? connection.length() : comma;
            String token = connection.substring(start, end).trim();
            if (!token.isEmpty() && !isFixed(token)) {
                if (tokens == null) {
                    tokens = new ArrayList<>(2);
                }
                tokens.add(token);
            }
            start = end + 1;
        }
        return tokens == null ? FIXED_ONLY : new HopByHop(tokens);
    }

    /** The hop-by-hop rule for a message with these headers: what every {@code Connection} line lists counts. */
    static HopByHop forHeaders(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
        String listed = null;
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            if (AsciiString.contentEqualsIgnoreCase(header.getKey(), HttpHeaderNames.CONNECTION)) {
                String value = header.getValue().toString();
                listed = listed == null ? value : listed + "," + value;
            }
        }
        return forConnectionHeader(listed);
    }

    boolean isHopByHop(CharSequence name) {
        if (isFixed(name)) {
            return true;
        }
        for (int i = 0; i < listed.size(); i++) {
            if (AsciiString.contentEqualsIgnoreCase(listed.get(i), name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the message's Connection header names header line {@code header} of {@code head}. */
    boolean isListed(MessageHead head, int header) {
        for (int i = 0; i < listed.size(); i++) {
            if (head.nameIs(header, listed.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the message's Connection header names any header beyond the fixed set. */
    boolean listsAny() {
        return !listed.isEmpty();
    }

    /**
     * Adds the end-to-end ones of {@code headers} to {@code response}; returns whether a Content-Length was among
     * them.
     */
    boolean copyEndToEnd(Iterable<Map.Entry<CharSequence, CharSequence>> headers, CallerResponse response) {
        boolean hasLength = false;
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            CharSequence name = header.getKey();
            if (isHopByHop(name)) {
                continue;
            }
            hasLength |= AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH);
            response.addHeader(name, header.getValue());
        }
        return hasLength;
    }

    private static boolean isFixed(CharSequence name) {
        return isAnyOf(NAMES, name);
    }

    /**
     * Whether the {@code length} bytes at {@code start} are one of the fixed names ({@link #NAMES}), in any case. By
     * length first: this runs for every header line of every message, and most names have a length none of the fixed
     * ones has, which one comparison settles (a loop over the names took seven lengths through memory per line).
     */
    static boolean isFixed(byte[] h, int start, int length) {
        return switch (length) {
            case 2 -> MessageReader.nameIs(h, start, "te");
            case 7 -> MessageReader.nameIs(h, start, "trailer") || MessageReader.nameIs(h, start, "upgrade");
            case 10 -> MessageReader.nameIs(h, start, "connection") || MessageReader.nameIs(h, start, "keep-alive");
            case 16 -> MessageReader.nameIs(h, start, "proxy-connection");
            case 17 -> MessageReader.nameIs(h, start, "transfer-encoding");
            default -> false;
        };
    }

    /** Whether {@code name} starts with {@code lowerPrefix}, ignoring case. */
    static boolean startsWithIgnoreCase(CharSequence name, String lowerPrefix) {
        return AsciiString.regionMatches(name, true, 0, lowerPrefix, 0, lowerPrefix.length());
    }

    /** Whether {@code name} is one of {@code names}, ignoring case, without allocating. */
    static boolean isAnyOf(String[] names, CharSequence name) {
        for (String candidate : names) {
            if (candidate.length() == name.length() && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
                return true;
            }
        }
        return false;
    }
}
