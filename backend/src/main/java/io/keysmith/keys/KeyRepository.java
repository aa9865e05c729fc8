package io.keysmith.keys;

import io.keysmith.db.DbErrors;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Invalid;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** All SQL of API keys and organization key policies; every statement scoped by organization. */
public final class KeyRepository implements KeyLastUse {
    /** The organization policy's default cap on keys per user (issue 13: it must fit a large integration user). */
    public static final int DEFAULT_MAX_KEYS_PER_USER = 1000;

    private static final String SELECT =
            "SELECT k.id, k.name, k.description, k.api_type, k.partner_id, k.owner_user_id,"
                    + " u.first_name || ' ' || u.last_name AS owner_name, u.status AS owner_status, k.created_by, k.created_at,"
                    + " k.last_used_at, k.expires_at, k.status, k.hint, k.permission_mode, k.permissions, k.field_rights,"
                    + " k.ip_allowlist, k.rate_limit_per_minute, k.previous_valid_until, k.admin_restrictions,"
                    + " a.permissions AS owner_permissions, k.secret_holder_user_id AS holder_user_id,"
                    + " h.status AS holder_status, ha.permissions AS holder_permissions, k.credential_kind, k.leaked_at,"
                    // governance (V17): the approval request and the metadata
                    + " k.version, k.approval_reasons, k.approval_requested_by, k.approval_requested_at,"
                    + " k.approval_decided_by, k.approval_decided_at, k.approval_denial_reason, k.metadata,"
                    + " k.rate_limits,"
                    // ADR 0015: the usage quota, as of now (a period that turned counts as refilled)
                    + " kq.quota_limit, kq.period AS quota_period,"
                    + " CASE WHEN kq.period <> 'TOTAL' AND kq.period_start < ks_quota_period_start(kq.period, now())"
                    + " THEN kq.quota_limit ELSE kq.remaining END AS quota_remaining,"
                    + " ks_quota_next_start(kq.period, ks_quota_period_start(kq.period, now())) AS quota_resets_at"
                    + " FROM api_keys k JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id"
                    + " JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
                    + " JOIN users h ON h.organization_id = k.organization_id AND h.id = k.secret_holder_user_id"
                    + " JOIN access_levels ha ON ha.organization_id = h.organization_id AND ha.id = h.access_level_id"
                    + " LEFT JOIN key_quotas kq ON kq.key_id = k.id"
                    + " WHERE k.organization_id = $1";

    /** A partner deleted (or never there) between the service's look-up and the insert. */
    private static final DbErrors INSERT = DbErrors.declare()
            .foreignKey(
                    "api_keys_partner_id_fkey", () -> new Invalid("partnerId", "Field 'partnerId' names no partner"));

    /** A new active key (no approval requested). */
    public Future<JsonObject> insert(
            Tenant t,
            UUID owner,
            UUID createdBy,
            JsonObject body,
            byte[] hash,
            int version,
            String hint,
            java.util.Collection<String> adminRestrictions) {
        return insert(t, owner, createdBy, body, hash, version, hint, adminRestrictions, List.of());
    }

    /**
     * A new key; the caller supplies only the hash and hint of the secret, never the secret. With {@code
     * approvalReasons} it is PENDING_APPROVAL, requested by its creator.
     */
    public Future<JsonObject> insert(
            Tenant t,
            UUID owner,
            UUID createdBy,
            JsonObject body,
            byte[] hash,
            int version,
            String hint,
            java.util.Collection<String> adminRestrictions,
            java.util.Collection<String> approvalReasons) {
        boolean pending = !approvalReasons.isEmpty();
        return t.conn()
                .preparedQuery("INSERT INTO api_keys (organization_id, owner_user_id, created_by, name, description,"
                        + " api_type, partner_id, permission_mode, permissions, field_rights, expires_at, ip_allowlist,"
                        + " rate_limit_per_minute, secret_hash, secret_version, hint, secret_holder_user_id,"
                        + " admin_restrictions, credential_kind, status, approval_reasons, approval_requested_by,"
                        + " approval_requested_at, metadata)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $3, $17, $18,"
                        + " CASE WHEN $19::boolean THEN 'PENDING_APPROVAL' ELSE 'ACTIVE' END, $20,"
                        + " CASE WHEN $19::boolean THEN $3::uuid END, CASE WHEN $19::boolean THEN now() END, $21)"
                        + " RETURNING id")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    owner,
                    createdBy,
                    body.getString("name").trim(),
                    body.getString("description", ""),
                    body.getString("apiType"),
                    uuid(body.getString("partnerId")),
                    body.getString("permissionMode"),
                    strings(body.getJsonArray("permissions")),
                    body.getJsonObject("fieldRights", new JsonObject()),
                    time(body.getString("expiresAt")),
                    strings(body.getJsonArray("ipAllowlist")),
                    body.getInteger("rateLimitPerMinute"),
                    Buffer.buffer(hash),
                    version,
                    hint,
                    adminRestrictions.toArray(String[]::new),
                    body.getString("credentialKind", "API_KEY"), // issue 16: an OAuth client is a key row of its kind
                    pending,
                    approvalReasons.toArray(String[]::new),
                    body.getJsonObject("metadata")
                }))
                .recover(INSERT::translate)
                .compose(rows -> find(t, rows.iterator().next().getUUID("id"), false));
    }

    public Future<JsonObject> find(Tenant t, UUID id, boolean forUpdate) {
        return t.conn()
                .preparedQuery(SELECT + " AND k.id = $2" + (forUpdate ? " FOR UPDATE OF k" : ""))
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    /**
     * Keys filtered and ordered by {@code query}; {@code afterId} is the keyset cursor: the last key of the previous
     * page (its position is read from the row, so the cursor carries only the id the caller was shown). Every sort
     * key is text in the "C" collation with the id as tie-breaker: a total order whatever the values, missing values
     * included (never used sorts first, no expiry last).
     */
    public Future<JsonArray> list(Tenant t, KeyListQuery query, UUID afterId, int limit) {
        String q = query.q();
        String prefix = q == null
                ? null
                : q.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        String compare = query.descending() ? "<" : ">";
        String direction = query.descending() ? " DESC" : " ASC";
        return t.conn()
                .preparedQuery(SELECT
                        + " AND ($2::uuid IS NULL OR k.owner_user_id = $2)"
                        + " AND ($3::text IS NULL OR CASE WHEN k.status <> 'ACTIVE' THEN k.status"
                        + "      WHEN u.status <> 'ACTIVE' THEN 'OWNER_INACTIVE'"
                        + "      WHEN k.expires_at <= now() THEN 'EXPIRED' ELSE 'ACTIVE' END = $3)"
                        + " AND ($4::uuid IS NULL OR k.partner_id = $4) AND ($5::text IS NULL OR k.api_type = $5)"
                        + " AND ($6::text IS NULL OR lower(k.name) LIKE $6 OR lower(k.hint) LIKE $6)"
                        + " AND ($7::uuid IS NULL OR (" + sortKey(query.sort(), "k") + ", k.id) " + compare
                        + " (SELECT " + sortKey(query.sort(), "c") + ", c.id FROM api_keys c"
                        + "      WHERE c.organization_id = $1 AND c.id = $7))"
                        + " ORDER BY " + sortKey(query.sort(), "k") + direction + ", k.id" + direction + " LIMIT $8")
                .execute(Tuple.from(new Object[] {
                    t.org(), query.owner(), query.status(), query.partner(), query.apiType(), prefix, afterId, limit
                }))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    /** The text the rows are ordered by; fixed SQL per sort (never spliced from the request). */
    private static String sortKey(KeyListQuery.Sort sort, String alias) {
        String time = "'YYYY-MM-DD HH24:MI:SS.US'";
        String key = switch (sort) {
            case NAME -> "lower(" + alias + ".name)";
            case CREATED_AT -> "to_char(" + alias + ".created_at AT TIME ZONE 'UTC', " + time + ")";
            case LAST_USED_AT -> "COALESCE(to_char(" + alias + ".last_used_at AT TIME ZONE 'UTC', " + time + "), '')";
            case EXPIRES_AT -> "COALESCE(to_char(" + alias + ".expires_at AT TIME ZONE 'UTC', " + time + "), '~')";
        };
        return "(" + key + ") COLLATE \"C\"";
    }

    /**
     * Least privilege (issue 20): the active keys of the organization (or one key, or one owner's) with the columns
     * {@link EffectiveRights#of} reads, so the report computes each key's rights exactly as the verifier does.
     */
    public Future<List<Row>> rightsRows(Tenant t, UUID key, UUID owner) {
        return t.conn()
                .preparedQuery("SELECT k.id, k.name, k.api_type, k.owner_user_id,"
                        + " u.first_name || ' ' || u.last_name AS owner_name, k.created_at, k.last_used_at,"
                        + " k.permission_mode, k.permissions AS key_permissions, k.field_rights AS key_field_rights,"
                        + " a.record_scope AS owner_scope, a.field_rights AS owner_field_rights,"
                        + " a.permissions AS owner_permissions, a.builtin AS owner_builtin,"
                        + " k.secret_holder_user_id AS holder_user_id, h.status AS holder_status,"
                        + " ha.record_scope AS holder_scope, ha.field_rights AS holder_field_rights,"
                        + " ha.permissions AS holder_permissions, ha.builtin AS holder_builtin"
                        + " FROM api_keys k JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id"
                        + " JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
                        + " JOIN users h ON h.organization_id = k.organization_id AND h.id = k.secret_holder_user_id"
                        + " JOIN access_levels ha ON ha.organization_id = h.organization_id AND ha.id = h.access_level_id"
                        + " WHERE k.organization_id = $1 AND k.status = 'ACTIVE'"
                        + " AND ($2::uuid IS NULL OR k.id = $2) AND ($3::uuid IS NULL OR k.owner_user_id = $3)"
                        + " ORDER BY lower(k.name), k.id")
                .execute(Tuple.of(t.org(), key, owner))
                .map(rows -> {
                    List<Row> out = new java.util.ArrayList<>();
                    rows.forEach(out::add);
                    return out;
                });
    }

    /** {@code adminRestrictions}: the key's restrictions set by an admin after this change. */
    public Future<JsonObject> update(Tenant t, UUID id, JsonObject c, java.util.Collection<String> adminRestrictions) {
        boolean clearExpiry = c.containsKey("expiresAt") && c.getValue("expiresAt") == null;
        boolean clearRate = c.containsKey("rateLimitPerMinute") && c.getValue("rateLimitPerMinute") == null;
        boolean clearMetadata = c.containsKey("metadata") && c.getValue("metadata") == null;
        return t.conn()
                .preparedQuery("UPDATE api_keys SET name = COALESCE($3, name), description = COALESCE($4, description),"
                        + " permission_mode = COALESCE($5, permission_mode), permissions = COALESCE($6, permissions),"
                        + " field_rights = COALESCE($7, field_rights),"
                        + " expires_at = CASE WHEN $8 THEN NULL ELSE COALESCE($9, expires_at) END,"
                        + " ip_allowlist = COALESCE($10, ip_allowlist), admin_restrictions = $11,"
                        + " rate_limit_per_minute = CASE WHEN $12 THEN NULL ELSE COALESCE($13, rate_limit_per_minute) END,"
                        + " metadata = CASE WHEN $14::boolean THEN NULL ELSE COALESCE($15::jsonb, metadata) END,"
                        + " version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    id,
                    c.getString("name"),
                    c.getString("description"),
                    c.getString("permissionMode"),
                    c.containsKey("permissions") ? strings(c.getJsonArray("permissions")) : null,
                    c.getJsonObject("fieldRights"),
                    clearExpiry,
                    clearExpiry ? null : time(c.getString("expiresAt")),
                    c.containsKey("ipAllowlist") ? strings(c.getJsonArray("ipAllowlist")) : null,
                    adminRestrictions.toArray(String[]::new),
                    clearRate,
                    clearRate ? null : c.getInteger("rateLimitPerMinute"),
                    clearMetadata,
                    clearMetadata ? null : c.getJsonObject("metadata")
                }))
                .compose(x -> find(t, id, false));
    }

    /** ADR 0021: replaces the key's named rate limits (validated by the service). */
    public Future<Void> setRateLimits(Tenant t, UUID id, JsonArray limits) {
        return t.conn()
                .preparedQuery("UPDATE api_keys SET rate_limits = $3::jsonb, version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, limits))
                .mapEmpty();
    }

    /**
     * ADR 0015: sets the key's usage quota and starts it full, in a new epoch (null: removes it). The key's row is
     * updated beside it (a new key's is new), which announces the change to every replica.
     */
    public Future<Void> setQuota(Tenant t, UUID id, JsonObject quota) {
        return (quota == null
                        ? t.conn()
                                .preparedQuery("DELETE FROM key_quotas WHERE organization_id = $1 AND key_id = $2")
                                .execute(Tuple.of(t.org(), id))
                        : t.conn()
                                .preparedQuery("INSERT INTO key_quotas (organization_id, key_id, quota_limit, period,"
                                        + " remaining, period_start) VALUES ($1, $2, $3, $4, $3,"
                                        + " CASE WHEN $4 = 'TOTAL' THEN now() ELSE ks_quota_period_start($4, now()) END)"
                                        + " ON CONFLICT (key_id) DO UPDATE SET quota_limit = EXCLUDED.quota_limit,"
                                        + " period = EXCLUDED.period, remaining = EXCLUDED.remaining,"
                                        + " period_start = EXCLUDED.period_start, epoch = EXCLUDED.epoch")
                                .execute(Tuple.of(t.org(), id, quota.getLong("limit"), quota.getString("period"))))
                .mapEmpty();
    }

    /** ADR 0015: a replica's lease of at most {@code want} (SECURITY DEFINER: no tenant yet); null: no quota. */
    public Future<Row> leaseQuota(io.vertx.sqlclient.SqlClient conn, UUID org, UUID key, long want) {
        return conn.preparedQuery("SELECT * FROM ks_quota_lease($1, $2, $3)")
                .execute(Tuple.of(org, key, want))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** ADR 0015: what a replica leased and did not spend, back into the same epoch and period only. */
    public Future<Void> giveBackQuota(
            io.vertx.sqlclient.SqlClient conn, UUID org, UUID key, long amount, long epoch, OffsetDateTime start) {
        return conn.preparedQuery("SELECT ks_quota_give_back($1, $2, $3, $4, $5)")
                .execute(Tuple.of(org, key, amount, epoch, start))
                .mapEmpty();
    }

    /** {@code by}: who changed it; {@code adminRestrictions}: the key's restrictions set by an admin afterwards. */
    public Future<JsonObject> setStatus(
            Tenant t, UUID id, String status, UUID by, java.util.Collection<String> adminRestrictions) {
        return t.conn()
                .preparedQuery("UPDATE api_keys SET status = $3, previous_hash = CASE WHEN $3 = 'REVOKED' THEN NULL"
                        + " ELSE previous_hash END, disabled_by = CASE WHEN $3 = 'DISABLED' THEN $4"
                        + " WHEN $3 = 'ACTIVE' THEN NULL ELSE disabled_by END, admin_restrictions = $5,"
                        + " version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, status, by, adminRestrictions.toArray(String[]::new)))
                .compose(x -> find(t, id, false));
    }

    /** The old secret stays valid until {@code graceUntil}; a grace of zero drops it at once. */
    public Future<JsonObject> rotate(
            Tenant t, UUID id, byte[] hash, int version, String hint, OffsetDateTime graceUntil, UUID holder) {
        return t.conn()
                .preparedQuery(
                        "UPDATE api_keys SET previous_hash = CASE WHEN $6::timestamptz > now() THEN secret_hash END,"
                                + " previous_version = secret_version, previous_valid_until = $6,"
                                + " secret_hash = $3, secret_version = $4, hint = $5, secret_holder_user_id = $7,"
                                + " version = version + 1, updated_at = now()"
                                + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(new Object[] {t.org(), id, Buffer.buffer(hash), version, hint, graceUntil, holder}))
                .compose(x -> find(t, id, false));
    }

    /**
     * Issue 18, a reported leak: {@code action} is the organization's policy (REVOKE, DISABLE, NOTIFY). A leaked
     * previous secret (rotation grace) loses its grace whatever the policy, and the key changes only if the policy is
     * REVOKE; a leaked current secret is revoked, or disabled as by an administrator. The key's version moves, so
     * every replica's cache drops it (NOTIFY at commit). Per key, in order: null when it is revoked already
     * (nothing changes).
     */
    public Future<List<JsonObject>> respondToLeaks(Tenant t, List<UUID> ids, String action, List<Boolean> previous) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        // one set-based UPDATE over the arrays (1,000 keys of a GitHub report within its 2 s): a pipelined batch of
        // 1,000 statements cost ~0.3 s under load; the answer keeps the order of ids, null where nothing changed
        return t.conn()
                .preparedQuery("UPDATE api_keys k SET"
                        + " status = CASE WHEN $2 = 'REVOKE' THEN 'REVOKED'"
                        + "   WHEN $2 = 'DISABLE' AND NOT l.previous THEN 'DISABLED' ELSE k.status END,"
                        + " admin_restrictions = CASE WHEN $2 = 'DISABLE' AND NOT l.previous"
                        + "   AND NOT ('DISABLED' = ANY(k.admin_restrictions))"
                        + "   THEN k.admin_restrictions || 'DISABLED'::text ELSE k.admin_restrictions END,"
                        + " previous_hash = CASE WHEN l.previous OR $2 = 'REVOKE' THEN NULL ELSE k.previous_hash END,"
                        + " previous_valid_until = CASE WHEN (l.previous OR $2 = 'REVOKE')"
                        + "   AND k.previous_valid_until > now() THEN now() ELSE k.previous_valid_until END,"
                        + " leaked_at = now(), version = k.version + 1, updated_at = now()"
                        + " FROM unnest($3::uuid[], $4::boolean[]) AS l(id, previous)"
                        + " WHERE k.organization_id = $1 AND k.id = l.id AND k.status <> 'REVOKED'"
                        + " RETURNING k.id, k.name, k.owner_user_id, k.status")
                .execute(Tuple.of(t.org(), action, ids.toArray(UUID[]::new), previous.toArray(Boolean[]::new)))
                .map(rows -> {
                    java.util.Map<UUID, JsonObject> changed = new java.util.HashMap<>();
                    for (Row r : rows) {
                        changed.put(
                                r.getUUID("id"),
                                new JsonObject()
                                        .put("id", r.getUUID("id").toString())
                                        .put("name", r.getString("name"))
                                        .put(
                                                "ownerUserId",
                                                r.getUUID("owner_user_id").toString())
                                        .put("status", r.getString("status")));
                    }
                    List<JsonObject> out = new java.util.ArrayList<>(ids.size());
                    for (UUID id : ids) {
                        out.add(changed.get(id));
                    }
                    return out;
                });
    }

    /** The key changes owner; whoever hands it on becomes its secret's holder (ADR 0009). */
    public Future<JsonObject> transfer(Tenant t, UUID id, UUID owner, UUID holder) {
        return t.conn()
                .preparedQuery("UPDATE api_keys SET owner_user_id = $3, secret_holder_user_id = $4,"
                        + " version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, owner, holder))
                .compose(x -> find(t, id, false));
    }

    /** The key is held for approval again (its rights grew into what the policy gates), requested by {@code by}. */
    public Future<JsonObject> requestApproval(Tenant t, UUID id, UUID by, java.util.Collection<String> reasons) {
        return t.conn()
                .preparedQuery("UPDATE api_keys SET status = 'PENDING_APPROVAL', approval_reasons = $4,"
                        + " approval_requested_by = $3, approval_requested_at = now(), approval_decided_by = NULL,"
                        + " approval_decided_at = NULL, approval_denial_reason = NULL,"
                        + " version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, by, reasons.toArray(String[]::new)))
                .compose(x -> find(t, id, false));
    }

    /**
     * The approver's verdict on a pending key: ACTIVE (approved) or REVOKED (denied, with {@code reason}); only a key
     * still pending changes.
     */
    public Future<JsonObject> decideApproval(Tenant t, UUID id, UUID by, boolean approved, String reason) {
        return t.conn()
                .preparedQuery("UPDATE api_keys SET status = CASE WHEN $4::boolean THEN 'ACTIVE' ELSE 'REVOKED' END,"
                        + " previous_hash = CASE WHEN $4::boolean THEN previous_hash END,"
                        + " approval_decided_by = $3, approval_decided_at = now(), approval_denial_reason = $5,"
                        + " version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2 AND status = 'PENDING_APPROVAL'")
                .execute(Tuple.of(t.org(), id, by, approved, reason))
                .compose(x -> find(t, id, false));
    }

    /** The organization's own partners and the platform-wide ones; never another organization's. */
    public Future<Boolean> partnerVisible(Tenant t, UUID partner) {
        return t.conn()
                .preparedQuery(
                        "SELECT 1 FROM partners WHERE id = $2 AND (organization_id IS NULL OR organization_id = $1)")
                .execute(Tuple.of(t.org(), partner))
                .map(rows -> rows.size() == 1);
    }

    public Future<JsonObject> policies(Tenant t) {
        return t.conn()
                .preparedQuery(
                        "SELECT max_key_lifetime_days, expiry_required, allowed_ip_ranges, rate_limit_ceiling_per_minute,"
                                + " rate_limit_default_per_minute, max_keys_per_user, require_if_match, require_on_behalf_of,"
                                + " handoff_lifetime_hours, leak_response," // issue 18
                                + " approval_api_types, approval_permissions, approval_owner_not_admin,"
                                + " unused_key_days" // issue 19
                                + " FROM organization_policies WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    JsonObject p = new JsonObject()
                            .put("maxKeyLifetimeDays", null)
                            .put("expiryRequired", false)
                            .put("allowedIpRanges", new JsonArray())
                            .put("rateLimitDefaultPerMinute", null)
                            .put("rateLimitCeilingPerMinute", null)
                            .put("maxKeysPerUser", DEFAULT_MAX_KEYS_PER_USER)
                            .put("requireIfMatch", false)
                            .put("requireOnBehalfOf", false)
                            .put("handoffLifetimeHours", 72)
                            .put("leakResponse", "REVOKE")
                            .put("approvalApiTypes", new JsonArray())
                            .put("approvalPermissions", new JsonArray())
                            .put("approvalWhenOwnerNotAdmin", false)
                            .put("unusedKeyDays", 90);
                    if (rows.size() == 1) {
                        Row r = rows.iterator().next();
                        p.put("maxKeyLifetimeDays", r.getInteger("max_key_lifetime_days"))
                                .put("expiryRequired", r.getBoolean("expiry_required"))
                                .put(
                                        "allowedIpRanges",
                                        new JsonArray(Arrays.asList(r.getArrayOfStrings("allowed_ip_ranges"))))
                                .put("rateLimitDefaultPerMinute", r.getInteger("rate_limit_default_per_minute"))
                                .put("rateLimitCeilingPerMinute", r.getInteger("rate_limit_ceiling_per_minute"))
                                .put("maxKeysPerUser", r.getInteger("max_keys_per_user"))
                                .put("requireIfMatch", r.getBoolean("require_if_match"))
                                .put("requireOnBehalfOf", r.getBoolean("require_on_behalf_of"))
                                .put("handoffLifetimeHours", r.getInteger("handoff_lifetime_hours"))
                                .put("leakResponse", r.getString("leak_response"))
                                .put(
                                        "approvalApiTypes",
                                        new JsonArray(Arrays.asList(r.getArrayOfStrings("approval_api_types"))))
                                .put(
                                        "approvalPermissions",
                                        new JsonArray(Arrays.asList(r.getArrayOfStrings("approval_permissions"))))
                                .put("approvalWhenOwnerNotAdmin", r.getBoolean("approval_owner_not_admin"))
                                .put("unusedKeyDays", r.getInteger("unused_key_days"));
                    }
                    return p;
                });
    }

    public Future<JsonObject> savePolicies(Tenant t, JsonObject p) {
        return t.conn()
                .preparedQuery(
                        "INSERT INTO organization_policies (organization_id, max_key_lifetime_days, expiry_required,"
                                + " allowed_ip_ranges, rate_limit_ceiling_per_minute, rate_limit_default_per_minute,"
                                + " max_keys_per_user, require_if_match, require_on_behalf_of, handoff_lifetime_hours,"
                                + " leak_response, approval_api_types, approval_permissions, approval_owner_not_admin,"
                                + " unused_key_days)"
                                + " VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, "
                                + DEFAULT_MAX_KEYS_PER_USER + "), COALESCE($8, false), COALESCE($9, false),"
                                + " COALESCE($10, 72), COALESCE($11, 'REVOKE'),"
                                + " COALESCE($12::text[], '{}'), COALESCE($13::text[], '{}'), COALESCE($14::boolean, false),"
                                + " COALESCE($15::integer, 90))"
                                + " ON CONFLICT (organization_id) DO UPDATE SET max_key_lifetime_days = $2, expiry_required = $3,"
                                + " allowed_ip_ranges = $4, rate_limit_ceiling_per_minute = $5,"
                                // absent keeps the cap (a client that does not know it does not reset it)
                                + " rate_limit_default_per_minute = $6,"
                                + " max_keys_per_user = COALESCE($7, organization_policies.max_keys_per_user),"
                                // people-write policies (V11): absent keeps them too
                                + " require_if_match = COALESCE($8, organization_policies.require_if_match),"
                                + " require_on_behalf_of = COALESCE($9, organization_policies.require_on_behalf_of),"
                                // issue 18 (V15): absent keeps them too
                                + " handoff_lifetime_hours = COALESCE($10, organization_policies.handoff_lifetime_hours),"
                                + " leak_response = COALESCE($11, organization_policies.leak_response),"
                                // approval policies (V17): absent keeps them too
                                + " approval_api_types = COALESCE($12, organization_policies.approval_api_types),"
                                + " approval_permissions = COALESCE($13, organization_policies.approval_permissions),"
                                + " approval_owner_not_admin = COALESCE($14, organization_policies.approval_owner_not_admin),"
                                // reminders (V16, issue 19): absent keeps it too
                                + " unused_key_days = COALESCE($15, organization_policies.unused_key_days),"
                                + " updated_at = now()")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    p.getInteger("maxKeyLifetimeDays"),
                    p.getBoolean("expiryRequired"),
                    strings(p.getJsonArray("allowedIpRanges")),
                    p.getInteger("rateLimitCeilingPerMinute"),
                    p.getInteger("rateLimitDefaultPerMinute"),
                    p.getInteger("maxKeysPerUser"),
                    p.getBoolean("requireIfMatch"),
                    p.getBoolean("requireOnBehalfOf"),
                    p.getInteger("handoffLifetimeHours"),
                    p.getString("leakResponse"),
                    p.containsKey("approvalApiTypes") ? strings(p.getJsonArray("approvalApiTypes")) : null,
                    p.containsKey("approvalPermissions") ? strings(p.getJsonArray("approvalPermissions")) : null,
                    p.getBoolean("approvalWhenOwnerNotAdmin"),
                    p.getInteger("unusedKeyDays")
                }))
                .compose(x -> policies(t));
    }

    /**
     * The keys {@code owner} holds that still count against the cap (not revoked), counted under a lock per owner
     * held to the end of the transaction, so two creates at the cap cannot both pass.
     */
    public Future<Long> countOwnedLocked(Tenant t, UUID owner) {
        return t.conn()
                .preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('api-key-owner:' || $1, 0))")
                .execute(Tuple.of(owner.toString()))
                .compose(x -> t.conn()
                        .preparedQuery("SELECT count(*) AS n FROM api_keys"
                                + " WHERE organization_id = $1 AND owner_user_id = $2 AND status <> 'REVOKED'")
                        .execute(Tuple.of(t.org(), owner)))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /**
     * Before the organization is known: the key whose secret hashes to {@code hash} (SECURITY DEFINER). One
     * statement: it needs no transaction around it (one round trip on the pool).
     */
    public Future<Row> byHash(io.vertx.sqlclient.SqlClient conn, byte[] hash) {
        // ADR 0021: the named limits beside the row, in the same statement
        return conn.preparedQuery("SELECT f.*, ks_key_rate_limits(f.organization_id, f.key_id) AS rate_limits,"
                        + " ks_key_quota(f.organization_id, f.key_id) AS quota FROM ks_key_by_hash($1) f")
                .execute(Tuple.of(Buffer.buffer(hash)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Issue 16: the OAuth client whose secret hashes to {@code hash} (SECURITY DEFINER, V14), as {@link #byHash}. */
    public Future<Row> clientByHash(io.vertx.sqlclient.SqlClient conn, byte[] hash) {
        return conn.preparedQuery("SELECT f.*, ks_key_rate_limits(f.organization_id, f.key_id) AS rate_limits,"
                        + " ks_key_quota(f.organization_id, f.key_id) AS quota FROM ks_oauth_client_by_hash($1) f")
                .execute(Tuple.of(Buffer.buffer(hash)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Issue 16: an access token's OAuth client by id, and whether the token's jti was revoked (V14). */
    public Future<Row> clientById(io.vertx.sqlclient.SqlClient conn, UUID client, UUID jti) {
        return conn.preparedQuery("SELECT f.*, ks_key_rate_limits(f.organization_id, f.key_id) AS rate_limits,"
                        + " ks_key_quota(f.organization_id, f.key_id) AS quota FROM ks_oauth_client_by_id($1, $2) f")
                .execute(Tuple.of(client, jti))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    private static UUID uuid(String s) {
        return s == null ? null : UUID.fromString(s);
    }

    private static OffsetDateTime time(String s) {
        return s == null ? null : OffsetDateTime.parse(s);
    }

    private static String[] strings(JsonArray a) {
        return a == null ? new String[0] : a.stream().map(String::valueOf).toArray(String[]::new);
    }

    static String status(String stored, String ownerStatus, OffsetDateTime expiresAt) {
        if (!stored.equals("ACTIVE")) {
            return stored;
        }
        if (!"ACTIVE".equals(ownerStatus)) {
            return "OWNER_INACTIVE";
        }
        if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            return "EXPIRED";
        }
        return "ACTIVE";
    }

    static JsonObject toJson(Row r) {
        Object fields = r.getValue("field_rights");
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("name", r.getString("name"))
                .put("description", r.getString("description"))
                .put("apiType", r.getString("api_type"))
                .put(
                        "owner",
                        new JsonObject()
                                .put("id", r.getUUID("owner_user_id").toString())
                                .put("name", r.getString("owner_name")))
                .put("createdBy", r.getUUID("created_by").toString())
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
                .put(
                        "status",
                        status(r.getString("status"), r.getString("owner_status"), r.getOffsetDateTime("expires_at")))
                .put("hint", r.getString("hint"))
                .put("permissionMode", r.getString("permission_mode"))
                .put("permissions", new JsonArray(Arrays.asList(r.getArrayOfStrings("permissions"))))
                .put("fieldRights", fields instanceof JsonObject f ? f : new JsonObject())
                .put("ipAllowlist", new JsonArray(Arrays.asList(r.getArrayOfStrings("ip_allowlist"))));
        if (r.getUUID("partner_id") != null) {
            j.put("partnerId", r.getUUID("partner_id").toString());
        }
        if (r.getOffsetDateTime("last_used_at") != null) {
            j.put("lastUsedAt", r.getOffsetDateTime("last_used_at").toInstant().toString());
        }
        if (r.getOffsetDateTime("expires_at") != null) {
            j.put("expiresAt", r.getOffsetDateTime("expires_at").toInstant().toString());
        }
        if (r.getInteger("rate_limit_per_minute") != null) {
            j.put("rateLimitPerMinute", r.getInteger("rate_limit_per_minute"));
        }
        j.put(
                RateLimits.FIELD,
                r.getColumnIndex("rate_limits") >= 0 && r.getValue("rate_limits") instanceof JsonArray limits
                        ? limits
                        : new JsonArray());
        j.put("secretHolderUserId", r.getUUID("holder_user_id").toString());
        // issue 16: the kind of credential; an OAuth client's client_id is its id
        j.put("credentialKind", r.getString("credential_kind"));
        if ("OAUTH_CLIENT".equals(r.getString("credential_kind"))) {
            j.put("clientId", r.getUUID("id").toString());
        }
        if (r.getOffsetDateTime("leaked_at") != null) {
            j.put("leakedAt", r.getOffsetDateTime("leaked_at").toInstant().toString()); // issue 18: reported leaked
        }
        j.put("adminRestrictions", new JsonArray(Arrays.asList(r.getArrayOfStrings("admin_restrictions"))));
        EffectiveRights.Suspension suspension = EffectiveRights.suspension(r);
        if (suspension != null && !"REVOKED".equals(r.getString("status"))) {
            j.put("suspendedReason", suspension.name());
        }
        OffsetDateTime grace = r.getOffsetDateTime("previous_valid_until");
        if (grace != null && grace.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            j.put("previousSecretValidUntil", grace.toInstant().toString());
        }
        if (r.getValue("metadata") instanceof JsonObject metadata) {
            j.put("metadata", metadata);
        }
        if (r.getColumnIndex("quota_limit") >= 0 && r.getLong("quota_limit") != null) {
            JsonObject quota = new JsonObject()
                    .put("limit", r.getLong("quota_limit"))
                    .put("period", r.getString("quota_period"))
                    .put("remaining", r.getLong("quota_remaining"));
            if (r.getOffsetDateTime("quota_resets_at") != null) {
                quota.put(
                        "resetsAt",
                        r.getOffsetDateTime("quota_resets_at").toInstant().toString());
            }
            j.put("quota", quota);
        }
        if (r.getOffsetDateTime("approval_requested_at") != null) {
            JsonObject approval = new JsonObject()
                    .put("reasons", new JsonArray(Arrays.asList(r.getArrayOfStrings("approval_reasons"))))
                    .put("requestedBy", r.getUUID("approval_requested_by").toString())
                    .put(
                            "requestedAt",
                            r.getOffsetDateTime("approval_requested_at")
                                    .toInstant()
                                    .toString())
                    .put("revision", r.getLong("version"));
            if (r.getUUID("approval_decided_by") != null) {
                approval.put("decidedBy", r.getUUID("approval_decided_by").toString())
                        .put(
                                "decidedAt",
                                r.getOffsetDateTime("approval_decided_at")
                                        .toInstant()
                                        .toString());
            }
            if (r.getString("approval_denial_reason") != null) {
                approval.put("denialReason", r.getString("approval_denial_reason"));
            }
            // what an INHERIT key would hold: its owner's permissions (the service narrows them to the API type)
            approval.put(
                    "requestedPermissions",
                    new JsonArray(Arrays.asList(
                            "INHERIT".equals(r.getString("permission_mode"))
                                    ? r.getArrayOfStrings("owner_permissions")
                                    : r.getArrayOfStrings("permissions"))));
            j.put("approval", approval);
        }
        return j;
    }

    @Override
    public Future<Void> recordLastUses(Tenant t, List<KeyLastUse.Use> uses) {
        if (uses.isEmpty()) {
            return Future.succeededFuture();
        }
        return t.conn()
                .preparedQuery("UPDATE api_keys SET last_used_at = greatest(last_used_at, $3), last_used_address = $4"
                        + " WHERE organization_id = $1 AND id = $2")
                .executeBatch(uses.stream()
                        .map(u -> Tuple.of(t.org(), u.key(), u.at(), u.address()))
                        .toList())
                .mapEmpty();
    }
}
