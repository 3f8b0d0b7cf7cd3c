package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/**
 * Upstream calls through Vert.x's pooled client: what https routes use, because it negotiates HTTP/2 by ALPN where
 * the upstream offers it. The client is shared (one per trust configuration) and closed by {@link UpstreamClients}.
 */
final class VertxUpstreamClient implements UpstreamClient {

    private final HttpClient client;

    VertxUpstreamClient(HttpClient client) {
        this.client = client;
    }

    @Override
    public Future<UpstreamCall> request(RequestOptions options) {
        return client.request(options).map(Call::new);
    }

    @Override
    public void close() {
        client.close();
    }

    private static final class Call implements UpstreamCall {

        private final HttpClientRequest request;

        Call(HttpClientRequest request) {
            this.request = request;
        }

        @Override
        public Future<UpstreamResponse> response() {
            return request.response().map(Response::new);
        }

        @Override
        public void end(Buffer body) {
            if (body == null) {
                request.end();
            } else {
                request.end(body);
            }
        }

        @Override
        public void pipeFrom(HttpServerRequest caller, boolean chunked) {
            if (chunked) {
                request.setChunked(true);
            }
            caller.pipe().endOnFailure(false).to(request).onFailure(failed -> request.reset());
        }

        @Override
        public void reset(Throwable cause) {
            request.reset(0, cause);
        }
    }

    private static final class Response implements UpstreamResponse {

        private final HttpClientResponse response;

        Response(HttpClientResponse response) {
            this.response = response;
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public String statusMessage() {
            return response.statusMessage();
        }

        @Override
        public String getHeader(CharSequence name) {
            return response.getHeader(name);
        }

        @Override
        public Iterable<Map.Entry<String, String>> headers() {
            return response.headers();
        }

        @Override
        public UpstreamResponse handler(Handler<Buffer> handler) {
            response.handler(handler);
            return this;
        }

        @Override
        public UpstreamResponse endHandler(Handler<Void> handler) {
            response.endHandler(handler);
            return this;
        }

        @Override
        public UpstreamResponse exceptionHandler(Handler<Throwable> handler) {
            response.exceptionHandler(handler);
            return this;
        }

        @Override
        public UpstreamResponse pause() {
            response.pause();
            return this;
        }

        @Override
        public UpstreamResponse resume() {
            response.resume();
            return this;
        }

        @Override
        public Future<Buffer> body() {
            return response.body();
        }
    }
}
