package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;

/**
 * The head of an upstream's answer as {@link ResponseReader} read it: the status, the reason phrase's position and
 * the headers ({@link MessageHead}).
 */
final class ResponseHead extends MessageHead {

    final int status;
    private final int reasonStart;
    private final int reasonEnd;
    /** Whether the connection may carry another call after this answer's body. */
    final boolean keepAlive;

    ResponseHead(byte[] bytes, MessageReader<?> parsed, int status, int reasonStart, int reasonEnd,
            boolean keepAlive) {
        super(bytes, parsed);
        this.status = status;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
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
}
