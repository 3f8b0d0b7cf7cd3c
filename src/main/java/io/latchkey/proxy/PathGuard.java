package io.latchkey.proxy;

/**
 * Refuses paths that could mean one thing to the allow-list and another to the upstream: dot-segments, encoded
 * slashes, backslashes and dots, NUL and other control characters, malformed escapes. What passes is decoded for
 * matching; the raw path is what gets forwarded.
 */
final class PathGuard {

    private PathGuard() {
    }

    /**
     * @return the decoded path, for matching against {@code allow.paths}
     * @throws ProxyFailure {@code bad_request} naming what was refused
     */
    static String checkAndDecode(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw refuse("the path must start with '/'");
        }
        boolean escaped = false;
        int segmentStart = 1;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refuse("the path contains a control character");
            }
            if (c == '\\') {
                throw refuse("the path contains a backslash");
            }
            if (c == '%') {
                if (i + 2 >= rawPath.length() || hex(rawPath.charAt(i + 1)) < 0 || hex(rawPath.charAt(i + 2)) < 0) {
                    throw refuse("the path contains a malformed percent-escape");
                }
                int decoded = hex(rawPath.charAt(i + 1)) * 16 + hex(rawPath.charAt(i + 2));
                if (decoded == '/' || decoded == '\\' || decoded == '.' || decoded < 0x20 || decoded == 0x7f) {
                    throw refuse("the path contains an encoded slash, backslash, dot or control character");
                }
                escaped = true;
            }
            if (c == '/') {
                checkSegment(rawPath, segmentStart, i);
                segmentStart = i + 1;
            }
        }
        checkSegment(rawPath, segmentStart, rawPath.length());
        return escaped ? decode(rawPath) : rawPath;
    }

    private static void checkSegment(String path, int start, int end) {
        int length = end - start;
        if ((length == 1 && path.charAt(start) == '.')
                || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
            throw refuse("the path contains a dot-segment ('.' or '..')");
        }
    }

    private static String decode(String path) {
        byte[] bytes = new byte[path.length()];
        int size = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                bytes[size++] = (byte) (hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2)));
                i += 2;
            } else {
                // Netty hands us request-line bytes as ISO-8859-1 characters: one byte each.
                bytes[size++] = (byte) c;
            }
        }
        return new String(bytes, 0, size, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static ProxyFailure refuse(String message) {
        return new ProxyFailure(ErrorCode.BAD_REQUEST, message, null);
    }
}
