package io.keysmith.auth;

import io.keysmith.http.ApiProblem;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * Failed sign-ins counted per account and per source address in fixed windows, in PostgreSQL so every replica
 * counts together. Over the limit: 429 with Retry-After until the window ends. Success clears the account's count.
 */
public final class SignInThrottle {
    private final Pool pool;
    private final int perAccount;
    private final int perAddress;
    private final Duration window;

    public SignInThrottle(Pool pool, int perAccount, int perAddress, Duration window) {
        this.pool = pool;
        this.perAccount = perAccount;
        this.perAddress = perAddress;
        this.window = window;
    }

    static String accountKey(String email) {
        return "account:" + email.trim().toLowerCase();
    }

    static String addressKey(String address) {
        return "address:" + address;
    }

    /**
     * Counts this attempt before the password is checked, atomically per key (one upsert returning the new counts),
     * so parallel guesses cannot all slip under the limit. Fails with a 429 problem when either key is over it.
     */
    public Future<Void> reserve(String email, String address) {
        return pool.preparedQuery(
                        "INSERT INTO sign_in_attempts (throttle_key, window_start, failures)"
                                + " SELECT k, now(), 1 FROM unnest($1::text[]) AS k"
                                + " ON CONFLICT (throttle_key) DO UPDATE SET"
                                + " failures = CASE WHEN sign_in_attempts.window_start <= now() - ($2::int * interval '1 second') THEN 1"
                                + " ELSE sign_in_attempts.failures + 1 END,"
                                + " window_start = CASE WHEN sign_in_attempts.window_start <= now() - ($2::int * interval '1 second')"
                                + " THEN now() ELSE sign_in_attempts.window_start END"
                                + " RETURNING throttle_key, failures,"
                                + " CEIL(EXTRACT(EPOCH FROM (window_start + ($2::int * interval '1 second') - now())))::int AS retry")
                .execute(Tuple.of(new String[] {accountKey(email), addressKey(address)}, (int) window.toSeconds()))
                .compose(rows -> {
                    int retry = 0;
                    for (var r : rows) {
                        int limit = r.getString("throttle_key").startsWith("account:") ? perAccount : perAddress;
                        if (r.getInteger("failures") > limit) {
                            retry = Math.max(retry, Math.max(1, r.getInteger("retry")));
                        }
                    }
                    return retry == 0 ? Future.succeededFuture() : Future.failedFuture(tooMany(retry));
                });
    }

    /** A successful sign-in: the account starts afresh and the address gets its attempt back. */
    public Future<Void> succeeded(String email, String address) {
        return pool.preparedQuery("WITH gone AS (DELETE FROM sign_in_attempts WHERE throttle_key = $1)"
                        + " UPDATE sign_in_attempts SET failures = greatest(failures - 1, 0) WHERE throttle_key = $2")
                .execute(Tuple.of(accountKey(email), addressKey(address)))
                .mapEmpty();
    }

    static ApiProblem tooMany(int retryAfterSeconds) {
        return new ApiProblem(
                        429,
                        "too-many-requests",
                        "Too many attempts",
                        "Too many failed sign-ins; try again in " + retryAfterSeconds + " seconds",
                        null)
                .retryAfter(retryAfterSeconds);
    }
}
