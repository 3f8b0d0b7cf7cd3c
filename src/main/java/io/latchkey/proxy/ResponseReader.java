package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;

/**
 * Reads an upstream's answers ({@link MessageReader}) into {@link ResponseHead}s: a status line, then a body framed
 * by Content-Length, chunked coding or the connection's end (RFC 9112, section 6.3). Where an answer could be read two
 * ways it is refused, as are bytes that no request asked for.
 */
final class ResponseReader extends MessageReader<ResponseHead> {

    /** What the reader found in an upstream's answers. */
    interface Listener extends MessageReader.Listener<ResponseHead> {
    }

    static final int MAX_STATUS_LINE = 16 * 1024;
    /** The status line and headers together; trailers of a chunked body have the same limit. */
    static final int MAX_HEAD = 80 * 1024;

    private static final byte[] PREFIX = { 'H', 'T', 'T', 'P', '/', '1', '.' };

    private boolean answersHeadRequest;

    ResponseReader(Listener listener) {
        super(listener, "the upstream's answer", "the upstream's", "the upstream's status line", MAX_STATUS_LINE,
                MAX_HEAD);
    }

    /** A request is on its way: what comes next is its answer. */
    void expectAnswer(boolean toHeadRequest) {
        if (state == State.BROKEN) {
            return;
        }
        answersHeadRequest = toHeadRequest;
        startHead();
    }

    /** No request is waiting for an answer: any byte is one nobody asked for. */
    @Override
    void readIdle(ByteBuf in) {
        throw new DecoderException("the upstream sent bytes no request asked for");
    }

    @Override
    void checkStart(ByteBuf in, int from, int to, int seen) {
        for (int i = from; i < to && seen + i - from < PREFIX.length; i++) {
            if (in.getByte(i) != PREFIX[seen + i - from]) {
                throw refused("does not start with HTTP/1.x");
            }
        }
    }

    @Override
    void parseHead(byte[] h) {
        int statusEnd = contentEnd(h, 0, lineEnd(0));
        // "HTTP/1.x SP 3DIGIT [SP reason]"
        if (statusEnd < 12 || (h[7] != '1' && h[7] != '0') || h[8] != ' ' || !isDigit(h[9]) || !isDigit(h[10])
                || !isDigit(h[11]) || (statusEnd > 12 && h[12] != ' ')) {
            throw new DecoderException("the upstream's status line is malformed");
        }
        boolean http10 = h[7] == '0';
        int status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
        int reasonStart = Math.min(13, statusEnd);
        checkFieldContent(h, reasonStart, statusEnd, "the reason phrase");
        if (status < 100) {
            throw new DecoderException("the upstream's status code is below 100");
        }
        if (status == 101) {
            // Upgrade is a hop-by-hop header Latchkey strips, so no request asked to switch protocols.
            throw new DecoderException("the upstream switched protocols unasked");
        }
        parseFields(h);

        if (status < 200) {
            // Informational: no body, and the real answer follows.
            startHead();
            return;
        }
        boolean keepAlive = !closeToken && (!http10 || keepAliveToken);
        boolean bodiless = answersHeadRequest || status == 204 || status == 304;
        boolean transferCoded = transferEncodings > 0;
        if (!bodiless && transferCoded && contentLength >= 0) {
            throw refused("has both Content-Length and Transfer-Encoding");
        }
        State body;
        if (bodiless) {
            body = State.IDLE;
        } else if (transferCoded) {
            body = chunkedLast ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
        } else if (contentLength >= 0) {
            body = contentLength == 0 ? State.IDLE : State.LENGTH;
        } else {
            body = State.UNTIL_CLOSE;
        }
        if (body == State.UNTIL_CLOSE) {
            keepAlive = false;
        }
        frame(body, contentLength);
        listener.head(new ResponseHead(h, this, status, reasonStart, statusEnd, keepAlive));
        if (body == State.IDLE) {
            listener.body(Unpooled.EMPTY_BUFFER, true);
        }
    }
}
