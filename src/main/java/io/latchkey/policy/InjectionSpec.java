package io.latchkey.policy;

/** One thing a route adds to each request it forwards. */
public sealed interface InjectionSpec {

    /** {@code Authorization: Bearer <value>} from a credential's value. */
    record Bearer(String credential) implements InjectionSpec {
    }

    /** {@code Authorization: Basic base64(username:password)} from a basic credential. */
    record Basic(String credential) implements InjectionSpec {
    }

    /** A header whose value is a template. */
    record Header(String name, Template value) implements InjectionSpec {
    }

    /** A query parameter whose value is a template. */
    record Query(String name, Template value) implements InjectionSpec {
    }
}
