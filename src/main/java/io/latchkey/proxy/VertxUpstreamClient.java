package io.latchkey.proxy;

import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.streams.ReadStream;

/**
 * Upstream calls through Vert.x's pooled client: what https routes with {@code http2: true} use, because it negotiates
 * HTTP/2 by ALPN where the upstream offers it (HTTP/1.1 where it does not). The client is shared (one per trust
 * configuration) and closed by {@link UpstreamClients}.
 */
final class VertxUpstreamClient implements UpstreamClient {

    /** HTTP/2's REFUSED_STREAM error code (RFC 9113, 7). */
    private static final long REFUSED_STREAM = 0x7;

    private final HttpClient client;

    VertxUpstreamClient(HttpClient client) {
        this.client = client;
    }

    /**
     * Sends without a {@code Host} header: Vert.x derives the authority from the options' host and port (the same
     * value), as {@code :authority} on HTTP/2 and as {@code Host} on HTTP/1.1. Both on one HTTP/2 request is
     * allowed when equal (RFC 9113, 8.3.1), but nginx answers it with 400 "client sent duplicate host header".
     */
    @Override
    public void request(RequestOptions options, OutboundRequest request, UpstreamListener listener) {
        client.request(options.setHeaders(request.headersWithoutHost())).onComplete(created -> {
            if (created.failed()) {
                listener.notCarried(created.cause());
                return;
            }
            Call call = new Call(created.result());
            listener.carried(call);
            call.request.response().onComplete(answered -> {
                if (answered.succeeded()) {
                    listener.answered(new Response(answered.result()));
                } else {
                    listener.notAnswered(call.unprocessed(answered.cause())
                            ? new UnprocessedRequestException(answered.cause())
                            : answered.cause());
                }
            });
        });
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

        /** Whether the upstream said it did not process this request (RFC 9113, 8.7). */
        private boolean unprocessed(Throwable failure) {
            if (failure instanceof HttpClosedException closed) {
                GoAway goAway = closed.goAway();
                return goAway != null && request.streamId() > goAway.getLastStreamId();
            }
            return failure instanceof StreamResetException reset && reset.getCode() == REFUSED_STREAM;
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
        public void pipeFrom(ReadStream<Buffer> caller, boolean chunked) {
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
        @SuppressWarnings("unchecked")
        public Iterable<Map.Entry<CharSequence, CharSequence>> headers() {
            // Its entries are read, never set: a String entry is a CharSequence entry to a reader.
            return (Iterable<Map.Entry<CharSequence, CharSequence>>) (Iterable<?>) response.headers();
        }

        @Override
        public void bodyTo(UpstreamBodyListener listener) {
            response.exceptionHandler(listener::failed);
            response.endHandler(ended -> listener.end(null));
            // Last, so that the end and a failure are heard from the first chunk on.
            response.handler(listener::chunk);
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
