package io.latchkey.proxy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the route for a request in time that depends on the request, not on the number of routes: hash lookups by
 * host, and by each candidate prefix of the path (the longest that matches wins; see {@link PrefixIndex}).
 */
final class RouteTable {

    private final PrefixIndex<CompiledRoute> byPrefix;
    private final Map<String, CompiledRoute> byHost = new HashMap<>();

    RouteTable(List<CompiledRoute> routes) {
        Map<String, CompiledRoute> prefixes = new HashMap<>();
        for (CompiledRoute route : routes) {
            route.spec.prefix().ifPresent(prefix -> prefixes.put(prefix, route));
            for (String host : route.spec.hosts()) {
                byHost.put(host, route);
            }
        }
        this.byPrefix = new PrefixIndex<>(prefixes);
    }

    /** The route for a forward-mode authority ({@code host} or {@code host:port}), or null. */
    CompiledRoute byAuthority(String authority, String host) {
        CompiledRoute route = byHost.get(authority);
        return route != null ? route : byHost.get(host);
    }

    boolean hasHosts() {
        return !byHost.isEmpty();
    }

    /** The route whose prefix is the longest match for the path, with the path after it; or null. */
    PrefixMatch byPrefix(String path) {
        if (byPrefix.isEmpty()) {
            return null;
        }
        int slot = byPrefix.longestMatch(path);
        if (slot < 0) {
            return null;
        }
        int prefixLength = byPrefix.key(slot).length();
        return new PrefixMatch(byPrefix.value(slot), prefixLength,
                prefixLength == path.length() ? "/" : path.substring(prefixLength));
    }

    record PrefixMatch(CompiledRoute route, int prefixLength, String relativePath) {
    }
}
