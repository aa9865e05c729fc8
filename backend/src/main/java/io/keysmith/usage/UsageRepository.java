package io.keysmith.usage;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/** All SQL of usage reads (sums over per-replica minute rows and rolled-up hours, by hour or day) and the roll-up. */
public final class UsageRepository {

    // minute rows (recent) and rolled-up hour rows (older) read as one
    private static final String ROWS = "(SELECT organization_id, key_id, minute AS at, operation, outcome, count"
            + " FROM key_usage_minutes WHERE organization_id = $1 UNION ALL"
            + " SELECT organization_id, key_id, hour, operation, outcome, count FROM key_usage_hours"
            + " WHERE organization_id = $1) u";

    /** Rolls minute rows before {@code minutesBefore} into hours, prunes hours before {@code hoursBefore}. */
    public Future<Long> rollUp(
            io.vertx.sqlclient.SqlConnection conn, OffsetDateTime minutesBefore, OffsetDateTime hoursBefore) {
        return conn.preparedQuery("SELECT ks_roll_up_usage($1, $2) AS moved")
                .execute(Tuple.of(minutesBefore, hoursBefore))
                .map(rows -> rows.iterator().next().getLong("moved"));
    }

    /** {@code key} null: the whole organization. {@code unit} is 'hour' or 'day' (validated by the contract). */
    public Future<JsonObject> usage(Tenant t, UUID key, OffsetDateTime from, OffsetDateTime to, String unit) {
        Tuple args = Tuple.of(t.org(), key, from, to, unit);
        Future<JsonArray> buckets = t.conn()
                .preparedQuery("SELECT date_trunc($5, at, 'UTC') AS start,"
                        + " sum(count) FILTER (WHERE outcome = 'ALLOWED') AS allowed,"
                        + " sum(count) FILTER (WHERE outcome = 'DENIED') AS denied,"
                        + " sum(count) FILTER (WHERE outcome = 'RATE_LIMITED') AS rate_limited,"
                        + " sum(count) FILTER (WHERE outcome = 'INVALID') AS invalid"
                        + " FROM " + ROWS + " WHERE ($2::uuid IS NULL OR key_id = $2)"
                        + " AND at >= $3 AND at < $4 GROUP BY 1 ORDER BY 1")
                .execute(args)
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    for (Row r : rows) {
                        out.add(new JsonObject()
                                .put(
                                        "start",
                                        r.getOffsetDateTime("start").toInstant().toString())
                                .put("allowed", n(r, "allowed"))
                                .put("denied", n(r, "denied"))
                                .put("rateLimited", n(r, "rate_limited"))
                                .put("invalid", n(r, "invalid")));
                    }
                    return out;
                });
        Future<JsonArray> operations = t.conn()
                .preparedQuery("SELECT operation, sum(count) AS count FROM " + ROWS
                        + " WHERE ($2::uuid IS NULL OR key_id = $2) AND at >= $3 AND at < $4 AND $5::text IS NOT NULL"
                        + " GROUP BY 1 ORDER BY 2 DESC, 1")
                .execute(args)
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(new JsonObject()
                            .put("operation", r.getString("operation"))
                            .put("count", n(r, "count"))));
                    return out;
                });
        Future<JsonArray> top = key != null
                ? Future.succeededFuture(null)
                : t.conn()
                        .preparedQuery("SELECT u.key_id, k.name, sum(u.count) AS count FROM " + ROWS
                                + " JOIN api_keys k ON k.organization_id = u.organization_id AND k.id = u.key_id"
                                + " WHERE u.at >= $2 AND u.at < $3"
                                + " GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 10")
                        .execute(Tuple.of(t.org(), from, to))
                        .map(rows -> {
                            JsonArray out = new JsonArray();
                            rows.forEach(r -> out.add(new JsonObject()
                                    .put("keyId", r.getUUID("key_id").toString())
                                    .put("name", r.getString("name"))
                                    .put("count", n(r, "count"))));
                            return out;
                        });
        return Future.all(buckets, operations, top).map(x -> {
            JsonObject j = new JsonObject()
                    .put("from", from.toInstant().toString())
                    .put("to", to.toInstant().toString())
                    .put("granularity", unit)
                    .put("buckets", buckets.result())
                    .put("operations", operations.result());
            if (top.result() != null) {
                j.put("topKeys", top.result());
            }
            return j;
        });
    }

    /** A key's let-through requests (allowed, or rate-limited: the permission was held) of one operation. */
    public record OperationUse(UUID key, String operation, long count, OffsetDateTime lastAt) {}

    // recent minute rows and rolled-up day rows (V18) read as one: the roll-up moves minutes into hours and days in one
    // statement, so a request is in exactly one of them; day rows count from the window's first (UTC) day
    private static String operationUse(boolean oneKey) {
        String key = oneKey ? " AND key_id = $2" : "";
        String since = oneKey ? "$3" : "$2";
        return "SELECT key_id, operation, sum(count) AS count, max(last_at) AS last_at FROM ("
                + " SELECT key_id, operation, count, minute AS last_at FROM key_usage_minutes"
                + " WHERE organization_id = $1" + key + " AND minute >= " + since
                + " AND outcome IN ('ALLOWED', 'RATE_LIMITED') AND count > 0"
                + " UNION ALL SELECT key_id, operation, count, last_at FROM key_usage_days"
                + " WHERE organization_id = $1" + key + " AND day >= (" + since + " AT TIME ZONE 'UTC')::date"
                + " AND outcome IN ('ALLOWED', 'RATE_LIMITED')) u GROUP BY 1, 2";
    }

    private static final String USE_OF_KEY = operationUse(true);
    private static final String USE_OF_ORGANIZATION = operationUse(false);

    /** Per key and operation since {@code from}: {@code key} null, every key of the organization (one scan). */
    public Future<java.util.List<OperationUse>> operationUse(Tenant t, UUID key, OffsetDateTime from) {
        Future<io.vertx.sqlclient.RowSet<Row>> rows = key == null
                ? t.conn().preparedQuery(USE_OF_ORGANIZATION).execute(Tuple.of(t.org(), from))
                : t.conn().preparedQuery(USE_OF_KEY).execute(Tuple.of(t.org(), key, from));
        return rows.map(rs -> {
            java.util.List<OperationUse> out = new java.util.ArrayList<>(rs.size());
            rs.forEach(r -> out.add(new OperationUse(
                    r.getUUID("key_id"), r.getString("operation"), n(r, "count"), r.getOffsetDateTime("last_at"))));
            return out;
        });
    }

    private static long n(Row r, String column) {
        Object v = r.getValue(column);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** One replica's absolute count of a (key, minute, operation, outcome). */
    public record MinuteCount(
            UUID key, OffsetDateTime minute, String operation, String outcome, UUID replica, long count) {}

    /** Writes absolute counts: a retried flush overwrites its own rows and never double counts. */
    public Future<Void> writeMinuteCounts(Tenant t, java.util.List<MinuteCount> counts) {
        if (counts.isEmpty()) {
            return Future.succeededFuture();
        }
        return t.conn()
                .preparedQuery(
                        "INSERT INTO key_usage_minutes (organization_id, key_id, minute, operation, outcome, replica_id, count)"
                                + " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organization_id, key_id, minute, operation,"
                                + " outcome, replica_id) DO UPDATE SET count = EXCLUDED.count")
                .executeBatch(counts.stream()
                        .map(c -> Tuple.from(new Object[] {
                            t.org(), c.key(), c.minute(), c.operation(), c.outcome(), c.replica(), c.count()
                        }))
                        .toList())
                .mapEmpty();
    }

    /** Records that a key was used from an address; true when that address was never seen for the key before. */
    public Future<Boolean> recordAddress(Tenant t, UUID key, String address) {
        return t.conn()
                .preparedQuery("INSERT INTO key_addresses (organization_id, key_id, address,"
                        + " first_seen_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING RETURNING key_id")
                .execute(Tuple.of(t.org(), key, address))
                .map(r -> r.rowCount() > 0);
    }
}
