package io.latchkey.proxy;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.latchkey.credential.CredentialUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

/**
 * The data plane for one request, as a chain of small steps: take the target apart, refuse unsafe paths, find the
 * route, check the allow-list, build the outbound request with the caller's credentials removed and the route's
 * injected, forward. Any step may throw a {@link ProxyFailure}; it is answered in one place.
 */
final class ProxyHandler implements Handler<CallerRequest> {

    private final Supplier<PolicyRuntime> policy;
    private final ErrorResponses errors;
    private final UpstreamForwarder forwarder;
    private final ConnectTunnel tunnel;
    private final InFlightRequests inFlight;

    ProxyHandler(Supplier<PolicyRuntime> policy, ErrorResponses errors, UpstreamForwarder forwarder,
            ConnectTunnel tunnel, InFlightRequests inFlight) {
        this.inFlight = inFlight;
        this.policy = policy;
        this.errors = errors;
        this.forwarder = forwarder;
        this.tunnel = tunnel;
    }

    @Override
    public void handle(CallerRequest request) {
        boolean hasBody = request.declaresBody();
        if (hasBody || request.method() == HttpMethod.CONNECT) {
            // Hold the body (or the tunnel's first bytes) until the upstream is ready for it; the pipe to the
            // upstream resumes it. A request without a body is not paused: pausing costs Vert.x a queue per request.
            request.pause();
        }
        InFlightRequests.Done done = inFlight.begin(request);
        CompiledRoute route = null;
        try {
            PolicyRuntime runtime = policy.get();
            if (request.method() == HttpMethod.CONNECT) {
                tunnel.open(request, runtime.routes);
                return;
            }
            // Host names a route only when the policy has routes by host: otherwise it is neither looked up nor copied.
            String hostHeader = runtime.routes.hasHosts() ? request.getHeader(HttpHeaders.HOST) : null;
            RequestTarget target = RequestTarget.parse(request.uri(), hostHeader);
            String decodedPath = PathGuard.checkAndDecode(target.rawPath());
            String relativeRawPath;
            String relativeDecodedPath;
            route = target.authority() == null || !runtime.routes.hasHosts() ? null
                    : runtime.routes.byAuthority(target.authority(), target.host());
            if (route != null) {
                relativeRawPath = target.rawPath();
                relativeDecodedPath = decodedPath;
            } else if (target.absoluteForm()) {
                throw new ProxyFailure(ErrorCode.NO_ROUTE, "no route for host " + target.host(), null);
            } else {
                RouteTable.PrefixMatch match = runtime.routes.byPrefix(target.rawPath());
                if (match == null) {
                    throw new ProxyFailure(ErrorCode.NO_ROUTE, "no route for this path or host", null);
                }
                route = match.route();
                relativeRawPath = match.relativePath();
                // Prefixes hold no escapes, so the decoded path starts with the same characters.
                relativeDecodedPath = decodedPath.substring(match.prefixLength());
                if (relativeDecodedPath.isEmpty()) {
                    relativeDecodedPath = "/";
                }
            }
            done.route = route.name;
            done.credential = route.credentialLabel;
            done.relativePath = relativeRawPath;
            if (!route.allow.permitsMethod(request.method().name())) {
                throw new ProxyFailure(ErrorCode.METHOD_NOT_ALLOWED,
                        "route " + route.name + " does not allow " + request.method().name(), route.name);
            }
            if (!route.allow.permitsPath(relativeDecodedPath)) {
                throw new ProxyFailure(ErrorCode.PATH_NOT_ALLOWED,
                        "route " + route.name + " does not allow this path", route.name);
            }
            Exchange exchange = new Exchange(request, hasBody, route, target.rawQuery(), relativeRawPath, null, done);
            done.exchange = exchange;
            CompletionStage<Void> ready = route.injection.whenReady();
            if (ready == null) {
                forwarder.start(exchange);
                return;
            }
            // A token is being fetched (first request, or after a failure): wait for it off the event loop's back.
            Context context = Vertx.currentContext();
            CompiledRoute waiting = route;
            ready.whenComplete((ok, error) -> context.runOnContext(ignored -> {
                if (error == null) {
                    forwarder.start(exchange);
                } else {
                    errors.send(request, unavailable(error, waiting));
                }
            }));
        } catch (ProxyFailure failure) {
            errors.send(request, failure);
        } catch (CredentialUnavailableException unavailable) {
            errors.send(request, unavailable(unavailable, route));
        }
    }

    private static ProxyFailure unavailable(Throwable error, CompiledRoute route) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CredentialUnavailableException unavailable) {
            return new ProxyFailure(ErrorCode.CREDENTIAL_UNAVAILABLE, unavailable.getMessage(),
                    route == null ? null : route.name, unavailable.retryAfterSeconds());
        }
        return new ProxyFailure(ErrorCode.CREDENTIAL_UNAVAILABLE, "a credential of this route is unavailable",
                route == null ? null : route.name);
    }
}
