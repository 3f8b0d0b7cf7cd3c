package io.latchkey.database;

import java.util.Optional;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.latchkey.LatchkeyConfig;
import io.latchkey.audit.AuditTrail;
import io.latchkey.secret.EmbeddedSecrets;
import io.latchkey.secret.StoredSecrets;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * What stands in for the database's beans in the without-database build, which is compiled without Hibernate
 * Reactive, Flyway and the classes that use them (pom.xml's {@code without-database} profile): no audit trail, no
 * embedded store, and a clear refusal when the database is asked for. In the full build the real beans
 * ({@code AuditLifecycle}, {@code EmbeddedStore}) take precedence and nothing here is used.
 */
@Singleton
public class WithoutDatabase {

    static final String REFUSED = "latchkey.database.enabled (LATCHKEY_DATABASE_ENABLED) is true, but this is the "
            + "without-database build, which has no database support: leave it unset (or false) here, or run the full "
            + "build (target/quarkus-app, the latchkey:jvm image) for the audit trail and db: secrets";
    public static final String NO_STORE = "db: references need the database, which the without-database build leaves out "
            + "(the full build, target/quarkus-app or the latchkey:jvm image, has it)";
    public static final String NO_AUDIT = "the audit trail needs the database, which the without-database build "
            + "leaves out";

    @Produces
    @Singleton
    @DefaultBean
    AuditTrail noAuditTrail() {
        return AuditTrail.NONE;
    }

    /** The data plane asks for this as it starts, so a database asked for stops start-up with the reason. */
    @Produces
    @Singleton
    @DefaultBean
    EmbeddedSecrets noEmbeddedStore(LatchkeyConfig config) {
        if (config.database().enabled()) {
            throw new ConfigurationException(REFUSED);
        }
        return new EmbeddedSecrets() {
            @Override
            public Optional<StoredSecrets> store() {
                return Optional.empty();
            }

            @Override
            public String unavailableReason() {
                return NO_STORE;
            }
        };
    }
}
