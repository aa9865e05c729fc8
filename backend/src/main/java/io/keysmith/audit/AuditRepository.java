package io.keysmith.audit;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** All SQL of the audit log. Append and read only: the table refuses UPDATE and DELETE itself. */
public final class AuditRepository {
    /** Rows fetched per cursor round trip of the export: bounds what the export holds in memory. */
    static final int EXPORT_FETCH = 500;

    // Filters of the page and the export; $1 is the organization.
    private static final String FILTERED = """
            SELECT e.*,
                   CASE WHEN e.target_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                        THEN e.target_id::uuid END AS tid
              FROM audit_events e
             WHERE e.organization_id = $1
               AND ($2::text IS NULL OR e.action = $2)
               AND ($3::uuid IS NULL OR e.actor_user_id = $3)
               AND ($4::text IS NULL OR e.target_type = $4)
               AND ($5::text IS NULL OR e.target_id = $5)
               AND ($6::timestamptz IS NULL OR e.occurred_at >= $6)
               AND ($7::timestamptz IS NULL OR e.occurred_at < $7)
               AND ($8::bigint IS NULL OR e.id < $8)
             ORDER BY e.id DESC""";

    // Names are resolved when read (a renamed key reads with its name of today); a deleted target falls back to the
    // name recorded in the event. People records are named only for a reader who may view both name fields of every
    // record ($9): their names are field-protected data, and an event never records them. A transfer also names the
    // key's new owner (the subject); a write made with a key names the key and its owner (via).
    private static final String NAMED = """
            SELECT e.id, e.occurred_at, e.actor_user_id, e.actor_label, e.action, e.target_type, e.target_id,
                   e.source_address, e.details,
                   au.first_name || ' ' || au.last_name AS actor_name,
                   CASE e.target_type
                        WHEN 'user' THEN tu.first_name || ' ' || tu.last_name
                        WHEN 'api-key' THEN k.name
                        WHEN 'access-level' THEN al.name
                        WHEN 'partner' THEN p.name
                        WHEN 'organization' THEN o.name
                        WHEN 'person' THEN pe.first_name || ' ' || pe.last_name
                   END AS live_name,
                   k.api_type,
                   su.id AS subject_user_id,
                   su.first_name || ' ' || su.last_name AS subject_name,
                   vk.id AS via_key_id, vk.name AS via_key_name,
                   vo.id AS via_key_owner_id, vo.first_name || ' ' || vo.last_name AS via_key_owner_name
              FROM (%s) e
              LEFT JOIN users au ON au.organization_id = e.organization_id AND au.id = e.actor_user_id
              LEFT JOIN users tu ON e.target_type = 'user' AND tu.organization_id = e.organization_id
                                AND tu.id = e.tid
              LEFT JOIN api_keys k ON e.target_type = 'api-key' AND k.organization_id = e.organization_id
                                  AND k.id = e.tid
              LEFT JOIN access_levels al ON e.target_type = 'access-level' AND al.organization_id = e.organization_id
                                        AND al.id = e.tid
              LEFT JOIN partners p ON e.target_type = 'partner' AND p.id = e.tid
                                  AND (p.organization_id = e.organization_id OR p.organization_id IS NULL)
              LEFT JOIN organizations o ON e.target_type = 'organization' AND o.id = e.organization_id
                                       AND o.id = e.tid
              LEFT JOIN people pe ON e.target_type = 'person' AND $9::boolean AND pe.organization_id = e.organization_id
                                 AND pe.id = e.tid
              LEFT JOIN users su ON e.action = 'api-key.transferred' AND su.organization_id = e.organization_id
                                AND su.id::text = e.details -> 'change' ->> 'toUserId'
              LEFT JOIN api_keys vk ON vk.organization_id = e.organization_id
                                   AND vk.id = CASE WHEN e.details ->> 'via' = 'api-key'
                                                    THEN (e.details ->> 'keyId')::uuid END
              LEFT JOIN users vo ON vo.organization_id = e.organization_id
                                AND vo.id = CASE WHEN e.details ->> 'via' = 'api-key'
                                                 THEN (e.details ->> 'keyOwnerUserId')::uuid END
             ORDER BY e.id DESC""";

    private static final String PAGE = NAMED.formatted(FILTERED + "\n LIMIT $10");
    private static final String ALL = NAMED.formatted(FILTERED);

    private final Map<String, String> apiTypeTitles;

    /** {@code apiTypeTitles}: API type name to title (openapi.yaml's x-api-types), for key events. */
    public AuditRepository(Map<String, String> apiTypeTitles) {
        this.apiTypeTitles = Map.copyOf(apiTypeTitles);
    }

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

    /**
     * Appends many events inside the caller's transaction in one round trip (issue 18: a leak report of 1,000 keys);
     * the same rows {@link #append} writes, one per event.
     */
    public Future<Void> appendAll(Tenant t, java.util.List<AuditEvent> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        int n = events.size();
        UUID[] actors = new UUID[n];
        String[] labels = new String[n];
        String[] actions = new String[n];
        String[] targetTypes = new String[n];
        String[] targetIds = new String[n];
        String[] sources = new String[n];
        String[] details = new String[n];
        for (int i = 0; i < n; i++) {
            AuditEvent e = events.get(i);
            actors[i] = e.actorUserId();
            labels[i] = e.actorLabel();
            actions[i] = e.action();
            targetTypes[i] = e.targetType();
            targetIds[i] = e.targetId();
            sources[i] = e.sourceAddress();
            details[i] = e.details().encode();
        }
        // one statement over arrays, not one per event (a pipelined batch still parses, plans and executes each of
        // the 1,000 rows separately); ordinality keeps the ids in the order of the list. The outbox trigger still
        // runs per row, so every event still has its webhook deliveries and e-mail.
        return t.conn()
                .preparedQuery("""
                        INSERT INTO audit_events (organization_id, actor_user_id, actor_label, action, target_type,
                                                  target_id, source_address, details)
                        SELECT $1, e.actor, e.label, e.action, e.target_type, e.target_id, e.source, e.details::jsonb
                          FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[]) WITH ORDINALITY
                               AS e(actor, label, action, target_type, target_id, source, details, ord)
                         ORDER BY e.ord""")
                .execute(Tuple.from(
                        new Object[] {t.org(), actors, labels, actions, targetTypes, targetIds, sources, details}))
                .mapEmpty();
    }

    /** Newest first; {@code beforeId} is the keyset cursor. */
    public Future<JsonArray> list(Tenant t, AuditQuery q, Long beforeId, int limit, boolean namePeople) {
        return t.conn()
                .preparedQuery(PAGE)
                .execute(params(t, q, beforeId).addBoolean(namePeople).addInteger(limit))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    /**
     * Writes every matching event, newest first, to {@code out} through a database cursor of {@link #EXPORT_FETCH}
     * rows: the cursor pauses while {@code out}'s write queue is full, so memory stays bounded whatever the size.
     * {@code started} runs once the statement is prepared (before the first row); the future completes when the last
     * row is written and fails when the database or {@code out} fails.
     */
    public Future<Void> stream(
            Tenant t,
            AuditQuery q,
            boolean namePeople,
            WriteStream<Buffer> out,
            Runnable started,
            Function<JsonObject, Buffer> encode) {
        return t.conn().prepare(ALL).compose(ps -> {
            Promise<Void> done = Promise.promise();
            RowStream<Row> rows =
                    ps.createStream(EXPORT_FETCH, params(t, q, null).addBoolean(namePeople));
            out.exceptionHandler(err -> {
                done.tryFail(err);
                rows.close();
            });
            rows.exceptionHandler(done::tryFail);
            rows.endHandler(v -> done.tryComplete());
            started.run();
            rows.handler(r -> {
                out.write(encode.apply(toJson(r)));
                if (out.writeQueueFull()) {
                    rows.pause();
                    out.drainHandler(v -> rows.resume());
                }
            });
            return done.future().eventually(() -> rows.close().eventually(ps::close));
        });
    }

    private static Tuple params(Tenant t, AuditQuery q, Long beforeId) {
        return Tuple.of(t.org(), q.action(), q.actor(), q.targetType(), q.targetId(), q.from(), q.to(), beforeId);
    }

    private JsonObject toJson(Row r) {
        JsonObject j = new JsonObject()
                .put("id", Long.toString(r.getLong("id")))
                .put(
                        "occurredAt",
                        r.getOffsetDateTime("occurred_at").toInstant().toString())
                .put("action", r.getString("action"));
        Object value = r.getValue("details");
        JsonObject details = value instanceof JsonObject d ? d : new JsonObject();
        putIfPresent(j, "actorUserId", r.getUUID("actor_user_id"));
        putIfPresent(j, "actorName", r.getString("actor_name"));
        putIfPresent(j, "actorLabel", r.getString("actor_label"));
        putIfPresent(j, "targetType", r.getString("target_type"));
        putIfPresent(j, "targetId", r.getString("target_id"));
        String name = r.getString("live_name");
        if (name == null && !"person".equals(r.getString("target_type"))) {
            name = details.getValue("name") instanceof String s ? s : null; // the target no longer exists
        }
        putIfPresent(j, "targetName", name);
        String apiType = r.getString("api_type");
        putIfPresent(j, "apiType", apiType);
        putIfPresent(j, "apiTypeTitle", apiType == null ? null : apiTypeTitles.get(apiType));
        putIfPresent(j, "subjectUserId", r.getUUID("subject_user_id"));
        putIfPresent(j, "subjectName", r.getString("subject_name"));
        putIfPresent(j, "viaKeyId", r.getUUID("via_key_id"));
        putIfPresent(j, "viaKeyName", r.getString("via_key_name"));
        putIfPresent(j, "viaKeyOwnerUserId", r.getUUID("via_key_owner_id"));
        putIfPresent(j, "viaKeyOwnerName", r.getString("via_key_owner_name"));
        putIfPresent(j, "sourceAddress", r.getString("source_address"));
        j.put("changedFields", changedFields(details));
        j.put("details", details);
        return j;
    }

    /** Field names only: {@code fields} of the event, or of the key change it wraps ({@code change.fields}). */
    private static JsonArray changedFields(JsonObject details) {
        Object fields = details.getValue("fields");
        if (!(fields instanceof JsonArray) && details.getValue("change") instanceof JsonObject change) {
            fields = change.getValue("fields");
        }
        JsonArray out = new JsonArray();
        if (fields instanceof JsonArray a) {
            a.forEach(f -> {
                if (f instanceof String s) {
                    out.add(s);
                }
            });
        }
        return out;
    }

    private static void putIfPresent(JsonObject j, String key, Object value) {
        if (value != null) {
            j.put(key, value.toString());
        }
    }
}
