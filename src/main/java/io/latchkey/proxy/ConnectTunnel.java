package io.latchkey.proxy;

import java.util.Locale;

import io.vertx.core.net.NetClient;

/**
 * CONNECT: refused with {@code tunnel_refused}, unless a route with {@code tunnel: true} lists the requested host and
 * port; then a plain byte tunnel. Nothing is injected into a tunnel: its bytes are TLS that only the two ends read.
 */
final class ConnectTunnel {

    private final NetClient client;
    private final ErrorResponses errors;

    ConnectTunnel(NetClient client, ErrorResponses errors) {
        this.client = client;
        this.errors = errors;
    }

    void open(CallerRequest request, RouteTable routes) {
        String authority = request.uri().toLowerCase(Locale.ROOT);
        int colon = authority.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65535) {
            throw new ProxyFailure(ErrorCode.BAD_REQUEST, "CONNECT needs a host:port target", null);
        }
        String host = authority.substring(0, colon);
        CompiledRoute route = routes.byAuthority(authority, host);
        if (route == null || !route.tunnelsTo(host, port)) {
            throw new ProxyFailure(ErrorCode.TUNNEL_REFUSED,
                    route == null ? "no route tunnels to " + authority
                            : "route " + route.name + " does not tunnel to " + authority
                                    + " (CONNECT cannot carry injected credentials; set tunnel: true for pass-through)",
                    route == null ? null : route.name);
        }
        int targetPort = port;
        client.connect(targetPort, host).onComplete(connected -> {
            if (connected.failed()) {
                errors.send(request, UpstreamFailures.classify(connected.cause(), route));
                return;
            }
            request.tunnelTo(connected.result());
        });
    }
}
