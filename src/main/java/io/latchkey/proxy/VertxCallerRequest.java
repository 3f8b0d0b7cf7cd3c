package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;

/** A {@link CallerRequest} read by Vert.x's HTTP server. */
final class VertxCallerRequest implements CallerRequest {

    private final HttpServerRequest request;
    private final VertxCallerResponse response;

    VertxCallerRequest(HttpServerRequest request) {
        this.request = request;
        this.response = new VertxCallerResponse(request.response(), request.connection());
    }

    @Override
    public HttpMethod method() {
        return request.method();
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public String getHeader(CharSequence name) {
        return request.getHeader(name);
    }

    @Override
    public boolean containsHeader(CharSequence name) {
        return request.headers().contains(name);
    }

    @Override
    public Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
        // Vert.x's header map is Netty's, which hands its entries out as kept, without a string per entry.
        return ((io.netty.handler.codec.http.HttpHeaders) request.headers())::iteratorCharSequence;
    }

    @Override
    public boolean declaresBody() {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return chunked() || (length != null && !length.equals("0"));
    }

    @Override
    public boolean chunked() {
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    @Override
    public long contentLength() {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || chunked()) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Future<Buffer> body() {
        return request.body();
    }

    @Override
    public boolean isEnded() {
        return request.isEnded();
    }

    @Override
    public long bytesRead() {
        return request.bytesRead();
    }

    @Override
    public CallerResponse response() {
        return response;
    }

    @Override
    public void closeConnection() {
        request.connection().close();
    }

    @Override
    public void tunnelTo(NetSocket upstream) {
        request.toNetSocket().onComplete(accepted -> {
            if (accepted.failed()) {
                upstream.close();
                return;
            }
            NetSocket caller = accepted.result();
            caller.pipeTo(upstream);
            upstream.pipeTo(caller);
        });
    }

    @Override
    public VertxCallerRequest handler(Handler<Buffer> handler) {
        request.handler(handler);
        return this;
    }

    @Override
    public VertxCallerRequest exceptionHandler(Handler<Throwable> handler) {
        request.exceptionHandler(handler);
        return this;
    }

    @Override
    public VertxCallerRequest endHandler(Handler<Void> handler) {
        request.endHandler(handler);
        return this;
    }

    @Override
    public VertxCallerRequest pause() {
        request.pause();
        return this;
    }

    @Override
    public VertxCallerRequest resume() {
        request.resume();
        return this;
    }

    @Override
    public VertxCallerRequest fetch(long amount) {
        request.fetch(amount);
        return this;
    }
}
