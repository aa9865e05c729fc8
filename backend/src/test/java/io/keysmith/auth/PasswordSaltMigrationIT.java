package io.keysmith.auth;

import static io.keysmith.support.Api.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V9's migration of memberships that had different passwords (random salts): per e-mail the most recently changed
 * membership keeps its password and gives the person's salt; the others must reset (ADR 0010).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Password salt migration: the most recently set password of an e-mail wins, its other memberships must"
        + " reset, single memberships are untouched")
class PasswordSaltMigrationIT {

    private static UUID organization(Connection c, String name) throws Exception {
        try (PreparedStatement st = c.prepareStatement("SELECT ks_create_organization(?)")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return (UUID) rs.getObject(1);
            }
        }
    }

    private static void user(Connection c, UUID org, String email, String password, String changed) throws Exception {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO users (organization_id, email, first_name, last_name, kind, access_level_id,"
                        + " password_hash, updated_at) SELECT ?, ?, 'Old', 'Member', 'EMPLOYEE', id, ?,"
                        + " now() - ?::interval FROM access_levels WHERE organization_id = ? AND builtin = 'ACCOUNT_OWNER'")) {
            st.setObject(1, org);
            st.setString(2, email);
            st.setString(3, PasswordHasher.hashNow(password)); // a random salt, as before V9
            st.setString(4, changed);
            st.setObject(5, org);
            st.executeUpdate();
        }
    }

    @Test
    @DisplayName("after V9, only the newest password of a two-membership e-mail signs in; the single membership does")
    void theMostRecentlySetPasswordWins(Vertx vertx) throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("salt_migration");
        String url = PostgresFixture.get().jdbcUrl(db.getDatabase());
        Flyway.configure()
                .dataSource(url, db.getUser(), db.getPassword())
                .placeholders(Map.of("appRole", "keysmith_app"))
                .target("7")
                .load()
                .migrate();
        UUID older;
        UUID newer;
        try (Connection c = PostgresFixture.get().ownerConnection(db.getDatabase())) {
            older = organization(c, "Older Org");
            newer = organization(c, "Newer Org");
            UUID single = organization(c, "Single Org");
            user(c, older, "Two@Example.com", "the older password", "2 days");
            user(c, newer, "two@example.com", "the newer password", "1 hour");
            user(c, single, "one@example.com", "the only password", "3 days");
        }
        try (TestServer server = TestServer.start(db, new JsonObject())) {
            Api api = new Api(vertx, server.port());
            Api.Session s = api.signInOk("two@example.com", "the newer password", null);
            assertThat(s.organizationId()).isEqualTo(newer.toString());
            problem(api.signIn("two@example.com", "the older password", null), 401);
            problem(api.signIn("two@example.com", "the older password", older.toString()), 401);
            api.signInOk("one@example.com", "the only password", null);
            try (Connection c = PostgresFixture.get().ownerConnection(db.getDatabase());
                    PreparedStatement st =
                            c.prepareStatement("SELECT password_hash IS NULL FROM users WHERE organization_id = ?")) {
                st.setObject(1, older);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    assertThat(rs.getBoolean(1))
                            .as("the older membership must reset")
                            .isTrue();
                }
            }
        }
    }
}
