package io.latchkey.secret;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Where a credential value comes from, as written in the policy: {@code env:NAME}, {@code file:/path},
 * {@code vault:<mount>/<path>#<field>[@version]}, {@code db:<name>} or {@code literal:<value>}.
 */
public sealed interface ValueReference {

    /** The reference as an operator may see it; a literal shows its scheme only. */
    String describe();

    record Env(String variable) implements ValueReference {
        @Override
        public String describe() {
            return "env:" + variable;
        }
    }

    record File(Path path) implements ValueReference {
        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    record Vault(String mount, String path, String field, OptionalInt version) implements ValueReference {
        @Override
        public String describe() {
            return "vault:" + mount + "/" + path + "#" + field + (version.isPresent() ? "@" + version.getAsInt() : "");
        }
    }

    record Db(String name) implements ValueReference {
        @Override
        public String describe() {
            return "db:" + name;
        }
    }

    record Literal(Secret value) implements ValueReference {
        @Override
        public String describe() {
            return "literal:[redacted]";
        }
    }

    Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    Pattern VAULT = Pattern.compile("([^/#@\\s]+)/([^#@\\s]+)#([^#@\\s]+)(?:@([1-9][0-9]{0,9}))?");
    Pattern DB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");

    /**
     * Parses a reference.
     *
     * @throws IllegalArgumentException with a message fit for a policy problem report; it never repeats a literal
     */
    static ValueReference parse(String text) {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? "" : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (scheme) {
            case "env":
                if (!ENV_NAME.matcher(rest).matches()) {
                    throw new IllegalArgumentException("env: needs a variable name such as env:GITHUB_TOKEN");
                }
                return new Env(rest);
            case "file":
                if (!rest.startsWith("/")) {
                    throw new IllegalArgumentException("file: needs an absolute path such as file:/var/run/secrets/api-key");
                }
                return new File(Path.of(rest));
            case "vault":
                var vault = VAULT.matcher(rest);
                if (!vault.matches()) {
                    throw new IllegalArgumentException(
                            "vault: needs <mount>/<path>#<field>[@version], such as vault:secret/partner#password");
                }
                OptionalInt version = vault.group(4) == null ? OptionalInt.empty()
                        : OptionalInt.of(Integer.parseInt(vault.group(4)));
                return new Vault(vault.group(1), vault.group(2), vault.group(3), version);
            case "db":
                if (!DB_NAME.matcher(rest).matches()) {
                    throw new IllegalArgumentException("db: needs a secret name such as db:github-token");
                }
                return new Db(rest);
            case "literal":
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("literal: needs a value");
                }
                return new Literal(Secret.of(rest));
            default:
                throw new IllegalArgumentException(
                        "a value reference starts with env:, file:, vault:, db: or literal:");
        }
    }
}
