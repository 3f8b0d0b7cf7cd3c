package io.latchkey.policy;

import java.util.List;
import java.util.Map;

/** A validated egress policy: the credentials it defines and the routes that use them. Immutable. */
public record Policy(String name, Map<String, CredentialSpec> credentials, List<RouteSpec> routes) {

    public Policy {
        // Kept in the order written, so readiness data lists credentials as the policy does.
        credentials = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(credentials));
        routes = List.copyOf(routes);
    }
}
