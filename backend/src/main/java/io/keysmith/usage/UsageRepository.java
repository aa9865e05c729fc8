package io.keysmith.usage;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/** All SQL of usage reads: sums over the per-replica minute rows, by hour or day. */
public final class UsageRepository {

    /** {@code key} null: the whole organization. {@code unit} is 'hour' or 'day' (validated by the contract). */
    public Future<JsonObject> usage(Tenant t, UUID key, OffsetDateTime from, OffsetDateTime to, String unit) {
        Tuple args = Tuple.of(t.org(), key, from, to, unit);
        Future<JsonArray> buckets = t.conn()
                .preparedQuery("SELECT date_trunc($5, minute) AS start,"
                        + " sum(count) FILTER (WHERE outcome = 'ALLOWED') AS allowed,"
                        + " sum(count) FILTER (WHERE outcome = 'DENIED') AS denied,"
                        + " sum(count) FILTER (WHERE outcome = 'RATE_LIMITED') AS rate_limited,"
                        + " sum(count) FILTER (WHERE outcome = 'INVALID') AS invalid"
                        + " FROM key_usage_minutes WHERE organization_id = $1 AND ($2::uuid IS NULL OR key_id = $2)"
                        + " AND minute >= $3 AND minute < $4 GROUP BY 1 ORDER BY 1")
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
                .preparedQuery("SELECT operation, sum(count) AS count FROM key_usage_minutes WHERE organization_id = $1"
                        + " AND ($2::uuid IS NULL OR key_id = $2) AND minute >= $3 AND minute < $4 AND $5::text IS NOT NULL"
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
                        .preparedQuery("SELECT u.key_id, k.name, sum(u.count) AS count FROM key_usage_minutes u"
                                + " JOIN api_keys k ON k.organization_id = u.organization_id AND k.id = u.key_id"
                                + " WHERE u.organization_id = $1 AND u.minute >= $2 AND u.minute < $3"
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

    private static long n(Row r, String column) {
        Object v = r.getValue(column);
        return v == null ? 0 : ((Number) v).longValue();
    }
}
