package io.keysmith.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.function.Function;

/**
 * Transactions on the application role's pool. {@link #inOrganization} sets the tenant with
 * {@code set_config(..., true)}, which lasts only until the transaction ends, so a pooled connection never carries
 * one organization to the next borrower; row-level security then confines every statement to it (ADR 0001).
 */
public final class Db {
    private final Pool pool;

    public Db(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public <T> Future<T> inOrganization(UUID organizationId, Function<Tenant, Future<T>> work) {
        return pool.withTransaction(conn ->
                setOrganization(conn, organizationId).compose(x -> work.apply(new Tenant(conn, organizationId))));
    }

    /** Switches the tenant inside a transaction that began without one (sign-up creates the organization first). */
    public static Future<Void> setOrganization(SqlConnection conn, UUID organizationId) {
        return conn.preparedQuery("SELECT set_config('app.organization_id', $1, true)")
                .execute(Tuple.of(organizationId.toString()))
                .mapEmpty();
    }

    /** No organization: only the SECURITY DEFINER lookups and global tables are visible. */
    public <T> Future<T> withoutOrganization(Function<SqlConnection, Future<T>> work) {
        return pool.withTransaction(work::apply);
    }

    /** The readiness probe's round trip: any answer from the database. */
    public static Future<Void> ping(Pool pool) {
        return pool.query("SELECT 1").execute().mapEmpty();
    }
}
