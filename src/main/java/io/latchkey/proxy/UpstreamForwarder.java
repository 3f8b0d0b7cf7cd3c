package io.latchkey.proxy;

import java.time.InstantSource;
import java.util.function.LongSupplier;

import io.latchkey.credential.CredentialUnavailableException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Sends a request to its route's upstream and streams the answer back. Bodies are streamed in both directions, each
 * side paused while the other cannot take more, so back-pressure reaches the slower side and nothing is held whole in
 * memory; each chunk is written as it arrives, which is what keeps server-sent events flowing event by event.
 * <p>
 * On a route whose tokens Latchkey renews, a small body is kept, and a 401 from the upstream renews the token and
 * replays the request once; a second 401, or a body too large to keep, passes through.
 */
final class UpstreamForwarder {

    /** What an abandoned upstream call hears when its caller went away; it is never shown to anyone. */
    private static final HttpClosedException CALLER_CLOSED = new HttpClosedException(
            "the caller closed the connection");

    private final ErrorResponses errors;
    private final int replayBufferLimit;
    private final InstantSource clock;
    private final LongSupplier nanoClock;
    /** Each event loop's idle watch, made on its first request with an idle timeout. */
    private final PerEventLoop<IdleWatch> watches = new PerEventLoop<>(IdleWatch::close);

    /** @param nanoClock the time idle timeouts are measured on ({@code System::nanoTime} but in tests) */
    UpstreamForwarder(ErrorResponses errors, int replayBufferLimit, InstantSource clock, LongSupplier nanoClock) {
        this.errors = errors;
        this.replayBufferLimit = replayBufferLimit;
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    /** Stops the idle sweeps; requests still in flight are left to their connections. */
    void close() {
        watches.close();
    }

    void start(Exchange exchange) {
        // The length is read only for a body that might be kept; most requests have none.
        if (exchange.route.injection.renewable() && exchange.hasBody() && keepable(exchange.request.contentLength())) {
            exchange.request.body().onComplete(read -> {
                if (read.failed()) {
                    exchange.request.closeConnection();
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

    /** Whether a body of this declared length (-1: chunked or malformed) is small enough to keep for a replay. */
    private boolean keepable(long length) {
        return length >= 0 && length <= replayBufferLimit;
    }

    private void send(Exchange exchange) {
        CallerRequest request = exchange.request;
        CompiledRoute route = exchange.route;
        OutboundRequest outbound;
        try {
            // Only a route whose tokens Latchkey renews asks when the request was built (after a 401): no other
            // reads the wall clock per request.
            exchange.startedAt = route.injection.renewable() ? clock.instant() : null;
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
                .setFollowRedirects(false)
                .setConnectTimeout(route.connectTimeoutMillis);
        IdleWatch watch = route.idleTimeoutMillis > 0 ? watchOfThisEventLoop() : null;
        if (route.idleTimeoutMillis > 0 && watch == null) {
            // Not on an event loop (nothing here sends from elsewhere today): Vert.x's own timer per request.
            options.setIdleTimeout(route.idleTimeoutMillis);
        }
        exchange.sentNanos = nanoClock.getAsLong();
        if (exchange.attempt == 0 && !exchange.resentUnprocessed) {
            route.meters.overhead(exchange.sentNanos - exchange.arrivedNanos);
        }
        Attempt attempt = new Attempt(exchange, watch);
        route.client.request(options, outbound, attempt);
        attempt.asking = false;
    }

    /**
     * One sending of an exchange upstream (a replay is another): hears whether a connection carries it, what the
     * upstream answers and its body, which it relays, and whether the caller goes away meanwhile. One object per
     * sending, where futures, their listeners and a handler for each event took one object each.
     */
    private final class Attempt implements UpstreamListener, Handler<Void>, UpstreamBodyListener {

        private final Exchange exchange;
        /** This event loop's idle watch, on a route with an idle timeout; null on others. */
        private final IdleWatch watch;
        /** True while the client is being asked: a call carried before it returns had a pooled connection at once. */
        boolean asking = true;
        /** The answer being relayed; null before. */
        private UpstreamResponse answer;

        Attempt(Exchange exchange, IdleWatch watch) {
            this.exchange = exchange;
            this.watch = watch;
        }

        @Override
        public void carried(UpstreamCall call) {
            exchange.upstream = call;
            if (watch != null) {
                // A connection opened for the call, or freed within the pool's limit, carries it later than it was
                // sent, and the upstream's silence counts from then: waiting to connect is the connect timeout's
                // business.
                watch.watch(exchange, asking ? exchange.sentNanos : nanoClock.getAsLong());
            }
            exchange.request.response().closeHandler(this);
            sendBody(exchange, call);
        }

        @Override
        public void notCarried(Throwable cause) {
            errors.send(exchange.request, UpstreamFailures.classify(cause, exchange.route));
        }

        /** The caller closed its connection: the call is abandoned. */
        @Override
        public void handle(Void closed) {
            IdleWatch.forget(exchange);
            exchange.upstream.reset(CALLER_CLOSED);
            exchange.done.handle(null);
        }

        @Override
        public void answered(UpstreamResponse response) {
            CompiledRoute route = exchange.route;
            long now = nanoClock.getAsLong();
            if (watch != null) {
                exchange.lastActivityNanos = now;
            }
            int status = response.statusCode();
            route.meters.answered(status, exchange.sentNanos, now);
            if (status == 401 && exchange.attempt == 0 && route.injection.renewable()) {
                if (exchange.replayable()) {
                    renewAndReplay(exchange, response);
                    return;
                }
                // Not replayable (a large or streamed body): the 401 passes through, and the next request gets a
                // new token.
                route.injection.rejected(exchange.startedAt);
            }
            route.meters.forwarded();
            relay(response);
        }

        @Override
        public void notAnswered(Throwable cause) {
            IdleWatch.forget(exchange);
            if (cause instanceof UnprocessedRequestException && !exchange.resentUnprocessed
                    && exchange.replayable() && !exchange.request.response().closed()) {
                // Declined before processing (HTTP/2 GOAWAY or REFUSED_STREAM): safe to send again, once.
                exchange.resentUnprocessed = true;
                send(exchange);
                return;
            }
            errors.send(exchange.request, UpstreamFailures.classify(cause, exchange.route));
        }

        /**
         * Streams the upstream's answer to the caller chunk by chunk, pausing the upstream while the caller's write
         * queue is full. Written out rather than piped so that each chunk counts as the upstream's activity for the
         * idle watch, and time spent waiting for a slow caller does not.
         */
        private void relay(UpstreamResponse answer) {
            CallerRequest request = exchange.request;
            CallerResponse response = request.response();
            if (response.closed()) {
                IdleWatch.forget(exchange);
                exchange.upstream.reset(CALLER_CLOSED);
                return;
            }
            boolean hasLength = copyHead(answer, response);
            if (!hasLength && mayHaveBody(request.method(), answer.statusCode())) {
                // A stream (server-sent events): the caller learns the status now, not with the first event.
                response.writeHeadChunked();
            }
            this.answer = answer;
            response.drainHandler(drained -> {
                if (watch != null) {
                    exchange.lastActivityNanos = nanoClock.getAsLong();
                }
                exchange.waitingForCaller = false;
                answer.resume();
            });
            answer.bodyTo(this);
        }

        @Override
        public void chunk(Buffer chunk) {
            // Only a route with an idle timeout has a watch that reads when its upstream last sent something.
            if (watch != null) {
                exchange.lastActivityNanos = nanoClock.getAsLong();
            }
            CallerResponse response = exchange.request.response();
            response.write(chunk);
            if (response.writeQueueFull()) {
                exchange.waitingForCaller = true;
                answer.pause();
            }
        }

        @Override
        public void end(Buffer lastChunk) {
            IdleWatch.forget(exchange);
            if (lastChunk == null) {
                exchange.request.response().end();
            } else {
                exchange.request.response().end(lastChunk);
            }
        }

        @Override
        public void failed(Throwable cause) {
            IdleWatch.forget(exchange);
            // The status line is out; cutting the connection is how a truncated body is made visible.
            exchange.request.closeConnection();
        }
    }

    /** This event loop's idle watch; null when not called on an event loop. */
    private IdleWatch watchOfThisEventLoop() {
        IdleWatch watch = watches.get();
        if (watch == null) {
            Context context = Vertx.currentContext();
            if (context == null || !context.isEventLoopContext()) {
                return null;
            }
            watch = watches.add(new IdleWatch(context, nanoClock));
        }
        return watch;
    }

    /** The upstream refused the token: renew it once for everyone, then send the request again. */
    private void renewAndReplay(Exchange exchange, UpstreamResponse refused) {
        Context context = Vertx.currentContext();
        refused.body().onComplete(refusedBody -> {
            IdleWatch.forget(exchange);
            renew(exchange, refused, refusedBody, context);
        });
    }

    private void renew(Exchange exchange, UpstreamResponse refused, AsyncResult<Buffer> refusedBody,
            Context context) {
        exchange.route.injection.rejected(exchange.startedAt)
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
                }));
    }

    private static void sendBody(Exchange exchange, UpstreamCall upstream) {
        CallerRequest request = exchange.request;
        if (exchange.body != null) {
            upstream.end(exchange.body);
            return;
        }
        if (!exchange.hasBody()) {
            // Never paused (see ProxyHandler): resuming would only cost Vert.x a queue.
            upstream.end(null);
            return;
        }
        upstream.pipeFrom(request, request.chunked());
    }

    private static void relayBuffered(CallerRequest request, UpstreamResponse upstream, Buffer body) {
        CallerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        copyHead(upstream, response);
        response.removeHeader(HttpHeaders.CONTENT_LENGTH);
        response.end(body);
    }

    /** Copies status and end-to-end headers; returns whether the upstream declared a Content-Length. */
    private static boolean copyHead(UpstreamResponse upstream, CallerResponse response) {
        int status = upstream.statusCode();
        response.setStatusCode(status);
        // The standard phrase is what Vert.x writes anyway; setting it would build a new status per response.
        if (!upstream.hasStatusMessage(ReasonPhrases.of(status))
                && upstream.statusMessage() != null) {
            response.setStatusMessage(upstream.statusMessage());
        }
        return response.addEndToEndHeaders(upstream);
    }

    private static boolean mayHaveBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}
