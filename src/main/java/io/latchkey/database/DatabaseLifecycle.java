package io.latchkey.database;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.flywaydb.core.Flyway;

import io.latchkey.LatchkeyConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Starts {@link Database} with Quarkus (in the background; the embedded store waits for its first attempt so that
 * {@code db:} values can be read for the policy), unless {@code latchkey.database.enabled=false}. The
 * without-database build has no such class: {@link WithoutDatabase} refuses the database there.
 */
@ApplicationScoped
public class DatabaseLifecycle {

    /** Runs before the data plane's start-up observer (default priority). */
    static final int START_PRIORITY = 100;

    private final Optional<Database> database;

    public DatabaseLifecycle(LatchkeyConfig config, Vertx vertx, Instance<Flyway> flyway) {
        this.database = config.database().enabled()
                ? Optional.of(new Database(vertx, flyway::get, config.database().retryCap()))
                : Optional.empty();
    }

    void onStart(@Observes @Priority(START_PRIORITY) StartupEvent event) {
        database.ifPresent(Database::start);
    }

    /** After the audit trail's final flush. */
    void onStop(@Observes @Priority(3500) ShutdownEvent event) {
        database.ifPresent(Database::close);
    }

    /** The database, unless it is switched off. */
    public Optional<Database> get() {
        return database;
    }
}
