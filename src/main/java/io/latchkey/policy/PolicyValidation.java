package io.latchkey.policy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code validate <policy.yaml>...}: loads each policy as the sidecar would, without starting it, and prints each
 * problem with its path and line. Stores ({@code vault:}, {@code db:}) are not contacted: whether a reference can be
 * resolved depends on where the policy runs; its form is checked.
 */
public final class PolicyValidation {

    /** Exit codes: 0 valid, 1 problems found, 2 nothing to validate. */
    public static final int VALID = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;

    private PolicyValidation() {
    }

    public static int run(String[] files, PrintStream out) {
        if (files.length == 0) {
            out.println("usage: validate <policy.yaml> [more.yaml ...]");
            return USAGE;
        }
        PolicyParser parser = new PolicyParser(reference -> {
        });
        int result = VALID;
        for (String name : files) {
            Path file = Path.of(name);
            try {
                Policy policy = parser.parse(Files.readString(file, StandardCharsets.UTF_8), name);
                out.println(name + ": valid (policy " + policy.name() + ", " + policy.routes().size() + " routes, "
                        + policy.credentials().size() + " credentials)");
            } catch (PolicyException e) {
                out.println(e.getMessage());
                result = INVALID;
            } catch (IOException | RuntimeException e) {
                out.println(name + ": cannot be read (" + e.getClass().getSimpleName() + ")");
                result = INVALID;
            }
        }
        return result;
    }
}
