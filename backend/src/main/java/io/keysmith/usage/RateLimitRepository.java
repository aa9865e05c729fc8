package io.keysmith.usage;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL of the rate-limit exchange: publish this replica's totals and read the others' recent ones, at once. */
public final class RateLimitRepository {

    /** Another replica's admitted total for a key, as last published. */
    public record Remote(
            UUID replica, UUID key, long perMinute, long total, OffsetDateTime since, long windowSeconds) {}

    /** What one exchange returns: the others' recent rows and the database's clock. */
    public record Exchange(List<Remote> others, OffsetDateTime now) {}

    public Future<Exchange> exchange(
            SqlConnection conn, UUID replica, List<RateLimiter.Admitted> mine, int lookbackSeconds) {
        int n = mine.size();
        UUID[] keys = new UUID[n];
        Integer[] rates = new Integer[n];
        Long[] totals = new Long[n];
        Long[] generations = new Long[n];
        Integer[] windows = new Integer[n];
        for (int i = 0; i < n; i++) {
            RateLimiter.Admitted a = mine.get(i);
            keys[i] = a.key();
            rates[i] = (int) Math.min(Integer.MAX_VALUE, a.perMinute());
            totals[i] = a.total();
            generations[i] = a.generation();
            windows[i] = (int) a.windowSeconds();
        }
        // one statement: the upsert's rows are not visible to the outer SELECT, which reads the other replicas only
        return conn.preparedQuery("WITH mine AS (INSERT INTO rate_limit_exchange AS x"
                        + " (replica_id, key_id, per_minute, admitted, generation, since, updated_at, window_seconds)"
                        + " SELECT $1, k, p, a, g, now(), now(), w"
                        + " FROM unnest($2::uuid[], $3::int[], $4::bigint[], $5::bigint[], $7::int[]) AS t(k, p, a, g, w)"
                        + " ON CONFLICT (replica_id, key_id) DO UPDATE SET per_minute = EXCLUDED.per_minute,"
                        + " window_seconds = EXCLUDED.window_seconds,"
                        + " admitted = EXCLUDED.admitted, generation = EXCLUDED.generation,"
                        + " since = CASE WHEN x.generation = EXCLUDED.generation THEN x.since ELSE now() END,"
                        + " updated_at = now() RETURNING 1)"
                        + " SELECT replica_id, key_id, per_minute, admitted, since, window_seconds, now() AS db_now"
                        + " FROM (SELECT 1) one LEFT JOIN rate_limit_exchange"
                        + " ON replica_id <> $1 AND updated_at > now() - make_interval(secs => $6)")
                .execute(Tuple.of(replica, keys, rates, totals, generations, lookbackSeconds)
                        .addValue(windows))
                .map(rows -> {
                    List<Remote> others = new ArrayList<>();
                    OffsetDateTime now = null;
                    for (Row r : rows) {
                        now = r.getOffsetDateTime("db_now");
                        if (r.getUUID("replica_id") != null) {
                            others.add(new Remote(
                                    r.getUUID("replica_id"),
                                    r.getUUID("key_id"),
                                    r.getInteger("per_minute"),
                                    r.getLong("admitted"),
                                    r.getOffsetDateTime("since"),
                                    r.getInteger("window_seconds")));
                        }
                    }
                    return new Exchange(others, now);
                });
    }
}
