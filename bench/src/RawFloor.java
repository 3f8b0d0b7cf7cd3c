import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
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
 * <pre>
 * java -cp "$(project runtime classpath)" RawFloor PORT UPSTREAM_PORT
 * </pre>
 */
public class RawFloor {

    private static final ByteBuf AUTHORIZATION = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64)
            .writeBytes("Authorization: Bearer bench-token\r\n".getBytes(StandardCharsets.US_ASCII)));
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX_LENGTH = "/bench".length();

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        boolean epoll = Epoll.isAvailable();
        new ServerBootstrap().group(epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1))
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel caller) {
                        caller.pipeline().addLast(new CallerSide(upstreamPort));
                    }
                }).bind("127.0.0.1", port).sync();
        System.out.println("raw floor on " + port + (epoll ? " (epoll)" : " (Java NIO)"));
    }

    /** Reads the caller's requests once its upstream connection is up, and writes them there, head rewritten. */
    static final class CallerSide extends ChannelInboundHandlerAdapter {

        private final int upstreamPort;
        private Channel upstream;

        CallerSide(int upstreamPort) {
            this.upstreamPort = upstreamPort;
        }

        @Override
        public void channelActive(ChannelHandlerContext context) {
            Channel caller = context.channel();
            new Bootstrap().group(caller.eventLoop())
                    .channel(caller instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new UpstreamSide(caller))
                    .connect("127.0.0.1", upstreamPort).addListener((ChannelFutureListener) connected -> {
                        if (connected.isSuccess()) {
                            upstream = connected.channel();
                            caller.read();
                        } else {
                            caller.close();
                        }
                    });
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

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            upstream.flush();
            context.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            if (upstream != null) {
                upstream.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    /** Writes the upstream's answers back to the caller, finding where each ends from its head. */
    static final class UpstreamSide extends ChannelInboundHandlerAdapter {

        private final Channel caller;
        /** Bytes of the current answer not yet read; at 0 the next read starts an answer's head. */
        private long remaining;

        UpstreamSide(Channel caller) {
            this.caller = caller;
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

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            caller.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            caller.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }
}
