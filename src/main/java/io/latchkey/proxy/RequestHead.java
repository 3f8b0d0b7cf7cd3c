package io.latchkey.proxy;

import io.vertx.core.http.HttpMethod;

/**
 * The head of a caller's request as {@link RequestReader} read it: the request line, the headers
 * ({@link MessageHead}) and what the reader decided from them about the body and the connection.
 */
final class RequestHead extends MessageHead {

    final HttpMethod method;
    /** The request target as sent (ISO-8859-1, so every byte is one character). */
    final String target;
    final boolean http10;
    /** Whether the caller lets the connection carry another request after this one (RFC 9112, 9.3). */
    final boolean keepAlive;
    /** Whether the caller waits for {@code 100 Continue} before it sends the body. */
    final boolean expectsContinue;
    /** The body's length; -1 when chunked. */
    final long bodyLength;

    RequestHead(byte[] bytes, MessageReader<?> parsed, HttpMethod method, String target, boolean http10,
            boolean keepAlive, boolean expectsContinue, long bodyLength) {
        super(bytes, parsed);
        this.method = method;
        this.target = target;
        this.http10 = http10;
        this.keepAlive = keepAlive;
        this.expectsContinue = expectsContinue;
        this.bodyLength = bodyLength;
    }

    /** The head that stands for a request that could not be read: GET /, no headers, no body, no reuse. */
    RequestHead() {
        super(new byte[0]);
        this.method = HttpMethod.GET;
        this.target = "/";
        this.http10 = false;
        this.keepAlive = false;
        this.expectsContinue = false;
        this.bodyLength = 0;
    }

    boolean hasBody() {
        return bodyLength != 0;
    }
}
