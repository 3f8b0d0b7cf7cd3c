import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * A reference arm, not a proxy anyone should run: the least a JVM relay built on Netty's HTTP/1.1 codecs does per
 * request. One event loop; each caller connection gets its own upstream connection (no pool to look up); the
 * decoded request's URI and headers are edited in place (prefix {@code /bench} stripped, the same bearer header the
 * other arms inject) and every decoded object is written on as it comes. No policy, no metrics, no timeouts, no
 * back-pressure, no error answers. What it costs per request beside nginx is the JVM's and Netty's share of
 * Latchkey's cost, which no change to Latchkey's own code can remove.
 *
 * <pre>
 * java -cp "$(project runtime classpath)" bench/src/NettyFloor.java PORT UPSTREAM_PORT
 * </pre>
 */
public class NettyFloor {

    public static void main(String[] args) throws InterruptedException {
        int upstreamPort = Integer.parseInt(args[1]);
        serve("netty floor", Integer.parseInt(args[0]),
                () -> new ChannelHandler[] { new HttpServerCodec(), new CallerSide(upstreamPort) });
    }

    /**
     * Listens on {@code port} with one event loop, each caller connection's pipeline made of {@code callerHandlers};
     * the floors that relay on Netty's channels share it (RawFloor too).
     */
    static void serve(String name, int port, Supplier<ChannelHandler[]> callerHandlers) throws InterruptedException {
        // The transport Latchkey runs on (epoll where the platform has it, as Vert.x does with prefer-native-transport).
        boolean epoll = Epoll.isAvailable();
        new ServerBootstrap().group(epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1))
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel caller) {
                        caller.pipeline().addLast(callerHandlers.get());
                    }
                }).bind("127.0.0.1", port).sync();
        System.out.println(name + " on " + port + (epoll ? " (epoll)" : " (Java NIO)"));
    }

    /**
     * Reads the caller's requests once its upstream connection is up, and writes them there. A subclass that handles
     * bytes instead of decoded messages overrides {@link #upstreamHandlers} and {@link #channelRead}.
     */
    static class CallerSide extends ChannelInboundHandlerAdapter {

        private final int upstreamPort;
        protected Channel upstream;

        CallerSide(int upstreamPort) {
            this.upstreamPort = upstreamPort;
        }

        @Override
        public void channelActive(ChannelHandlerContext context) {
            Channel caller = context.channel();
            new Bootstrap().group(caller.eventLoop())
                    .channel(caller instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(upstreamHandlers(caller));
                        }
                    }).connect("127.0.0.1", upstreamPort).addListener((ChannelFutureListener) connected -> {
                        if (connected.isSuccess()) {
                            upstream = connected.channel();
                            caller.read();
                        } else {
                            caller.close();
                        }
                    });
        }

        /** The upstream connection's pipeline: Netty's client codec and the relay back to the caller. */
        protected ChannelHandler[] upstreamHandlers(Channel caller) {
            return new ChannelHandler[] { new HttpClientCodec(), new UpstreamSide(caller) };
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof HttpRequest request) {
                if (request.uri().startsWith("/bench/")) {
                    request.setUri(request.uri().substring("/bench".length()));
                }
                request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer bench-token");
            }
            upstream.write(message);
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

    /** Writes the upstream's answers back to the caller. */
    static class UpstreamSide extends ChannelInboundHandlerAdapter {

        protected final Channel caller;

        UpstreamSide(Channel caller) {
            this.caller = caller;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            caller.write(message);
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
