package io.latchkey.proxy;

import java.util.ArrayList;
import java.util.List;

import io.latchkey.credential.Credentials;
import io.latchkey.credential.oauth.OAuthRuntime;
import io.latchkey.inject.RouteInjection;
import io.latchkey.policy.Policy;
import io.latchkey.policy.RouteSpec;
import io.latchkey.secret.ValueSources;

/** One policy, compiled for the hot path: its route table and its open credentials. Swapped whole on reload. */
final class PolicyRuntime implements AutoCloseable {

    final Policy policy;
    final Credentials credentials;
    final RouteTable routes;
    private final java.util.Map<String, RouteMeters> meters;

    private PolicyRuntime(Policy policy, Credentials credentials, RouteTable routes,
            java.util.Map<String, RouteMeters> meters) {
        this.policy = policy;
        this.credentials = credentials;
        this.routes = routes;
        this.meters = meters;
    }

    /** The meters of a route by name, or null. */
    RouteMeters meters(String route) {
        return route == null ? null : meters.get(route);
    }

    /**
     * Opens the policy's credentials and builds its routes. Reads files (secrets, CA bundles): call it off the event
     * loop.
     *
     * @throws IllegalArgumentException when a route cannot be built (an unreadable CA bundle)
     */
    static PolicyRuntime compile(Policy policy, ValueSources sources, UpstreamClients clients, OAuthRuntime oauth,
            io.micrometer.core.instrument.MeterRegistry registry) {
        Credentials credentials = Credentials.open(policy, sources, oauth);
        try {
            List<CompiledRoute> compiled = new ArrayList<>();
            java.util.Map<String, RouteMeters> meters = new java.util.HashMap<>();
            for (RouteSpec spec : policy.routes()) {
                java.net.URI upstream = spec.upstream();
                int port = CompiledRoute.portOf(upstream);
                UpstreamClient client = upstream.getScheme().equals("https")
                        ? clients.https(upstream.getHost(), port, spec.caBundle().orElse(null), spec.http2())
                        : clients.plain(upstream.getHost(), port);
                RouteInjection injection = RouteInjection.compile(spec.inject(), credentials);
                RouteMeters routeMeters = new RouteMeters(registry, spec.name(), injection.credentialNames());
                meters.put(spec.name(), routeMeters);
                compiled.add(new CompiledRoute(spec, injection, client, routeMeters));
            }
            return new PolicyRuntime(policy, credentials, new RouteTable(compiled), java.util.Map.copyOf(meters));
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
    }

    @Override
    public void close() {
        credentials.close();
    }
}
