package io.latchkey.proxy;

import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.latchkey.LatchkeyConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The proxy's own listener on {@code latchkey.proxy.host:port}, one server per event loop, separate from Quarkus's
 * HTTP server (admin API) and management interface (health, metrics): Latchkey's own HTTP/1.1 server
 * ({@link CallerConnection} on Vert.x's TCP server), or Vert.x's HTTP server ({@code latchkey.proxy.server=vertx}).
 */
final class ProxyListener {

    private static final Logger LOG = Logger.getLogger(ProxyListener.class);
    private static final java.util.concurrent.atomic.AtomicInteger RANDOM_PORT_KEYS = new java.util.concurrent.atomic.AtomicInteger(
            -15001);

    private final Vertx vertx;
    private final LatchkeyConfig.Proxy config;
    private final ProxyHandler handler;
    private final ErrorResponses errors;
    private final HttpServerOptions options;
    private final CallerConnection.Settings callerSettings;
    private final java.util.List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile int port;
    private final InFlightRequests inFlight;

    ProxyListener(Vertx vertx, LatchkeyConfig.Proxy config, ProxyHandler handler, ErrorResponses errors,
            InFlightRequests inFlight) {
        this.vertx = vertx;
        this.inFlight = inFlight;
        this.config = config;
        this.handler = handler;
        this.errors = errors;
        this.options = new HttpServerOptions()
                .setHost(config.host())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxInitialLineLength(config.maxRequestLineLength())
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(true)
                // Callers speak HTTP/1.1; without h2c the pipeline is complete before the first byte is read.
                .setHttp2ClearTextEnabled(false)
                // No WebSocket is served here (Upgrade is hop-by-hop and never forwarded): without these Vert.x
                // leaves out the handler that looks at every request and response for a WebSocket handshake.
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setTcpNoDelay(true);
        this.callerSettings = new CallerConnection.Settings(handler, errors, inFlight,
                config.maxRequestLineLength(), config.maxHeaderSize());
    }

    void start() {
        int eventLoops = config.eventLoops().orElse(Runtime.getRuntime().availableProcessors());
        // Vert.x shares one listening socket between the servers of all instances. For a random port (0) it needs a
        // negative port to know that the instances should share one random port rather than take one each; servers
        // with the same negative number share, so ours must differ from Quarkus's own (-1) and from each other.
        int bindPort = config.port() != 0 ? config.port() : eventLoops == 1 ? 0 : RANDOM_PORT_KEYS.getAndDecrement();
        HttpServerOptions serverOptions = new HttpServerOptions(options).setPort(bindPort);
        boolean own = config.server() == LatchkeyConfig.Proxy.CallerServer.LATCHKEY;
        try {
            deployments.add(vertx.deployVerticle(
                    () -> own ? new CallerServerVerticle(bindPort) : new ListenerVerticle(serverOptions),
                    new DeploymentOptions().setInstances(eventLoops))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("The proxy cannot listen on " + config.host() + ":" + config.port()
                    + " (latchkey.proxy.host/port): " + rootMessage(e), e);
        }
        LOG.infof("Latchkey proxy listening on http://%s:%d (%d event loops, %s, %s)", config.host(), port,
                eventLoops, own ? "Latchkey's HTTP/1.1 server" : "Vert.x's HTTP server", transport(vertx));
    }

    int port() {
        return port;
    }

    /**
     * Graceful stop: new connections are refused, requests on open connections are answered with
     * {@code Connection: close}, and requests and streams in flight get up to {@code drainTimeout} to finish;
     * then the listener closes whatever is left.
     */
    void stop() {
        inFlight.startDraining();
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        if (inFlight.count() > 0) {
            LOG.infof("Draining: waiting up to %d ms for %d requests in flight", config.drainTimeout().toMillis(),
                    inFlight.count());
        }
        while (inFlight.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.count() > 0) {
            LOG.warnf("Drain time over: closing %d requests still in flight", inFlight.count());
        }
        for (String deployment : deployments) {
            try {
                vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("Undeploying the proxy listener: %s", e.getClass().getSimpleName());
            }
        }
        deployments.clear();
    }

    /** The transport Vert.x's event loops run on, and why it is not epoll when it is not. */
    static String transport(Vertx vertx) {
        if (vertx.isNativeTransportEnabled()) {
            return "epoll transport";
        }
        if (!Epoll.isAvailable()) {
            return "Java NIO transport; epoll is unavailable here: " + rootMessage(Epoll.unavailabilityCause());
        }
        return "Java NIO transport; quarkus.vertx.prefer-native-transport is off";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** A request whose head could not be decoded safely: answered 400, connection closed. */
    private void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        String message = cause instanceof TooLongFrameException
                ? "the request line or headers are larger than this proxy accepts"
                : "the request cannot be parsed safely" + (cause instanceof IllegalArgumentException
                        && cause.getMessage() != null && cause.getMessage().length() < 120 ? ": " + cause.getMessage()
                                : "");
        errors.send(new VertxCallerRequest(request), new ProxyFailure(ErrorCode.BAD_REQUEST, message, null));
    }

    /** Latchkey's own HTTP/1.1 server: Vert.x's TCP server accepts, a {@link CallerConnection} serves. */
    private final class CallerServerVerticle extends AbstractVerticle {
        private final int bindPort;

        CallerServerVerticle(int bindPort) {
            this.bindPort = bindPort;
        }

        @Override
        public void start(Promise<Void> started) {
            // The TCP settings (host, no delay) of the HTTP server's options; the HTTP ones are Latchkey's own.
            NetServerOptions serverOptions = new NetServerOptions(options).setPort(bindPort);
            vertx.createNetServer(serverOptions)
                    .connectHandler(socket -> {
                        if (inFlight.draining()) {
                            socket.close();
                            return;
                        }
                        new CallerConnection((NetSocketInternal) socket, callerSettings);
                    })
                    .listen()
                    .onSuccess(bound -> {
                        port = bound.actualPort();
                        started.complete();
                    }).onFailure(started::fail);
        }
    }

    private final class ListenerVerticle extends AbstractVerticle {
        private final HttpServerOptions serverOptions;
        private HttpServer server;

        ListenerVerticle(HttpServerOptions serverOptions) {
            this.serverOptions = serverOptions;
        }

        @Override
        public void start(Promise<Void> started) {
            server = vertx.createHttpServer(serverOptions)
                    .connectionHandler(connection -> {
                        if (inFlight.draining()) {
                            connection.close();
                            return;
                        }
                        // Vert.x builds the HTTP/1 pipeline before the first read (h2c is off), so the strict
                        // decoder swapped in here sees every byte of every request on the connection.
                        ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
                        if (pipeline.get("httpDecoder") instanceof VertxHttpRequestDecoder) {
                            pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(serverOptions));
                        }
                    })
                    .invalidRequestHandler(ProxyListener.this::invalid)
                    .requestHandler(request -> handler.handle(new VertxCallerRequest(request)));
            server.listen().onSuccess(bound -> {
                port = bound.actualPort();
                started.complete();
            }).onFailure(started::fail);
        }
    }
}
