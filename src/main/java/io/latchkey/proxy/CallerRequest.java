package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/**
 * A caller's request as the data plane sees it, whichever HTTP server read it: its head, its body as a stream, and
 * its {@link CallerResponse}. The data plane uses nothing else of the server, so that the server can be replaced
 * without touching routing, injection or forwarding. Confined to the event loop of the caller's connection.
 */
interface CallerRequest extends ReadStream<Buffer> {

    HttpMethod method();

    /** The request target as the caller sent it. */
    String uri();

    /** The first value of a header, or null. */
    String getHeader(CharSequence name);

    /** Which of the message's headers describe only its connection: the fixed set and what Connection lines name. */
    default HopByHop hopByHop() {
        return HopByHop.forHeaders(headers());
    }

    boolean containsHeader(CharSequence name);

    /** The head as Latchkey's own HTTP/1.1 server read it; null from another server. */
    default MessageHead readHead() {
        return null;
    }

    /** Every header line in the order received, names and values as they were read. */
    Iterable<Map.Entry<CharSequence, CharSequence>> headers();

    /** Whether the request declares a body: chunked, or a length other than 0. */
    boolean declaresBody();

    /** Whether the body comes in chunked coding (it has no length). */
    boolean chunked();

    /** The declared body length, or -1 when chunked or malformed. */
    long contentLength();

    /** The whole body, read from now on; instead of the stream's handlers. */
    Future<Buffer> body();

    /** Whether the body has been read to its end. */
    boolean isEnded();

    /** Bytes read from the caller for this request, head included. */
    long bytesRead();

    CallerResponse response();

    /** Closes the caller's connection, and with it whatever is left of this request. */
    void closeConnection();

    /**
     * Answers a CONNECT request with 200 and from then on joins the caller's connection to {@code upstream} byte for
     * byte, in both directions, until either side closes. When the caller is gone already, closes {@code upstream}.
     */
    void tunnelTo(NetSocket upstream);
}
