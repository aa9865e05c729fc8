package io.keysmith.webhooks;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** All SQL of webhooks (V16): endpoints, the outbox of deliveries, their attempts, and the workers' functions. */
public final class WebhookRepository {
    private static final String ENDPOINT = "SELECT id, url, description, event_types, status, disabled_reason,"
            + " failing_since, previous_secret_until, created_at, updated_at FROM webhook_endpoints"
            + " WHERE organization_id = $1";

    private static final String DELIVERY = "SELECT id, endpoint_id, event_id, event_type, status, attempts,"
            + " next_attempt_at, last_status_code, last_latency_ms, last_error, created_at, delivered_at"
            + " FROM webhook_deliveries WHERE organization_id = $1";

    /** A claimed delivery, with what signing and sending need. */
    public record Claimed(
            UUID id,
            UUID organizationId,
            UUID endpointId,
            String eventId,
            String eventType,
            JsonObject payload,
            int attempt,
            OffsetDateTime createdAt,
            String url,
            /** As stored: sealed (or plain text in a row of an earlier version); opened just before signing. */
            String secret,
            String previousSecret) {}

    public Future<JsonArray> list(Tenant t) {
        return t.conn()
                .preparedQuery(ENDPOINT + " ORDER BY created_at, id LIMIT 200")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(endpoint(r)));
                    return out;
                });
    }

    /** Null when the endpoint is not the organization's. {@code lock}: FOR UPDATE (a change follows). */
    public Future<JsonObject> get(Tenant t, UUID id, boolean lock) {
        return t.conn()
                .preparedQuery(ENDPOINT + " AND id = $2" + (lock ? " FOR UPDATE" : ""))
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : endpoint(rows.iterator().next()));
    }

    public Future<UUID> insert(
            Tenant t, String url, String description, List<String> eventTypes, String secret, UUID createdBy) {
        return t.conn()
                .preparedQuery("INSERT INTO webhook_endpoints (organization_id, url, description, event_types, secret,"
                        + " created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .execute(Tuple.from(
                        new Object[] {t.org(), url, description, eventTypes.toArray(String[]::new), secret, createdBy}))
                .map(rows -> rows.iterator().next().getUUID("id"));
    }

    /** Saves the changeable fields; a status change to ACTIVE clears the failure state. */
    public Future<Void> update(
            Tenant t, UUID id, String url, String description, List<String> eventTypes, String status, String reason) {
        return t.conn()
                .preparedQuery("UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5,"
                        + " status = $6, disabled_reason = $7,"
                        + " failing_since = CASE WHEN $6 = 'ACTIVE' AND status <> 'ACTIVE' THEN NULL ELSE failing_since END,"
                        + " updated_at = now() WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(
                        new Object[] {t.org(), id, url, description, eventTypes.toArray(String[]::new), status, reason
                        }))
                .mapEmpty();
    }

    /** The new secret signs from now on; the old one too until {@code overlapUntil} (null: not at all). */
    public Future<Void> rotate(Tenant t, UUID id, String secret, OffsetDateTime overlapUntil) {
        return t.conn()
                .preparedQuery("UPDATE webhook_endpoints SET previous_secret = CASE WHEN $4::timestamptz IS NULL"
                        + " THEN NULL ELSE secret END, previous_secret_until = $4, secret = $3, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, secret, overlapUntil))
                .mapEmpty();
    }

    /** The stored (sealed) secret and previous secret, locked for a re-seal; null when the endpoint is gone. */
    public Future<String[]> storedSecrets(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery("SELECT secret, previous_secret FROM webhook_endpoints WHERE organization_id = $1"
                        + " AND id = $2 FOR UPDATE")
                .execute(Tuple.of(t.org(), id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new String[] {r.getString("secret"), r.getString("previous_secret")};
                });
    }

    /** Writes re-sealed secrets (the same secrets: neither updated_at nor the overlap changes). */
    public Future<Void> storeSecrets(Tenant t, UUID id, String secret, String previousSecret) {
        return t.conn()
                .preparedQuery("UPDATE webhook_endpoints SET secret = $3, previous_secret = $4"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, secret, previousSecret))
                .mapEmpty();
    }

    public Future<Void> delete(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery("DELETE FROM webhook_endpoints WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id))
                .mapEmpty();
    }

    /** A delivery of one event to one endpoint (test sends and replays), due now; wakes the workers on commit. */
    public Future<UUID> enqueue(Tenant t, UUID endpointId, String eventId, String eventType, JsonObject payload) {
        return t.conn()
                .preparedQuery("INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type,"
                        + " payload) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .execute(Tuple.of(t.org(), endpointId, eventId, eventType, payload))
                .compose(rows -> t.conn()
                        .query("SELECT pg_notify('keysmith_webhooks', '')")
                        .execute()
                        .map(rows.iterator().next().getUUID("id")));
    }

    /** Newest first; {@code before}: the keyset cursor (created_at, id) of the last row of the previous page. */
    public Future<JsonArray> deliveries(Tenant t, UUID endpointId, OffsetDateTime beforeAt, UUID beforeId, int limit) {
        return t.conn()
                .preparedQuery(DELIVERY + " AND endpoint_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) <"
                        + " ($3, $4)) ORDER BY created_at DESC, id DESC LIMIT $5")
                .execute(Tuple.of(t.org(), endpointId, beforeAt, beforeId, limit))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(delivery(r)));
                    return out;
                });
    }

    /** The stored event of a delivery (for a replay): null when not the endpoint's. */
    public Future<JsonObject> deliveryEvent(Tenant t, UUID endpointId, UUID deliveryId) {
        return t.conn()
                .preparedQuery("SELECT event_id, event_type, payload FROM webhook_deliveries WHERE organization_id = $1"
                        + " AND endpoint_id = $2 AND id = $3")
                .execute(Tuple.of(t.org(), endpointId, deliveryId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new JsonObject()
                            .put("eventId", r.getString("event_id"))
                            .put("eventType", r.getString("event_type"))
                            .put("payload", (JsonObject) r.getValue("payload"));
                });
    }

    public Future<JsonObject> delivery(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery(DELIVERY + " AND id = $2")
                .execute(Tuple.of(t.org(), id))
                .map(rows -> delivery(rows.iterator().next()));
    }

    // ---- the workers (cross-organization, SECURITY DEFINER functions of V16) ----

    public static Future<List<Claimed>> claim(Pool pool, int limit, int leaseSeconds) {
        return pool.preparedQuery("SELECT * FROM ks_webhook_claim($1, $2)")
                .execute(Tuple.of(limit, leaseSeconds))
                .map(rows -> {
                    List<Claimed> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Claimed(
                            r.getUUID("id"),
                            r.getUUID("organization_id"),
                            r.getUUID("endpoint_id"),
                            r.getString("event_id"),
                            r.getString("event_type"),
                            (JsonObject) r.getValue("payload"),
                            r.getInteger("attempts"),
                            r.getOffsetDateTime("created_at"),
                            r.getString("url"),
                            r.getString("secret"),
                            r.getString("previous_secret"))));
                    return out;
                });
    }

    /** Endpoints (organization, id) whose secret or previous secret is still stored in plain text (V27). */
    public static Future<List<UUID[]>> unsealed(Pool pool, int limit) {
        return pool.preparedQuery("SELECT organization_id, id FROM ks_webhook_unsealed($1)")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<UUID[]> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new UUID[] {r.getUUID("organization_id"), r.getUUID("id")}));
                    return out;
                });
    }

    /** Records an attempt; true when it disabled the endpoint (failing too long). */
    public static Future<Boolean> record(
            Pool pool,
            UUID id,
            int attempt,
            boolean ok,
            Integer status,
            Integer latencyMillis,
            String error,
            OffsetDateTime retryAt,
            long disableAfterSeconds) {
        return pool.preparedQuery("SELECT ks_webhook_record($1, $2, $3, $4, $5, $6, $7, $8) AS disabled")
                .execute(Tuple.from(new Object[] {
                    id,
                    attempt,
                    ok,
                    status,
                    latencyMillis,
                    error,
                    retryAt,
                    (int) Math.min(Integer.MAX_VALUE, disableAfterSeconds)
                }))
                .map(rows -> rows.iterator().next().getBoolean("disabled"));
    }

    /** Pending deliveries of active endpoints, and the age in seconds of the oldest. */
    public static Future<double[]> depth(Pool pool) {
        return pool.query("SELECT pending, oldest_seconds FROM ks_webhook_depth()")
                .execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new double[] {r.getLong("pending"), r.getDouble("oldest_seconds")};
                });
    }

    private static JsonObject endpoint(Row r) {
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("url", r.getString("url"))
                .put("description", r.getString("description"))
                .put("eventTypes", new JsonArray(Arrays.asList(r.getArrayOfStrings("event_types"))))
                .put("status", r.getString("status"))
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
                .put("updatedAt", r.getOffsetDateTime("updated_at").toInstant().toString());
        if (r.getString("disabled_reason") != null && "DISABLED".equals(r.getString("status"))) {
            j.put("disabledReason", r.getString("disabled_reason"));
        }
        if (r.getOffsetDateTime("failing_since") != null) {
            j.put(
                    "failingSince",
                    r.getOffsetDateTime("failing_since").toInstant().toString());
        }
        OffsetDateTime until = r.getOffsetDateTime("previous_secret_until");
        if (until != null && until.isAfter(OffsetDateTime.now())) {
            j.put("previousSecretValidUntil", until.toInstant().toString());
        }
        return j;
    }

    private static JsonObject delivery(Row r) {
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("endpointId", r.getUUID("endpoint_id").toString())
                .put("eventId", r.getString("event_id"))
                .put("eventType", r.getString("event_type"))
                .put("status", r.getString("status"))
                .put("attempts", r.getInteger("attempts"))
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString());
        if ("PENDING".equals(r.getString("status"))) {
            j.put(
                    "nextAttemptAt",
                    r.getOffsetDateTime("next_attempt_at").toInstant().toString());
        }
        if (r.getInteger("last_status_code") != null) {
            j.put("lastStatusCode", r.getInteger("last_status_code"));
        }
        if (r.getInteger("last_latency_ms") != null) {
            j.put("lastLatencyMillis", r.getInteger("last_latency_ms"));
        }
        if (r.getString("last_error") != null) {
            j.put("lastError", r.getString("last_error"));
        }
        if (r.getOffsetDateTime("delivered_at") != null) {
            j.put("deliveredAt", r.getOffsetDateTime("delivered_at").toInstant().toString());
        }
        return j;
    }
}
