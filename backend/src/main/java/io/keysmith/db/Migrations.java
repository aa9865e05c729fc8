package io.keysmith.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs as the database owner: makes sure the application role exists (idempotently: roles are cluster-wide, so
 * several databases on one server must not collide), then applies the Flyway migrations. Flyway holds a PostgreSQL
 * advisory lock while it migrates, so replicas starting together (or a Helm hook Job racing a replica) migrate once.
 * Blocking JDBC: call it from start-up or a worker, never from an event loop.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    public static MigrateResult run(DatabaseTarget target) {
        ensureAppRole(target);
        Flyway flyway = Flyway.configure()
                .dataSource(target.ownerJdbcUrl(), target.ownerUser(), target.ownerPassword())
                .locations("classpath:db/migration")
                .placeholders(Map.of("appRole", target.app().getUser()))
                .connectRetries(10)
                .load();
        MigrateResult result = flyway.migrate();
        LOG.info(
                "Database schema at version {} ({} migration(s) applied)",
                result.targetSchemaVersion == null ? flyway.info().current().getVersion() : result.targetSchemaVersion,
                result.migrationsExecuted);
        return result;
    }

    static void ensureAppRole(DatabaseTarget target) {
        String role = target.app().getUser();
        String password = target.app().getPassword().replace("'", "''");
        try (Connection c =
                        DriverManager.getConnection(target.ownerJdbcUrl(), target.ownerUser(), target.ownerPassword());
                Statement st = c.createStatement()) {
            // role is a validated identifier (KeysmithConfig); passwords cannot be bind parameters in DDL
            st.execute("DO $$ BEGIN CREATE ROLE " + role
                    + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;"
                    + " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
            try {
                st.execute("ALTER ROLE " + role + " WITH LOGIN PASSWORD '" + password + "'");
            } catch (SQLException e) {
                // a DBA pre-created the role and manages its password; we only need it to exist
                LOG.info("Application role {} exists and its password is managed outside Keysmith", role);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot prepare the application role '" + role + "' as the owner: " + e.getMessage()
                            + " (create it as a DBA, or give the owner CREATEROLE)",
                    e);
        }
    }
}
