import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;

/**
 * A reference arm, not a proxy anyone should run: a relay on Netty's channels without its HTTP codecs. The request's
 * head is rewritten by slicing the bytes as read (prefix {@code /bench} cut from the request line, the bearer header
 * the other arms inject written between the request line and the other headers, nothing copied or decoded into
 * objects); the answer's head is scanned in place for its end and its content length, and the bytes are written on
 * as read. One event loop, one upstream connection per caller connection, as {@code NettyFloor}.
 * <p>
 * It handles only what the harness sends: bodiless requests whose head arrives in one read, one request at a time
 * per connection, answers framed by Content-Length. No validation, no errors, no limits. It bounds what a JVM relay
 * that parses HTTP/1.1 heads in place, instead of through Netty's codecs and Vert.x's server, could cost per request.
 *
 * <p>
 * The listener, the upstream connection, flushing and closing are NettyFloor's; only what is read is handled
 * differently. So it runs compiled beside NettyFloor, as bench/run.sh compiles the bench programs:
 *
 * <pre>
 * java -cp "bench classes:$(project runtime classpath)" RawFloor PORT UPSTREAM_PORT
 * </pre>
 */
public class RawFloor {

    private static final ByteBuf AUTHORIZATION = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64)
            .writeBytes("Authorization: Bearer bench-token\r\n".getBytes(StandardCharsets.US_ASCII)));
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX_LENGTH = "/bench".length();

    public static void main(String[] args) throws InterruptedException {
        int upstreamPort = Integer.parseInt(args[1]);
        NettyFloor.serve("raw floor", Integer.parseInt(args[0]),
                () -> new ChannelHandler[] { new CallerSide(upstreamPort) });
    }

    /** NettyFloor's caller side, reading bytes: each request's head is written on rewritten, as slices. */
    static final class CallerSide extends NettyFloor.CallerSide {

        CallerSide(int upstreamPort) {
            super(upstreamPort);
        }

        @Override
        protected ChannelHandler[] upstreamHandlers(Channel caller) {
            return new ChannelHandler[] { new UpstreamSide(caller) };
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ByteBuf head = (ByteBuf) message;
            int start = head.readerIndex();
            int end = head.writerIndex();
            int requestLineEnd = head.indexOf(start, end, (byte) '\n') + 1;
            int path = head.indexOf(start, requestLineEnd, (byte) ' ') + 1;
            upstream.write(head.retainedSlice(start, path - start)); // "GET "
            upstream.write(head.retainedSlice(path + PREFIX_LENGTH, requestLineEnd - path - PREFIX_LENGTH));
            upstream.write(AUTHORIZATION.duplicate());
            upstream.write(head.retainedSlice(requestLineEnd, end - requestLineEnd)); // the other headers
            head.release();
        }
    }

    /** NettyFloor's upstream side, reading bytes: finds where each answer ends from its head. */
    static final class UpstreamSide extends NettyFloor.UpstreamSide {

        /** Bytes of the current answer not yet read; at 0 the next read starts an answer's head. */
        private long remaining;

        UpstreamSide(Channel caller) {
            super(caller);
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ByteBuf bytes = (ByteBuf) message;
            if (remaining <= 0) {
                remaining = answerLength(bytes);
            }
            remaining -= bytes.readableBytes();
            caller.write(bytes);
        }

        /** The head's length plus its Content-Length, read in place from the bytes of one read. */
        private static long answerLength(ByteBuf bytes) {
            int start = bytes.readerIndex();
            int end = bytes.writerIndex();
            long contentLength = 0;
            for (int line = bytes.indexOf(start, end, (byte) '\n') + 1; line > 0 && line < end;) {
                int lineEnd = bytes.indexOf(line, end, (byte) '\n');
                if (lineEnd < 0) {
                    break;
                }
                if (lineEnd - line <= 1) {
                    return lineEnd + 1 - start + contentLength;
                }
                if (startsWithIgnoringCase(bytes, line, CONTENT_LENGTH)) {
                    for (int i = line + CONTENT_LENGTH.length; i < lineEnd; i++) {
                        byte digit = bytes.getByte(i);
                        if (digit >= '0' && digit <= '9') {
                            contentLength = contentLength * 10 + digit - '0';
                        }
                    }
                }
                line = lineEnd + 1;
            }
            return end - start;
        }

        private static boolean startsWithIgnoringCase(ByteBuf bytes, int at, byte[] lowerCase) {
            if (at + lowerCase.length > bytes.writerIndex()) {
                return false;
            }
            for (int i = 0; i < lowerCase.length; i++) {
                if ((bytes.getByte(at + i) | 0x20) != lowerCase[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
