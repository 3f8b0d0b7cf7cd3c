package io.latchkey.proxy;

/**
 * The upstream declined a request before processing any of it, and said so: an HTTP/2 stream above the last one a
 * GOAWAY accepted, or one reset with REFUSED_STREAM (RFC 9113, 8.7). Sending it again, on another connection, is safe
 * whatever its method.
 */
final class UnprocessedRequestException extends RuntimeException {

    UnprocessedRequestException(Throwable cause) {
        super("the upstream did not process the request", cause, false, false);
    }
}
