package io.latchkey.policy;

/**
 * One thing wrong with a policy, located by its path in the document ({@code spec.routes[2].inject[0].query.name})
 * and its line (1-based; 0 when the problem is not tied to a line).
 */
public record PolicyProblem(String path, int line, String message) {

    @Override
    public String toString() {
        return (line > 0 ? "line " + line + ": " : "") + path + ": " + message;
    }
}
