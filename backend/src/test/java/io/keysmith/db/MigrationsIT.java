package io.keysmith.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.PostgresFixture;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Migrations: owner migrates under an advisory lock, the app role is separate and idempotent")
class MigrationsIT {

    private static DatabaseTarget target(PgConnectOptions db) {
        return DatabaseTarget.of(db, "keysmith_app", "app-password-for-tests", "test");
    }

    @Test
    void concurrentStarts_migrateOnce() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("migrations_concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> Migrations.run(target(db))));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        var info = org.flywaydb.core.Flyway.configure()
                .dataSource(PostgresFixture.get().jdbcUrl(db.getDatabase()), db.getUser(), db.getPassword())
                .placeholders(java.util.Map.of("appRole", "keysmith_app"))
                .load()
                .info();
        assertThat(info.pending()).isEmpty();
        try (Connection c = PostgresFixture.get().ownerConnection(db.getDatabase());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*), count(DISTINCT version) FROM flyway_schema_history WHERE success")) {
            rs.next();
            assertThat(rs.getInt(1))
                    .as("each migration applied once")
                    .isEqualTo(rs.getInt(2))
                    .isEqualTo(info.applied().length);
        }
    }

    @Test
    void manyDatabasesOnOneServer_shareTheRoleWithoutColliding() {
        Migrations.run(target(PostgresFixture.get().newDatabase("migrations_a")));
        Migrations.run(target(PostgresFixture.get().newDatabase("migrations_b")));
    }

    @Test
    void theAppRole_isNeitherOwnerNorPrivileged() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("migrations_role");
        Migrations.run(target(db));
        try (Connection c = PostgresFixture.get().ownerConnection(db.getDatabase());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'keysmith_app'")) {
            assertThat(rs.next()).isTrue();
            for (int i = 1; i <= 4; i++) {
                assertThat(rs.getBoolean(i)).isFalse();
            }
        }
        try (Connection c = PostgresFixture.get().ownerConnection(db.getDatabase());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'keysmith_app'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("tables owned by the app role").isZero();
        }
    }
}
