package io.latchkey.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.resolver.dns.DnsNameResolverException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;

/**
 * Classifies what went wrong talking to an upstream into the caller-facing codes. Messages name the kind of failure,
 * never what the upstream sent.
 */
final class UpstreamFailures {

    private UpstreamFailures() {
    }

    static ProxyFailure classify(Throwable cause, CompiledRoute route) {
        if (cause instanceof ProxyFailure failure) {
            // Not the upstream's doing: the call was abandoned because the caller's side failed (a request body that
            // cannot be framed), and that failure says why.
            return failure.route() != null ? failure
                    : new ProxyFailure(failure.code(), failure.getMessage(), route.name, failure.retryAfterSeconds());
        }
        String upstream = route.upstreamAuthority;
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)) {
            root = root.getCause();
        }
        if (root instanceof ConnectTimeoutException || containsClass(cause, ConnectTimeoutException.class)) {
            return new ProxyFailure(ErrorCode.UPSTREAM_TIMEOUT, "connecting to " + upstream + " timed out after "
                    + route.connectTimeoutMillis + " ms", route.name);
        }
        if (root instanceof SslHandshakeTimeoutException) {
            return new ProxyFailure(ErrorCode.UPSTREAM_TIMEOUT, "TLS handshake with " + upstream + " timed out after "
                    + route.connectTimeoutMillis + " ms", route.name);
        }
        if (root instanceof TimeoutException) {
            return new ProxyFailure(ErrorCode.UPSTREAM_TIMEOUT, upstream + " sent nothing for "
                    + route.idleTimeoutMillis + " ms (the route's idleTimeout)", route.name);
        }
        if (containsClass(cause, UnknownHostException.class) || containsClass(cause, UnresolvedAddressException.class)
                || containsClass(cause, DnsNameResolverException.class)) {
            return new ProxyFailure(ErrorCode.UPSTREAM_UNREACHABLE, "cannot resolve " + route.upstreamHost,
                    route.name);
        }
        if (containsClass(cause, ConnectException.class) || containsClass(cause, NoRouteToHostException.class)) {
            return new ProxyFailure(ErrorCode.UPSTREAM_UNREACHABLE, "cannot connect to " + upstream, route.name);
        }
        if (containsClass(cause, NotSslRecordException.class)) {
            return new ProxyFailure(ErrorCode.UPSTREAM_UNREACHABLE, "TLS handshake with " + upstream
                    + " failed: it answered with something other than TLS (is the upstream URL's port plain http?)",
                    route.name);
        }
        if (containsClass(cause, SSLHandshakeException.class)) {
            return new ProxyFailure(ErrorCode.UPSTREAM_UNREACHABLE, "TLS handshake with " + upstream
                    + " failed: its certificate is not trusted or does not match the host"
                    + " (check the route's caBundle)", route.name);
        }
        if (containsClass(cause, SSLException.class)) {
            // After the handshake: a TLS record the engine refused, or a connection the upstream ended mid-exchange.
            return new ProxyFailure(ErrorCode.UPSTREAM_PROTOCOL_ERROR, "TLS session with " + upstream + " failed ("
                    + root.getClass().getSimpleName() + ")", route.name);
        }
        if (root instanceof HttpClosedException || root instanceof StreamResetException) {
            return new ProxyFailure(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                    upstream + " closed the connection before it answered", route.name);
        }
        return new ProxyFailure(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "exchange with " + upstream + " failed (" + root.getClass().getSimpleName() + ")", route.name);
    }

    private static boolean containsClass(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
