package io.keysmith.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keysmith.TestAppRole;
import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database itself keeps organizations apart: the application role, connected directly, sees nothing without a
 * tenant and only its tenant's rows with one; it owns nothing, cannot bypass RLS, and the audit log is append-only
 * even for the owner.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Row-level security confines the application role to the organization of its transaction")
class RowLevelSecurityIT {
    /** Table -> the column naming its organization. */
    private static final Map<String, String> TENANT_TABLES = Map.of(
            "users", "organization_id",
            "access_levels", "organization_id",
            "people", "organization_id",
            "sessions", "organization_id",
            "invitations", "organization_id",
            "audit_events", "organization_id",
            "organizations", "id");

    private static TestServer server;
    private static String database;
    private static Session a;
    private static Session b;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("row_level_security");
        database = server.database.getDatabase();
        Api api = new Api(vertx, server.port());
        a = api.signUp("RLS A", Api.uniqueEmail("rls-a"));
        b = api.signUp("RLS B", Api.uniqueEmail("rls-b"));
        api.createUser(a, Api.uniqueEmail("rls-a-invited"), "NON_EMPLOYEE", null); // an invitation row of A
        api.createUser(b, Api.uniqueEmail("rls-b-invited"), "NON_EMPLOYEE", null);
        for (Session s : List.of(a, b)) { // a custom access level and a person record of each
            api.createAccessLevel(
                    s, Api.accessLevelBody("RLS level", "OWN", Map.of("firstName", "VIEW"), "people:read"));
            api.createPerson(
                    s,
                    new JsonObject()
                            .put("firstName", "Rita")
                            .put("lastName", "Rls")
                            .put("salary", 4242));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Connection app() throws SQLException {
        return DriverManager.getConnection(
                PostgresFixture.get().jdbcUrl(database), TestAppRole.NAME, TestAppRole.password());
    }

    private static long count(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, java.util.UUID.fromString(args[i]));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    @DisplayName("the owner sees rows of both organizations in every tenant table (the data the checks rely on)")
    void theFixture_hasRowsOfBothOrganizations() throws SQLException {
        try (Connection owner = PostgresFixture.get().ownerConnection(database)) {
            for (var t : TENANT_TABLES.entrySet()) {
                for (Session s : List.of(a, b)) {
                    assertThat(count(
                                    owner,
                                    "SELECT count(*) FROM " + t.getKey() + " WHERE " + t.getValue() + " = ?",
                                    s.organizationId()))
                            .as("%s rows of %s", t.getKey(), s.organizationId())
                            .isPositive();
                }
            }
        }
    }

    @Test
    @DisplayName("with no organization set, the app role sees no row of any tenant table, without an error")
    void withoutAnOrganization_theAppRoleSeesNothing() throws SQLException {
        try (Connection c = app()) {
            for (var t : TENANT_TABLES.entrySet()) {
                assertThat(count(c, "SELECT count(*) FROM " + t.getKey()))
                        .as("%s rows without a tenant", t.getKey())
                        .isZero();
                assertThat(count(
                                c,
                                "SELECT count(*) FROM " + t.getKey() + " WHERE " + t.getValue() + " = ?",
                                a.organizationId()))
                        .as("%s rows of A without a tenant", t.getKey())
                        .isZero();
            }
        }
    }

    @Test
    @DisplayName("with B's organization set in a transaction, the app role sees B's rows and none of A's")
    void withOrganizationB_theAppRoleSeesNoRowOfA() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.organization_id', ?, true)")) {
                ps.setString(1, b.organizationId());
                ps.executeQuery().close();
            }
            for (var t : TENANT_TABLES.entrySet()) {
                assertThat(count(
                                c,
                                "SELECT count(*) FROM " + t.getKey() + " WHERE " + t.getValue() + " = ?",
                                a.organizationId()))
                        .as("%s rows of A seen as B", t.getKey())
                        .isZero();
                assertThat(count(
                                c,
                                "SELECT count(*) FROM " + t.getKey() + " WHERE " + t.getValue() + " <> ?",
                                b.organizationId()))
                        .as("%s rows of anyone but B seen as B", t.getKey())
                        .isZero();
                assertThat(count(
                                c,
                                "SELECT count(*) FROM " + t.getKey() + " WHERE " + t.getValue() + " = ?",
                                b.organizationId()))
                        .as("%s rows of B seen as B", t.getKey())
                        .isPositive();
            }
            // writes are confined too: B cannot touch A's rows, nor insert rows for A
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE users SET first_name = 'Mallory' WHERE organization_id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                assertThat(ps.executeUpdate()).as("A's users updated as B").isZero();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE organization_id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                assertThat(ps.executeUpdate()).as("A's sessions deleted as B").isZero();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET salary = 1 WHERE organization_id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                assertThat(ps.executeUpdate()).as("A's people updated as B").isZero();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE access_levels SET permissions = ARRAY['audit:read'] WHERE organization_id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                assertThat(ps.executeUpdate())
                        .as("A's access levels updated as B")
                        .isZero();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM people WHERE organization_id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                assertThat(ps.executeUpdate()).as("A's people deleted as B").isZero();
            }
            c.commit();
            // set_config(..., true) lasts only until the transaction ends: the next one starts without a tenant
            assertThat(count(c, "SELECT count(*) FROM users"))
                    .as("users visible after the transaction")
                    .isZero();
            c.commit();

            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.organization_id', ?, true)")) {
                ps.setString(1, b.organizationId());
                ps.executeQuery().close();
            }
            for (String insert : List.of(
                    "INSERT INTO audit_events (organization_id, action) VALUES (?, 'forged')",
                    "INSERT INTO people (organization_id, first_name, last_name) VALUES (?, 'Forged', 'Person')",
                    "INSERT INTO access_levels (organization_id, name, record_scope) VALUES (?, 'Forged', 'ALL')")) {
                try (Statement st = c.createStatement()) {
                    st.execute("SAVEPOINT attempt");
                }
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setObject(1, java.util.UUID.fromString(a.organizationId()));
                    assertThatThrownBy(ps::executeUpdate)
                            .as("inserting a row for A while B is set: %s", insert)
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("row-level security");
                }
                try (Statement st = c.createStatement()) {
                    st.execute("ROLLBACK TO SAVEPOINT attempt");
                }
            }
            c.rollback();
        }
        try (Connection owner = PostgresFixture.get().ownerConnection(database)) {
            assertThat(count(
                            owner,
                            "SELECT count(*) FROM users WHERE organization_id = ? AND first_name = 'Mallory'",
                            a.organizationId()))
                    .isZero();
            assertThat(count(
                            owner,
                            "SELECT count(*) FROM people WHERE organization_id = ? AND salary = 4242",
                            a.organizationId()))
                    .as("A's person untouched")
                    .isEqualTo(1);
            assertThat(count(
                            owner,
                            "SELECT count(*) FROM access_levels WHERE organization_id = ? AND 'audit:read' = ALL(permissions)",
                            a.organizationId()))
                    .as("A's access levels untouched")
                    .isZero();
        }
    }

    @Test
    @DisplayName("the app role owns no table, cannot bypass RLS, and every organization-owned table forces RLS")
    void theSchema_forcesRowLevelSecurityOnEveryOrganizationOwnedTable() throws SQLException {
        try (Connection owner = PostgresFixture.get().ownerConnection(database);
                Statement st = owner.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                            + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND pg_get_userbyid(c.relowner) = 'keysmith_app'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("relations owned by keysmith_app").isZero();
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'keysmith_app'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("BYPASSRLS").isFalse();
                assertThat(rs.getBoolean(2)).as("SUPERUSER").isFalse();
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT c.table_name FROM information_schema.columns c"
                    + " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                    + " WHERE c.table_schema = 'public' AND c.column_name = 'organization_id' AND t.table_type = 'BASE TABLE'"
                    + " ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables)
                    .as("organization-owned tables")
                    .contains("users", "sessions", "invitations", "audit_events", "access_levels", "people");
            tables.add("organizations");
            for (String table : tables) {
                try (PreparedStatement ps = owner.prepareStatement(
                        "SELECT c.relrowsecurity, c.relforcerowsecurity,"
                                + " (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname)"
                                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = ?")) {
                    ps.setString(1, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).as(table).isTrue();
                        assertThat(rs.getBoolean(1))
                                .as("%s relrowsecurity", table)
                                .isTrue();
                        assertThat(rs.getBoolean(2))
                                .as("%s relforcerowsecurity", table)
                                .isTrue();
                        assertThat(rs.getLong(3)).as("%s has a policy", table).isPositive();
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("the audit log is append-only: the app role cannot UPDATE or DELETE it, nor can the owner")
    void theAuditLog_isAppendOnly_forTheAppRoleAndTheOwner() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('app.organization_id', ?, true)")) {
                ps.setString(1, a.organizationId());
                ps.executeQuery().close();
            }
            for (String sql : List.of("UPDATE audit_events SET action = 'tampered'", "DELETE FROM audit_events")) {
                try (Statement st = c.createStatement()) {
                    st.execute("SAVEPOINT attempt");
                    assertThatThrownBy(() -> st.executeUpdate(sql))
                            .as("app role: %s", sql)
                            .isInstanceOf(SQLException.class)
                            .satisfies(e ->
                                    assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
                    st.execute("ROLLBACK TO SAVEPOINT attempt");
                }
            }
            c.rollback();
        }
        long before;
        try (Connection owner = PostgresFixture.get().ownerConnection(database)) {
            before = count(owner, "SELECT count(*) FROM audit_events WHERE organization_id = ?", a.organizationId());
            for (String sql : List.of(
                    "UPDATE audit_events SET action = 'tampered'",
                    "DELETE FROM audit_events",
                    "TRUNCATE audit_events")) {
                try (Statement st = owner.createStatement()) {
                    assertThatThrownBy(() -> st.executeUpdate(sql))
                            .as("owner: %s", sql)
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("append-only");
                }
            }
            assertThat(count(owner, "SELECT count(*) FROM audit_events WHERE organization_id = ?", a.organizationId()))
                    .isEqualTo(before);
            assertThat(count(
                            owner,
                            "SELECT count(*) FROM audit_events WHERE action = 'tampered' AND organization_id = ?",
                            a.organizationId()))
                    .isZero();
        }
    }
}
