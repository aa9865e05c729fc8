package io.keysmith.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * All SQL of signing in that is not a session's: the candidates of an e-mail across organizations, the throttle's
 * windowed counts ({@code sign_in_attempts}) and the per-person salts ({@code password_salts}). None of these tables
 * is organization-owned.
 */
public final class SignInRepository {

    /** Every membership of the e-mail: organization id and name, user id, password hash. */
    public Future<RowSet<Row>> candidates(SqlClient client, String email) {
        return client.preparedQuery("SELECT * FROM ks_sign_in_candidates($1)").execute(Tuple.of(email));
    }

    /**
     * One upsert over all keys returning the new counts ({@code throttle_key}, {@code failures}, {@code retry}
     * seconds until the window ends): parallel attempts cannot all slip under a limit.
     */
    public Future<RowSet<Row>> count(SqlClient client, String[] keys, Duration window) {
        return client.preparedQuery(
                        "INSERT INTO sign_in_attempts (throttle_key, window_start, failures)"
                                + " SELECT k, now(), 1 FROM unnest($1::text[]) AS k"
                                + " ON CONFLICT (throttle_key) DO UPDATE SET"
                                + " failures = CASE WHEN sign_in_attempts.window_start <= now() - ($2::int * interval '1 second') THEN 1"
                                + " ELSE sign_in_attempts.failures + 1 END,"
                                + " window_start = CASE WHEN sign_in_attempts.window_start <= now() - ($2::int * interval '1 second')"
                                + " THEN now() ELSE sign_in_attempts.window_start END"
                                + " RETURNING throttle_key, failures,"
                                + " CEIL(EXTRACT(EPOCH FROM (window_start + ($2::int * interval '1 second') - now())))::int AS retry")
                .execute(Tuple.of(keys, (int) window.toSeconds()));
    }

    /** Clears the account's count and gives the address back one failure. */
    public Future<Void> succeeded(SqlClient client, String accountKey, String addressKey) {
        return client.preparedQuery("WITH gone AS (DELETE FROM sign_in_attempts WHERE throttle_key = $1)"
                        + " UPDATE sign_in_attempts SET failures = greatest(failures - 1, 0) WHERE throttle_key = $2")
                .execute(Tuple.of(accountKey, addressKey))
                .mapEmpty();
    }

    /** Stores a salt for the e-mail unless it has one. */
    public Future<Void> insertSalt(SqlClient client, String email, String salt) {
        return client.preparedQuery(
                        "INSERT INTO password_salts (email_key, salt) VALUES (lower($1), $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(email, salt))
                .mapEmpty();
    }

    /** The e-mail's salt, or null. */
    public Future<String> salt(SqlClient client, String email) {
        return client.preparedQuery("SELECT salt FROM password_salts WHERE email_key = lower($1)")
                .execute(Tuple.of(email))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("salt"));
    }
}
