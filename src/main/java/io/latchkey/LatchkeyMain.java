package io.latchkey;

import io.latchkey.policy.PolicyValidation;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point. {@code validate <policy.yaml>...} checks policies without starting anything (for platform teams'
 * CI); anything else starts the sidecar.
 */
@QuarkusMain
public class LatchkeyMain {

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("validate")) {
            System.exit(PolicyValidation.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        Quarkus.run(args);
    }
}
