package io.latchkey.proxy;

import java.net.URI;
import java.util.Set;

import io.latchkey.inject.RouteInjection;
import io.latchkey.policy.Allow;
import io.latchkey.policy.RouteSpec;
import io.netty.util.AsciiString;

/** A route ready for the hot path: everything a request needs is computed here, once per policy load. */
final class CompiledRoute {

    final RouteSpec spec;
    final String name;
    final Allow allow;
    final RouteInjection injection;
    final UpstreamClient client;
    final String upstreamHost;
    /** Boxed once here: the request options take an {@code Integer}, and a port above 127 would be boxed per request. */
    final Integer upstreamPort;
    final boolean tls;
    /** {@code Host} for the upstream: the port only when it is not the scheme's default. */
    final String upstreamAuthority;
    /** {@link #upstreamAuthority} as the bytes a head copies. */
    final AsciiString hostHeaderValue;
    /** The bytes of the header names and values this route injects, encoded once per value. */
    final InjectedHeaderBytes injectedBytes;
    /** The upstream URL's path without a trailing slash; empty for none. */
    final String basePath;
    /** Caller header names that must not reach the upstream on this route, in lower case; compared in any case. */
    private final String[] strippedHeaders;
    final boolean stripProxyHeaders;
    final long connectTimeoutMillis;
    final long idleTimeoutMillis;
    final RouteMeters meters;
    /** The credentials this route injects, comma-separated, for the audit trail; null for none. */
    final String credentialLabel;

    CompiledRoute(RouteSpec spec, RouteInjection injection, UpstreamClient client, RouteMeters meters) {
        this.meters = meters;
        this.spec = spec;
        this.name = spec.name();
        this.allow = spec.allow();
        this.injection = injection;
        String credentials = injection.credentialNames();
        this.credentialLabel = credentials.equals("none") ? null : credentials;
        this.client = client;
        URI upstream = spec.upstream();
        this.tls = upstream.getScheme().equals("https");
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = portOf(upstream);
        this.upstreamAuthority = upstreamPort == (tls ? 443 : 80) ? upstreamHost : upstreamHost + ":" + upstreamPort;
        this.hostHeaderValue = new AsciiString(upstreamAuthority);
        this.injectedBytes = new InjectedHeaderBytes(injection.headerNames().size());
        String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<String> stripped = new java.util.TreeSet<>();
        injection.headerNames().forEach(header -> stripped.add(header.toLowerCase(java.util.Locale.ROOT)));
        if (!spec.passCallerAuthorization()) {
            stripped.add("authorization");
        }
        this.strippedHeaders = stripped.toArray(String[]::new);
        this.stripProxyHeaders = !spec.passCallerAuthorization();
        this.connectTimeoutMillis = spec.connectTimeout().toMillis();
        this.idleTimeoutMillis = spec.idleTimeout().map(d -> d.toMillis()).orElse(0L);
    }

    /**
     * Whether a caller header of this name, in any case, is kept from the upstream. A route strips a handful at most,
     * so comparing with each costs less than looking up a name that is not a string.
     */
    boolean strips(CharSequence header) {
        return HopByHop.isAnyOf(strippedHeaders, header);
    }

    /** Whether header line {@code line} of a caller's head is kept from the upstream: {@link #strips(CharSequence)}. */
    boolean strips(MessageHead head, int line) {
        for (String stripped : strippedHeaders) {
            if (head.nameIs(line, stripped)) {
                return true;
            }
        }
        return false;
    }

    /** The upstream URL's port, or its scheme's default (443 for https, 80 for http). */
    static int portOf(URI upstream) {
        if (upstream.getPort() >= 0) {
            return upstream.getPort();
        }
        return upstream.getScheme().equals("https") ? 443 : 80;
    }

    /** Whether a CONNECT to {@code host:port} may be tunnelled by this route. */
    boolean tunnelsTo(String host, int port) {
        if (!spec.tunnel()) {
            return false;
        }
        for (String allowed : spec.hosts()) {
            int colon = allowed.lastIndexOf(':');
            if (colon < 0 ? allowed.equals(host) && port == 443
                    : allowed.substring(0, colon).equals(host) && allowed.substring(colon + 1).equals(Integer.toString(port))) {
                return true;
            }
        }
        return false;
    }
}
