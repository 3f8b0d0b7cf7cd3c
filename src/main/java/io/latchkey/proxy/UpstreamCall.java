package io.latchkey.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request on its way to an upstream, from the moment a connection carries it; its answer is heard by the call's
 * {@link UpstreamListener}. Confined to its event loop.
 */
interface UpstreamCall {

    /** Ends the request: the whole body at once, or none when {@code body} is null. */
    void end(Buffer body);

    /**
     * Streams the caller's body to the upstream and ends the request when the caller's body ends, pausing the caller
     * while the upstream connection cannot take more.
     *
     * @param chunked send the body with chunked transfer coding (the caller's had no Content-Length)
     */
    void pipeFrom(ReadStream<Buffer> caller, boolean chunked);

    /**
     * Abandons the call: the connection is not reused, and whoever waits on the answer's head (the listener) or its
     * body hears {@code cause}. Does nothing once the response has ended.
     */
    void reset(Throwable cause);
}
