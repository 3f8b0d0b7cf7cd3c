package io.latchkey.policy;

import java.util.List;
import java.util.Map;

/**
 * A validated egress policy: the credentials it defines and the routes that use them. Immutable.
 *
 * @param critical credentials whose unavailability makes the pod not ready ({@code critical: true})
 */
public record Policy(String name, Map<String, CredentialSpec> credentials, List<RouteSpec> routes,
        java.util.Set<String> critical) {

    public Policy {
        // Kept in the order written, so readiness data lists credentials as the policy does.
        credentials = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(credentials));
        routes = List.copyOf(routes);
        critical = java.util.Set.copyOf(critical);
    }
}
