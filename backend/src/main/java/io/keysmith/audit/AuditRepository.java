package io.keysmith.audit;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** All SQL of the audit log. Append and read only: the table refuses UPDATE and DELETE itself. */
public final class AuditRepository {

    /** Appends inside the caller's transaction, so the record commits (or not) with the change it describes. */
    public Future<Void> append(Tenant t, AuditEvent e) {
        return t.conn()
                .preparedQuery("""
                        INSERT INTO audit_events (organization_id, actor_user_id, actor_label, action, target_type,
                                                  target_id, source_address, details)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    e.actorUserId(),
                    e.actorLabel(),
                    e.action(),
                    e.targetType(),
                    e.targetId(),
                    e.sourceAddress(),
                    e.details()
                }))
                .mapEmpty();
    }

    /** Newest first; {@code beforeId} is the keyset cursor. */
    public Future<JsonArray> list(Tenant t, String action, UUID actor, Long beforeId, int limit) {
        return t.conn()
                .preparedQuery("""
                        SELECT id, occurred_at, actor_user_id, actor_label, action, target_type, target_id,
                               source_address, details
                          FROM audit_events
                         WHERE organization_id = $1
                           AND ($2::text IS NULL OR action = $2)
                           AND ($3::uuid IS NULL OR actor_user_id = $3)
                           AND ($4::bigint IS NULL OR id < $4)
                         ORDER BY id DESC
                         LIMIT $5""")
                .execute(Tuple.of(t.org(), action, actor, beforeId, limit))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    private static JsonObject toJson(Row r) {
        JsonObject j = new JsonObject()
                .put("id", Long.toString(r.getLong("id")))
                .put(
                        "occurredAt",
                        r.getOffsetDateTime("occurred_at").toInstant().toString())
                .put("action", r.getString("action"));
        putIfPresent(j, "actorUserId", r.getUUID("actor_user_id"));
        putIfPresent(j, "actorLabel", r.getString("actor_label"));
        putIfPresent(j, "targetType", r.getString("target_type"));
        putIfPresent(j, "targetId", r.getString("target_id"));
        putIfPresent(j, "sourceAddress", r.getString("source_address"));
        Object details = r.getValue("details");
        j.put("details", details instanceof JsonObject d ? d : new JsonObject());
        return j;
    }

    private static void putIfPresent(JsonObject j, String key, Object value) {
        if (value != null) {
            j.put(key, value.toString());
        }
    }
}
