package io.latchkey.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that cannot be used, with every problem found in it. */
public final class PolicyException extends RuntimeException {

    private final String source;
    private final List<PolicyProblem> problems;

    public PolicyException(String source, List<PolicyProblem> problems) {
        super(describe(source, problems), null, false, false);
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    private static String describe(String source, List<PolicyProblem> problems) {
        return "Policy " + source + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + ":\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }
}
