package io.latchkey.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * A real HTTP (or HTTPS) server on a loopback port that answers every request with what it received: method, target,
 * headers in order, body size. It records every request, so a test can also prove that something never arrived.
 * Handlers for special paths (streams, large bodies) can be added per test.
 */
public final class EchoUpstream implements AutoCloseable {

    /** One request as the upstream saw it. */
    public record Received(String method, String uri, List<Map.Entry<String, String>> headers, long bodyBytes,
            String protocol, String authority) {

        public List<String> headerValues(String name) {
            List<String> values = new ArrayList<>();
            headers.forEach(h -> {
                if (h.getKey().equalsIgnoreCase(name)) {
                    values.add(h.getValue());
                }
            });
            return values;
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, io.vertx.core.Handler<HttpServerRequest>> special = new java.util.concurrent.ConcurrentHashMap<>();

    private EchoUpstream(Vertx vertx, HttpServerOptions options) {
        this(vertx, options, "127.0.0.1");
    }

    private EchoUpstream(Vertx vertx, HttpServerOptions options, String host) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer(options.setHost(host).setPort(0)).requestHandler(this::handle);
        await(server.listen().toCompletionStage().toCompletableFuture());
    }

    public static EchoUpstream http(Vertx vertx) {
        return new EchoUpstream(vertx, new HttpServerOptions());
    }

    /** Over TLS, offering HTTP/2 by ALPN. */
    public static EchoUpstream https(Vertx vertx, TestCertificates certificates) {
        return new EchoUpstream(vertx, tls(certificates).setUseAlpn(true));
    }

    /** Over TLS, HTTP/1.1 only: no ALPN, as many servers are set up. */
    public static EchoUpstream httpsHttp11Only(Vertx vertx, TestCertificates certificates) {
        return new EchoUpstream(vertx, tls(certificates).setUseAlpn(false));
    }

    /** Plain http, listening on {@code host} instead of 127.0.0.1 (such as {@code ::1}). */
    public static EchoUpstream httpOn(Vertx vertx, String host) {
        return new EchoUpstream(vertx, new HttpServerOptions(), host);
    }

    /** Over TLS, offering HTTP/2 by ALPN, listening on {@code host} instead of 127.0.0.1. */
    public static EchoUpstream httpsOn(Vertx vertx, TestCertificates certificates, String host) {
        return new EchoUpstream(vertx, tls(certificates).setUseAlpn(true), host);
    }

    /** Over TLS, HTTP/1.1 only, listening on {@code host} instead of 127.0.0.1. */
    public static EchoUpstream httpsHttp11OnlyOn(Vertx vertx, TestCertificates certificates, String host) {
        return new EchoUpstream(vertx, tls(certificates).setUseAlpn(false), host);
    }

    private static HttpServerOptions tls(TestCertificates certificates) {
        return new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certificates.serverCertificate.toString()).setKeyPath(certificates.serverKey.toString()));
    }

    /** Serves {@code path} (exact, without query) with a handler of the test's own. */
    public EchoUpstream on(String path, io.vertx.core.Handler<HttpServerRequest> handler) {
        special.put(path, handler);
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    public List<Received> received() {
        return received;
    }

    public Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("the upstream received no request");
        }
        return received.get(received.size() - 1);
    }

    private void handle(HttpServerRequest request) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        request.headers().forEach(h -> headers.add(Map.entry(h.getKey(), h.getValue())));
        var handler = special.get(request.path());
        if (handler != null) {
            received.add(new Received(request.method().name(), request.uri(), headers, -1,
                    request.version().name(), String.valueOf(request.authority())));
            handler.handle(request);
            return;
        }
        long[] bytes = { 0 };
        request.handler(chunk -> bytes[0] += chunk.length());
        request.endHandler(done -> {
            received.add(new Received(request.method().name(), request.uri(), headers, bytes[0],
                    request.version().name(), String.valueOf(request.authority())));
            JsonArray headerArray = new JsonArray();
            headers.forEach(h -> headerArray.add(new JsonArray().add(h.getKey()).add(h.getValue())));
            Buffer body = new JsonObject().put("method", request.method().name()).put("uri", request.uri())
                    .put("headers", headerArray).put("bodyBytes", bytes[0]).toBuffer();
            request.response().putHeader("Content-Type", "application/json").end(body);
        });
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        await(server.close().toCompletionStage().toCompletableFuture());
    }

    public Vertx vertx() {
        return vertx;
    }
}
