package io.latchkey.proxy;

import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection and must not be forwarded (RFC 9110 section 7.6.1). */
final class HopByHop {

    static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /** Whether a lower-case header name is hop-by-hop, either always or because {@code Connection} names it. */
    static boolean isHopByHop(String lowerName, String connectionHeader) {
        return NAMES.contains(lowerName) || (connectionHeader != null && listsToken(connectionHeader, lowerName));
    }

    /** Whether a comma-separated header value lists {@code token}, ignoring case and spaces. */
    static boolean listsToken(String headerValue, String token) {
        int start = 0;
        int length = headerValue.length();
        while (start < length) {
            int comma = headerValue.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            String item = headerValue.substring(start, end).trim();
            if (item.toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
