package io.latchkey.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.HttpMethod;

/**
 * Reads a caller's requests ({@link MessageReader}) into {@link RequestHead}s: a request line, then a body framed by
 * Content-Length or chunked coding, or none (RFC 9112, section 6.3). What a server behind Latchkey could read
 * differently is refused, for that is how requests are smuggled: both Content-Length and Transfer-Encoding, a
 * transfer coding other than chunked alone, more than one length, obsolete line folding, white space before a colon,
 * control characters. Empty lines before a request line are skipped (RFC 9112, 2.2).
 */
final class RequestReader extends MessageReader<RequestHead> {

    /** What the reader found in a caller's requests. */
    interface Listener extends MessageReader.Listener<RequestHead> {
    }

    private static final HttpMethod[] COMMON = { HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.HEAD, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.CONNECT,
            HttpMethod.TRACE };
    private static final byte[] VERSION = { 'H', 'T', 'T', 'P', '/', '1', '.' };

    /**
     * @param maxRequestLine the longest request line accepted, its line end included
     * @param maxHead the largest head accepted, request line and headers
     */
    RequestReader(Listener listener, int maxRequestLine, int maxHead) {
        super(listener, "the request", "the request's", "the request line", maxRequestLine, maxHead);
    }

    /** Between requests: empty lines are skipped, anything else starts the next request's head. */
    @Override
    void readIdle(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.getByte(in.readerIndex());
            if (b != '\r' && b != '\n') {
                startHead();
                return;
            }
            in.skipBytes(1);
        }
    }

    @Override
    void parseHead(byte[] h) {
        int lineEnd = contentEnd(h, 0, lineEnd(0));
        // method SP request-target SP HTTP-version
        int methodEnd = 0;
        while (methodEnd < lineEnd && TOKEN[h[methodEnd] & 0xff]) {
            methodEnd++;
        }
        if (methodEnd == 0 || methodEnd == lineEnd || h[methodEnd] != ' ') {
            throw refused("line is malformed");
        }
        int targetStart = methodEnd + 1;
        int targetEnd = targetStart;
        while (targetEnd < lineEnd && h[targetEnd] != ' ') {
            if (isControl(h[targetEnd])) {
                throw refused("target has a control character");
            }
            targetEnd++;
        }
        int versionStart = targetEnd + 1;
        if (targetEnd == targetStart || versionStart + VERSION.length + 1 != lineEnd) {
            throw refused("line is malformed");
        }
        for (int i = 0; i < VERSION.length; i++) {
            if (h[versionStart + i] != VERSION[i]) {
                throw refused("line is malformed or not HTTP/1.x");
            }
        }
        byte minor = h[lineEnd - 1];
        if (minor != '0' && minor != '1') {
            throw refused("is HTTP/1." + (char) minor + "; HTTP/1.0 and HTTP/1.1 are spoken here");
        }
        boolean http10 = minor == '0';
        parseFields(h);

        if (contentLengths > 1) {
            // Equal values would be one length to RFC 9112, but not to every server behind Latchkey.
            throw refused("has more than one Content-Length");
        }
        long bodyLength;
        if (transferEncodings > 0) {
            if (contentLength >= 0) {
                throw refused("has both Content-Length and Transfer-Encoding");
            }
            if (transferEncodings > 1 || !chunkedOnly) {
                throw refused("has a Transfer-Encoding other than chunked");
            }
            if (http10) {
                throw refused("has a Transfer-Encoding in HTTP/1.0");
            }
            bodyLength = -1;
        } else {
            bodyLength = Math.max(0, contentLength);
        }
        HttpMethod method = method(h, methodEnd);
        String target = new String(h, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        boolean keepAlive = !closeToken && (!http10 || keepAliveToken);
        if (bodyLength < 0) {
            frame(State.CHUNK_SIZE, 0);
        } else if (bodyLength > 0) {
            frame(State.LENGTH, bodyLength);
        } else {
            frame(State.IDLE, 0);
        }
        listener.head(new RequestHead(h, this, method, target, http10, keepAlive,
                expectsContinue && !http10, bodyLength));
        if (bodyLength == 0) {
            listener.body(Unpooled.EMPTY_BUFFER, true);
        }
    }

    /** Vert.x's constant for the common methods, compared as bytes; any other token as it was sent. */
    private static HttpMethod method(byte[] h, int length) {
        for (HttpMethod common : COMMON) {
            String name = common.name();
            if (name.length() == length && sameAscii(h, name)) {
                return common;
            }
        }
        return HttpMethod.valueOf(new String(h, 0, length, StandardCharsets.US_ASCII));
    }

    private static boolean sameAscii(byte[] h, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (h[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
