package io.latchkey.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * The answer to a {@link CallerRequest}: status and headers, set until the head is written, then the body, written
 * as it comes with back-pressure, or at once. Confined to the event loop of the caller's connection.
 */
interface CallerResponse {

    CallerResponse setStatusCode(int status);

    int getStatusCode();

    /** A reason phrase other than the status's standard one. */
    CallerResponse setStatusMessage(String message);

    /** Adds a header line; an earlier one with the same name stays. */
    CallerResponse addHeader(CharSequence name, CharSequence value);

    /** Sets a header, replacing any with the same name. */
    CallerResponse putHeader(CharSequence name, CharSequence value);

    CallerResponse removeHeader(CharSequence name);

    /** The first value of a header set on this response, or null. */
    String getHeader(CharSequence name);

    /**
     * Adds the header lines of an upstream's answer that are not hop by hop; returns whether a Content-Length was among
     * them. Latchkey's own server copies the lines' bytes as its own client read them.
     */
    default boolean addEndToEndHeaders(UpstreamResponse upstream) {
        return upstream.hopByHop().copyEndToEnd(upstream.headers(), this);
    }

    /**
     * Writes the head now, announcing a body in chunked coding: for an answer of unknown length (server-sent events),
     * whose caller should learn the status before the first chunk.
     */
    void writeHeadChunked();

    /**
     * Writes a part of the body, with the head if it was not written yet. The chunk may be lent for the call only
     * (the upstream's pooled read buffer): the response holds its own reference to the bytes until they are out.
     */
    void write(Buffer chunk);

    /** Writes the last part of the body, or all of it, and ends the response; the chunk as in {@link #write}. */
    void end(Buffer chunk);

    /** Ends the response, with the head if it was not written yet. */
    void end();

    /** Ends the response with this body, then closes the connection once it is written. */
    void endThenClose(Buffer body);

    /** Whether the connection has more waiting to be written than it should take; see {@link #drainHandler}. */
    boolean writeQueueFull();

    /** Hears when a full write queue has room again. */
    CallerResponse drainHandler(Handler<Void> handler);

    /** Hears when the response has ended; one handler, a later one replaces it. */
    CallerResponse endHandler(Handler<Void> handler);

    /** Hears when the connection closed before the response ended; one handler, a later one replaces it. */
    CallerResponse closeHandler(Handler<Void> handler);

    boolean headWritten();

    boolean ended();

    boolean closed();

    /** Body bytes written so far. */
    long bytesWritten();
}
