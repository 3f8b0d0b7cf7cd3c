package io.latchkey.proxy;

import java.util.Locale;
import java.util.Map;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * Sends a request to its route's upstream and streams the answer back. Bodies flow through Vert.x pipes in both
 * directions, so back-pressure reaches the slower side and nothing is held whole in memory; each chunk is written as
 * it arrives, which is what keeps server-sent events flowing event by event.
 */
final class UpstreamForwarder {

    private final ErrorResponses errors;

    UpstreamForwarder(ErrorResponses errors) {
        this.errors = errors;
    }

    void forward(HttpServerRequest request, CompiledRoute route, OutboundRequest outbound, String uri) {
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(route.upstreamHost)
                .setPort(route.upstreamPort)
                .setSsl(route.tls)
                .setURI(uri)
                .setHeaders(outbound.headers)
                .setFollowRedirects(false)
                .setConnectTimeout(route.connectTimeoutMillis);
        if (route.idleTimeoutMillis > 0) {
            options.setIdleTimeout(route.idleTimeoutMillis);
        }
        route.client.request(options).onComplete(created -> {
            if (created.failed()) {
                errors.send(request, UpstreamFailures.classify(created.cause(), route));
                return;
            }
            HttpClientRequest upstream = created.result();
            request.response().closeHandler(closed -> upstream.reset());
            upstream.response().onComplete(answered -> {
                if (answered.failed()) {
                    errors.send(request, UpstreamFailures.classify(answered.cause(), route));
                } else {
                    relay(request, answered.result());
                }
            });
            sendBody(request, upstream);
        });
    }

    private static void sendBody(HttpServerRequest request, HttpClientRequest upstream) {
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        String contentLength = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (!chunked && (contentLength == null || contentLength.equals("0"))) {
            upstream.end();
            request.resume();
            return;
        }
        if (chunked) {
            upstream.setChunked(true);
        }
        request.pipe().endOnFailure(false).to(upstream).onFailure(failed -> upstream.reset());
    }

    private static void relay(HttpServerRequest request, HttpClientResponse upstream) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            upstream.request().reset();
            return;
        }
        response.setStatusCode(upstream.statusCode());
        if (upstream.statusMessage() != null) {
            response.setStatusMessage(upstream.statusMessage());
        }
        MultiMap out = response.headers();
        String connection = upstream.getHeader(HttpHeaders.CONNECTION);
        boolean hasLength = false;
        for (Map.Entry<String, String> header : upstream.headers()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            if (HopByHop.isHopByHop(lower, connection)) {
                continue;
            }
            hasLength |= lower.equals("content-length");
            out.add(header.getKey(), header.getValue());
        }
        if (!hasLength && mayHaveBody(request.method(), upstream.statusCode())) {
            response.setChunked(true);
        }
        upstream.pipe().endOnFailure(false).to(response).onFailure(failed -> {
            // The status line is out; cutting the connection is how a truncated body is made visible.
            request.connection().close();
        });
    }

    private static boolean mayHaveBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}
