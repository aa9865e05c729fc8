package io.keysmith.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Reads a test database as its owner (the superuser: sees past row-level security), for before/after checks. */
public final class DbProbe {
    private final String database;
    private Connection shared;

    public DbProbe(String database) {
        this.database = database;
    }

    public Connection owner() throws SQLException {
        return PostgresFixture.get().ownerConnection(database);
    }

    /**
     * One row's first column, read on a connection kept for this probe: opening a PostgreSQL connection costs tens of
     * milliseconds (a backend process), and the before/after checks of the matrix tests made thousands of them. A
     * connection that died (a test cut connections) is replaced once.
     */
    private synchronized <T> T first(String sql, Object[] args, ResultReader<T> reader) {
        for (int attempt = 0; ; attempt++) {
            try {
                if (shared == null || shared.isClosed()) {
                    shared = owner();
                }
                try (PreparedStatement ps = shared.prepareStatement(sql)) {
                    for (int i = 0; i < args.length; i++) {
                        ps.setObject(i + 1, args[i] instanceof String s && isUuid(s) ? UUID.fromString(s) : args[i]);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        return reader.read(rs);
                    }
                }
            } catch (SQLException e) {
                closeShared();
                boolean connectionLost =
                        e.getSQLState() != null && e.getSQLState().startsWith("08") || "57P01".equals(e.getSQLState());
                if (attempt > 0 || !connectionLost) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void closeShared() {
        try {
            if (shared != null) {
                shared.close();
            }
        } catch (SQLException ignored) {
            // it is being replaced
        }
        shared = null;
    }

    @FunctionalInterface
    private interface ResultReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    public long count(String sql, Object... args) {
        return first(sql, args, rs -> {
            rs.next();
            return rs.getLong(1);
        });
    }

    /** The first column of the first row as text (null when there is no row). */
    public String text(String sql, Object... args) {
        return first(sql, args, rs -> rs.next() ? rs.getString(1) : null);
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
