package io.latchkey.policy;

import java.util.List;
import java.util.Set;

/** What a route lets through. An empty set or list means "any". */
public record Allow(Set<String> methods, List<PathGlob> paths) {

    public static final Allow ANY = new Allow(Set.of(), List.of());

    public Allow {
        methods = Set.copyOf(methods);
        paths = List.copyOf(paths);
    }

    public boolean permitsMethod(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    public boolean permitsPath(String normalisedPath) {
        if (paths.isEmpty()) {
            return true;
        }
        for (PathGlob glob : paths) {
            if (glob.matches(normalisedPath)) {
                return true;
            }
        }
        return false;
    }
}
