package io.latchkey.secret;

import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.latchkey.secret.vault.VaultStore;

/** Opens a {@link ValueSource} for each kind of {@link ValueReference}. */
public final class ValueSources {

    private static final Logger LOG = Logger.getLogger(ValueSources.class);

    private final Function<String, String> environment;
    private final FileWatcher fileWatcher;
    private volatile VaultStore vault;
    private volatile StoredSecrets db;
    /** Why {@code db:} references are refused when nobody said otherwise. */
    public static final String DB_NOT_CONFIGURED = "db: references are not configured: the embedded secret store is not"
            + " set up";

    private volatile String dbUnavailableReason = DB_NOT_CONFIGURED;

    public ValueSources(Function<String, String> environment, FileWatcher fileWatcher) {
        this.environment = environment;
        this.fileWatcher = fileWatcher;
    }

    /** Makes {@code vault:} references usable. */
    public ValueSources withVault(VaultStore store) {
        this.vault = store;
        return this;
    }

    /** Makes {@code db:} references usable, or says why they are not. */
    public ValueSources withDatabase(Optional<StoredSecrets> store, String reasonWhenAbsent) {
        this.db = store.orElse(null);
        this.dbUnavailableReason = reasonWhenAbsent;
        return this;
    }

    /** Whether references of this kind can be opened; the policy loader reports those that cannot. */
    public void checkSupported(ValueReference reference) {
        if (reference instanceof ValueReference.Vault && vault == null) {
            throw new UnsupportedReferenceException(
                    "vault: references are not configured: set latchkey.vault.address to use Vault");
        }
        if (reference instanceof ValueReference.Db && db == null) {
            throw new UnsupportedReferenceException(dbUnavailableReason);
        }
    }

    public ValueSource open(ValueReference reference) {
        return open(reference, false);
    }

    /** Opens a value whose line breaks are part of it, such as a PEM private key; it must never go on the wire. */
    public ValueSource openMultiline(ValueReference reference) {
        return open(reference, true);
    }

    private ValueSource open(ValueReference reference, boolean multiline) {
        checkSupported(reference);
        if (reference instanceof ValueReference.Env env) {
            String raw = environment.apply(env.variable());
            Resolution resolution = raw == null
                    ? Resolution.unavailable("environment variable " + env.variable() + " is not set")
                    : SecretValues.accept(raw, "environment variable " + env.variable(), multiline);
            return new FixedValueSource(resolution, env.describe());
        }
        if (reference instanceof ValueReference.File file) {
            return new FileValueSource(file.path(), fileWatcher, multiline);
        }
        if (reference instanceof ValueReference.Vault secret) {
            return vault.open(secret);
        }
        if (reference instanceof ValueReference.Db secret) {
            return db.open(secret);
        }
        if (reference instanceof ValueReference.Literal literal) {
            LOG.warn("A policy credential uses a literal: value; use env:, file: or a secret store outside tests and demos");
            return new FixedValueSource(SecretValues.accept(literal.value().reveal(), "literal value", multiline),
                    literal.describe());
        }
        throw new UnsupportedReferenceException("unsupported value reference " + reference.describe());
    }
}
