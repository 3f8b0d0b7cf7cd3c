package io.latchkey.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The reason phrase each status code goes out with when the upstream's own is the standard one or absent: Netty's,
 * looked up once per code instead of per response (its lookup is a search over the known codes).
 */
final class ReasonPhrases {

    private static final int FIRST = 100;
    private static final String[] PHRASES = new String[600 - FIRST];

    static {
        for (int code = FIRST; code < FIRST + PHRASES.length; code++) {
            PHRASES[code - FIRST] = HttpResponseStatus.valueOf(code).reasonPhrase();
        }
    }

    private ReasonPhrases() {
    }

    /** The standard phrase of {@code status}, or the phrase of its class for a code without one. */
    static String of(int status) {
        int at = status - FIRST;
        return at >= 0 && at < PHRASES.length ? PHRASES[at] : HttpResponseStatus.valueOf(status).reasonPhrase();
    }
}
