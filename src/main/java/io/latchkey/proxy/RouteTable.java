package io.latchkey.proxy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the route for a request in time that depends on the request, not on the number of routes: hash lookups by
 * host, and by each candidate prefix of the path from the longest down (so the longest prefix wins).
 */
final class RouteTable {

    private final Map<String, CompiledRoute> byPrefix = new HashMap<>();
    private final Map<String, CompiledRoute> byHost = new HashMap<>();
    private final int longestPrefixSegments;

    RouteTable(List<CompiledRoute> routes) {
        int longest = 0;
        for (CompiledRoute route : routes) {
            if (route.spec.prefix().isPresent()) {
                String prefix = route.spec.prefix().get();
                byPrefix.put(prefix, route);
                longest = Math.max(longest, segments(prefix));
            }
            for (String host : route.spec.hosts()) {
                byHost.put(host, route);
            }
        }
        this.longestPrefixSegments = longest;
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
        // Candidate ends: each '/' after the first segment, and the end of the path, limited to the deepest prefix.
        int[] ends = new int[longestPrefixSegments];
        int count = 0;
        for (int i = 1; i < path.length() && count < longestPrefixSegments; i++) {
            if (path.charAt(i) == '/') {
                ends[count++] = i;
            }
        }
        if (count < longestPrefixSegments) {
            ends[count++] = path.length();
        }
        for (int c = count - 1; c >= 0; c--) {
            CompiledRoute route = byPrefix.get(path.substring(0, ends[c]));
            if (route != null) {
                String rest = path.substring(ends[c]);
                return new PrefixMatch(route, ends[c], rest.isEmpty() ? "/" : rest);
            }
        }
        return null;
    }

    private static int segments(String prefix) {
        int count = 0;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }

    record PrefixMatch(CompiledRoute route, int prefixLength, String relativePath) {
    }
}
