package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.Handler;
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

    /**
     * Receives each chunk of the body as it arrives. A chunk may be lent for the length of the call only (Latchkey's
     * own client hands out its pooled read buffer): whoever keeps it longer, or hands it to a write that completes
     * later, retains its {@code ByteBuf} and releases it after.
     */
    UpstreamResponse handler(Handler<Buffer> handler);

    UpstreamResponse endHandler(Handler<Void> handler);

    /**
     * Receives the body's last chunk together with the end, instead of {@link #handler} followed by
     * {@link #endHandler}, when both arrive at once and nothing waits before them (the common small answer, read in
     * one piece), so that the relay can write them with one write. The chunk is lent as in {@link #handler}. A
     * client that does not tell the last chunk apart never calls it.
     */
    default UpstreamResponse lastChunkHandler(Handler<Buffer> handler) {
        return this;
    }

    /** Hears a failure after the head: the body is cut short. */
    UpstreamResponse exceptionHandler(Handler<Throwable> handler);

    /** Stops reading from the upstream until {@link #resume()}; chunks already read wait here. */
    UpstreamResponse pause();

    UpstreamResponse resume();

    /** The whole body; use it instead of the handlers, for small answers. */
    Future<Buffer> body();
}
