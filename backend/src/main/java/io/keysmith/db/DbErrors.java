package io.keysmith.db;

import io.keysmith.errors.DomainException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one reader of PostgreSQL's SQLSTATEs. A repository declares, next to its SQL, what each constraint its
 * statements can trip means to a caller ({@code unique}, {@code foreignKey}, {@code check}, by constraint or index
 * name) and recovers those statements with {@link #translate}; a violation nobody declared stays what it is, a bug
 * (a 500 with an error id). Declared per statement group, not per schema: the same foreign key means "names no
 * record" on an insert and "still referenced" on a delete.
 */
public final class DbErrors {
    static final String UNIQUE = "23505";
    static final String FOREIGN_KEY = "23503";
    static final String CHECK = "23514";

    private final Map<String, Supplier<? extends DomainException>> declared;

    private DbErrors(Map<String, Supplier<? extends DomainException>> declared) {
        this.declared = declared;
    }

    public static DbErrors declare() {
        return new DbErrors(Map.of());
    }

    /** A unique constraint or unique index. */
    public DbErrors unique(String name, Supplier<? extends DomainException> failure) {
        return with(UNIQUE, name, failure);
    }

    public DbErrors foreignKey(String name, Supplier<? extends DomainException> failure) {
        return with(FOREIGN_KEY, name, failure);
    }

    public DbErrors check(String name, Supplier<? extends DomainException> failure) {
        return with(CHECK, name, failure);
    }

    private DbErrors with(String sqlState, String name, Supplier<? extends DomainException> failure) {
        Map<String, Supplier<? extends DomainException>> next = new HashMap<>(declared);
        next.put(sqlState + " " + name, failure);
        return new DbErrors(Map.copyOf(next));
    }

    /** For {@code Future.recover}: a declared violation becomes its domain failure, anything else passes on. */
    public <T> Future<T> translate(Throwable e) {
        return Future.failedFuture(translated(e));
    }

    Throwable translated(Throwable e) {
        if (e instanceof PgException pg && pg.getConstraint() != null) {
            Supplier<? extends DomainException> failure = declared.get(pg.getSqlState() + " " + pg.getConstraint());
            if (failure != null) {
                return failure.get();
            }
        }
        return e;
    }

    /** A character PostgreSQL cannot store (NUL; SQLSTATE 22021, 22P05): the request's fault, not ours. */
    public static boolean isUnstorableCharacter(Throwable t) {
        return t instanceof PgException pg && ("22021".equals(pg.getSqlState()) || "22P05".equals(pg.getSqlState()));
    }

    /**
     * Connection failures (refused, reset, closed; SQLSTATE classes 08 and 57P) mean the database is away, not that we
     * have a bug.
     */
    public static boolean isUnavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            // a reset or closed socket reaches a handler only from a database connection cut mid-query
            if (c instanceof java.net.ConnectException
                    || c instanceof java.net.SocketException
                    || c instanceof java.nio.channels.ClosedChannelException
                    || c instanceof io.vertx.sqlclient.ClosedConnectionException
                    || c instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
                return true;
            }
            if (c instanceof PgException pg
                    && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
