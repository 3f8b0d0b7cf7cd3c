package io.latchkey.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * What the reader of an upstream's answer hears of its body, on the call's event loop: chunks, then the end or a
 * failure, once. A chunk may be lent for the length of the call only (Latchkey's own client hands out its pooled read
 * buffer): whoever keeps it longer, or hands it to a write that completes later, retains its {@code ByteBuf} and
 * releases it after.
 */
interface UpstreamBodyListener {

    void chunk(Buffer chunk);

    /**
     * The body ended. {@code lastChunk} is its last piece when that arrived with the end and nothing waited before it
     * (the common small answer, read in one piece), so that the relay can write both with one write; null otherwise.
     * It is lent as a chunk is.
     */
    void end(Buffer lastChunk);

    /** The call failed after the head: the body is cut short. */
    void failed(Throwable cause);
}
