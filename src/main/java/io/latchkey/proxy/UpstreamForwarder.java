package io.latchkey.proxy;

import java.time.InstantSource;
import java.util.Map;

import io.latchkey.credential.CredentialUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * <p>
 * On a route whose tokens Latchkey renews, a small body is kept, and a 401 from the upstream renews the token and
 * replays the request once; a second 401, or a body too large to keep, passes through.
 */
final class UpstreamForwarder {

    private final ErrorResponses errors;
    private final int replayBufferLimit;
    private final InstantSource clock;

    UpstreamForwarder(ErrorResponses errors, int replayBufferLimit, InstantSource clock) {
        this.errors = errors;
        this.replayBufferLimit = replayBufferLimit;
        this.clock = clock;
    }

    void start(Exchange exchange) {
        long length = exchange.contentLength();
        if (exchange.route.injection.renewable() && exchange.hasBody() && length >= 0
                && length <= replayBufferLimit) {
            exchange.request.body().onComplete(read -> {
                if (read.failed()) {
                    exchange.request.connection().close();
                    return;
                }
                exchange.body = read.result();
                send(exchange);
            });
            exchange.request.resume();
            return;
        }
        send(exchange);
    }

    private void send(Exchange exchange) {
        HttpServerRequest request = exchange.request;
        CompiledRoute route = exchange.route;
        OutboundRequest outbound;
        try {
            exchange.startedAt = clock.instant();
            outbound = exchange.outbound();
        } catch (CredentialUnavailableException unavailable) {
            errors.send(request, new ProxyFailure(ErrorCode.CREDENTIAL_UNAVAILABLE, unavailable.getMessage(),
                    route.name, unavailable.retryAfterSeconds()));
            return;
        }
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(route.upstreamHost)
                .setPort(route.upstreamPort)
                .setSsl(route.tls)
                .setURI(outbound.uri(route.basePath, exchange.relativeRawPath))
                .setHeaders(outbound.headers)
                .setFollowRedirects(false)
                .setConnectTimeout(route.connectTimeoutMillis);
        if (route.idleTimeoutMillis > 0) {
            options.setIdleTimeout(route.idleTimeoutMillis);
        }
        exchange.sentNanos = System.nanoTime();
        if (exchange.attempt == 0) {
            route.meters.overhead(exchange.sentNanos - exchange.arrivedNanos);
        }
        route.client.request(options).onComplete(created -> {
            if (created.failed()) {
                errors.send(request, UpstreamFailures.classify(created.cause(), route));
                return;
            }
            HttpClientRequest upstream = created.result();
            request.response().closeHandler(closed -> {
                upstream.reset();
                exchange.done.handle(null);
            });
            upstream.response().onComplete(answered -> {
                if (answered.succeeded()) {
                    route.meters.answered(answered.result().statusCode(), exchange.sentNanos, System.nanoTime());
                }
                if (answered.failed()) {
                    errors.send(request, UpstreamFailures.classify(answered.cause(), route));
                } else if (answered.result().statusCode() == 401 && exchange.attempt == 0
                        && route.injection.renewable() && exchange.replayable()) {
                    renewAndReplay(exchange, answered.result());
                } else {
                    if (answered.result().statusCode() == 401 && exchange.attempt == 0
                            && route.injection.renewable()) {
                        // Not replayable (a large or streamed body): the 401 passes through, and the next request
                        // gets a new token.
                        route.injection.rejected(exchange.startedAt);
                    }
                    route.meters.forwarded();
                    relay(request, answered.result());
                }
            });
            sendBody(exchange, upstream);
        });
    }

    /** The upstream refused the token: renew it once for everyone, then send the request again. */
    private void renewAndReplay(Exchange exchange, HttpClientResponse refused) {
        Context context = Vertx.currentContext();
        refused.body().onComplete(refusedBody -> exchange.route.injection.rejected(exchange.startedAt)
                .whenComplete((renewed, error) -> context.runOnContext(ignored -> {
                    if (error == null && !exchange.request.response().closed()) {
                        exchange.attempt++;
                        send(exchange);
                    } else {
                        exchange.route.meters.forwarded();
                        // No new token: the caller gets the upstream's own answer.
                        relayBuffered(exchange.request, refused,
                                refusedBody.succeeded() ? refusedBody.result() : Buffer.buffer());
                    }
                })));
    }

    private static void sendBody(Exchange exchange, HttpClientRequest upstream) {
        HttpServerRequest request = exchange.request;
        if (exchange.body != null) {
            upstream.end(exchange.body);
            return;
        }
        if (!exchange.hasBody()) {
            upstream.end();
            request.resume();
            return;
        }
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
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
        boolean hasLength = copyHead(upstream, response);
        if (!hasLength && mayHaveBody(request.method(), upstream.statusCode())) {
            response.setChunked(true);
        }
        upstream.pipe().endOnFailure(false).to(response).onFailure(failed -> {
            // The status line is out; cutting the connection is how a truncated body is made visible.
            request.connection().close();
        });
    }

    private static void relayBuffered(HttpServerRequest request, HttpClientResponse upstream, Buffer body) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        copyHead(upstream, response);
        response.headers().remove(HttpHeaders.CONTENT_LENGTH);
        response.end(body);
    }

    /** Copies status and end-to-end headers; returns whether the upstream declared a Content-Length. */
    private static boolean copyHead(HttpClientResponse upstream, HttpServerResponse response) {
        response.setStatusCode(upstream.statusCode());
        if (upstream.statusMessage() != null) {
            response.setStatusMessage(upstream.statusMessage());
        }
        MultiMap out = response.headers();
        HopByHop hopByHop = HopByHop.forConnectionHeader(upstream.getHeader(HttpHeaders.CONNECTION));
        boolean hasLength = false;
        for (Map.Entry<String, String> header : upstream.headers()) {
            String name = header.getKey();
            if (hopByHop.isHopByHop(name)) {
                continue;
            }
            hasLength |= name.equalsIgnoreCase("content-length");
            out.add(name, header.getValue());
        }
        return hasLength;
    }

    private static boolean mayHaveBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}
