package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** An upstream's answer: status and headers, then the body, streamed with pause and resume or read whole. */
interface UpstreamResponse {

    int statusCode();

    /** The reason phrase, or null. */
    String statusMessage();

    /** Whether the reason phrase is {@code phrase}; Latchkey's own client answers without decoding it. */
    default boolean hasStatusMessage(String phrase) {
        return phrase.equals(statusMessage());
    }

    /** The first value of a header, or null. */
    String getHeader(CharSequence name);

    /**
     * The headers as they were decoded: names and values as character sequences (Latchkey's own client keeps names as
     * Netty's {@code AsciiString}s, so copying them on costs no string per header).
     */
    Iterable<Map.Entry<CharSequence, CharSequence>> headers();

    /** Which of the message's headers describe only its connection: the fixed set and what Connection lines name. */
    default HopByHop hopByHop() {
        return HopByHop.forHeaders(headers());
    }

    /** The head as Latchkey's own client read it, whose header lines can be copied as bytes; null from others. */
    default MessageHead head() {
        return null;
    }

    /** Hands the body to {@code listener} as it arrives; chunks read before that wait here until then. */
    void bodyTo(UpstreamBodyListener listener);

    /** Stops reading from the upstream until {@link #resume()}; chunks already read wait here. */
    UpstreamResponse pause();

    UpstreamResponse resume();

    /** The whole body; use it instead of the handlers, for small answers. */
    Future<Buffer> body();
}
