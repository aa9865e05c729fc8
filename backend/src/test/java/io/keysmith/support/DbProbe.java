package io.keysmith.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Reads a test database as its owner (the superuser: sees past row-level security), for before/after checks. */
public final class DbProbe {
    private final String database;

    public DbProbe(String database) {
        this.database = database;
    }

    public Connection owner() throws SQLException {
        return PostgresFixture.get().ownerConnection(database);
    }

    public long count(String sql, Object... args) {
        try (Connection c = owner();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i] instanceof String s && isUuid(s) ? UUID.fromString(s) : args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row as text (null when there is no row). */
    public String text(String sql, Object... args) {
        try (Connection c = owner();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i] instanceof String s && isUuid(s) ? UUID.fromString(s) : args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long auditEvents(String organizationId) {
        return count("SELECT count(*) FROM audit_events WHERE organization_id = ?", organizationId);
    }

    public long users(String organizationId) {
        return count("SELECT count(*) FROM users WHERE organization_id = ?", organizationId);
    }

    /** Everything stored about one user: the row, its tokens and its sessions, as comparable text. */
    public String userState(String userId) {
        return text(
                "SELECT jsonb_build_object("
                        + "'user', (SELECT to_jsonb(u) FROM users u WHERE u.id = ?),"
                        + "'invitations', (SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.created_at, i.token_hash), '[]') FROM invitations i WHERE i.user_id = ?),"
                        + "'sessions', (SELECT count(*) FROM sessions s WHERE s.user_id = ?))::text",
                userId,
                userId,
                userId);
    }

    /** One row of an organization-owned table with an id column, as comparable text (null when there is none). */
    public String rowState(String table, String id) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException(table);
        }
        return text("SELECT to_jsonb(t)::text FROM " + table + " t WHERE t.id = ?", id);
    }

    public long people(String organizationId) {
        return count("SELECT count(*) FROM people WHERE organization_id = ?", organizationId);
    }

    public long accessLevels(String organizationId) {
        return count("SELECT count(*) FROM access_levels WHERE organization_id = ?", organizationId);
    }

    private static boolean isUuid(String s) {
        try {
            return s.length() == 36 && UUID.fromString(s) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
