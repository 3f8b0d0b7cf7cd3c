package io.latchkey.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A request on its way to an upstream, from the moment a connection carries it. Confined to its event loop. */
interface UpstreamCall {

    /** The upstream's answer: its head, then its body as a stream. */
    Future<UpstreamResponse> response();

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
     * Abandons the call: the connection is not reused, and whoever waits on the response or its body hears
     * {@code cause}. Does nothing once the response has ended.
     */
    void reset(Throwable cause);
}
