package io.keysmith.notifications;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL of notifications (V16): audit events read per user through a read marker, reminders and mail claims. */
public final class NotificationRepository {
    /** Transaction-scoped advisory lock of the reminders job: one replica raises them at a time. */
    static final long REMINDERS_LOCK = 0x4b53_5245_4d49_4e44L;

    // $1 org, $2 user, $3 the owner's actions, $4 credential admin, $5 the admins' actions
    private static final String CONCERNING = """
            SELECT e.id, e.occurred_at, e.action, e.target_type, e.target_id, e.details, k.name AS key_name
              FROM audit_events e
              LEFT JOIN api_keys k ON e.target_type = 'api-key' AND k.organization_id = e.organization_id
                   AND k.id = CASE WHEN e.target_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                   THEN e.target_id::uuid END
             WHERE e.organization_id = $1
               AND ((e.action = ANY ($3) AND (k.owner_user_id = $2 OR e.details->>'ownerUserId' = $2::text)
                     AND e.actor_user_id IS DISTINCT FROM $2)
                    OR ($4 AND e.action = ANY ($5)))""";

    public Future<JsonArray> list(
            Tenant t, UUID user, List<String> own, boolean admin, List<String> admins, Long beforeId, int limit) {
        return t.conn()
                .preparedQuery(CONCERNING + " AND ($6::bigint IS NULL OR e.id < $6) ORDER BY e.id DESC LIMIT $7")
                .execute(Tuple.from(new Object[] {
                    t.org(), user, own.toArray(String[]::new), admin, admins.toArray(String[]::new), beforeId, limit
                }))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    /** Unread events, counted up to {@code cap} (a badge shows "99+"). */
    public Future<Integer> unread(
            Tenant t, UUID user, List<String> own, boolean admin, List<String> admins, long after, int cap) {
        return t.conn()
                .preparedQuery("SELECT count(*) AS n FROM (" + CONCERNING + " AND e.id > $6 LIMIT $7) x")
                .execute(Tuple.from(new Object[] {
                    t.org(), user, own.toArray(String[]::new), admin, admins.toArray(String[]::new), after, cap
                }))
                .map(rows -> rows.iterator().next().getLong("n").intValue());
    }

    public Future<Long> lastRead(Tenant t, UUID user) {
        return t.conn()
                .preparedQuery(
                        "SELECT last_read_id FROM notification_reads WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), user))
                .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong("last_read_id"));
    }

    /** Moves the marker forward only (a stale tab cannot mark newer events unread again). */
    public Future<Void> markRead(Tenant t, UUID user, long upTo) {
        return t.conn()
                .preparedQuery("INSERT INTO notification_reads (organization_id, user_id, last_read_id) VALUES ($1, $2,"
                        + " $3) ON CONFLICT (organization_id, user_id) DO UPDATE SET last_read_id ="
                        + " greatest(notification_reads.last_read_id, EXCLUDED.last_read_id)")
                .execute(Tuple.of(t.org(), user, upTo))
                .mapEmpty();
    }

    /**
     * Raises the due reminders if this replica gets the lock (else another is doing it: 0). One transaction: the
     * events and their outbox rows commit together.
     */
    public static Future<Long> raiseReminders(Pool pool) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS got")
                .execute(Tuple.of(REMINDERS_LOCK))
                .compose(rows -> rows.iterator().next().getBoolean("got")
                        ? conn.query("SELECT ks_raise_key_reminders() AS n")
                                .execute()
                                .map(r -> r.iterator().next().getLong("n"))
                        : Future.succeededFuture(0L)));
    }

    /** A mail to send: the event and its recipients' addresses. */
    public record Mail(
            long eventId,
            UUID organizationId,
            String action,
            JsonObject details,
            int attempts,
            List<String> recipients) {}

    public static Future<List<Mail>> claimMail(Pool pool, int limit, int leaseSeconds) {
        return pool.preparedQuery("SELECT * FROM ks_mail_claim($1, $2)")
                .execute(Tuple.of(limit, leaseSeconds))
                .map(rows -> {
                    List<Mail> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Mail(
                            r.getLong("audit_event_id"),
                            r.getUUID("organization_id"),
                            r.getString("action"),
                            r.getValue("details") instanceof JsonObject d ? d : new JsonObject(),
                            r.getInteger("attempts"),
                            List.of(r.getArrayOfStrings("recipients")))));
                    return out;
                });
    }

    public static Future<Void> mailDone(Pool pool, long eventId) {
        return pool.preparedQuery("SELECT ks_mail_done($1)")
                .execute(Tuple.of(eventId))
                .mapEmpty();
    }

    private static JsonObject toJson(Row r) {
        Object value = r.getValue("details");
        JsonObject details = value instanceof JsonObject d ? d : new JsonObject();
        JsonObject j = new JsonObject()
                .put("id", Long.toString(r.getLong("id")))
                .put(
                        "occurredAt",
                        r.getOffsetDateTime("occurred_at").toInstant().toString())
                .put("action", r.getString("action"));
        if (r.getString("target_type") != null) {
            j.put("targetType", r.getString("target_type"));
        }
        if (r.getString("target_id") != null) {
            j.put("targetId", r.getString("target_id"));
        }
        String name = r.getString("key_name") != null ? r.getString("key_name") : details.getString("name");
        if (name != null) {
            j.put("targetName", name);
        }
        return j;
    }
}
