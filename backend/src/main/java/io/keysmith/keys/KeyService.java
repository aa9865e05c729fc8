package io.keysmith.keys;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.config.Cidr;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.DomainException;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * The rules of API keys: a key never exceeds its owner (scoped permissions and field rights must be within the
 * owner's, and are intersected again live at every use); only "manage ALL" touches other people's keys; policies
 * (expiry, lifetime, IP ranges) hold on create, update and rotate; revoked is final; the secret is returned by
 * create and rotate only and stored as an HMAC. Every change is audited, never with the secret.
 */
public final class KeyService {
    /** The credential kind of an OAuth client (issue 16); absent or API_KEY: a key. */
    public static final String OAUTH_CLIENT = "OAUTH_CLIENT";

    public static final String MANAGE_ALL = "keys:manage-all";
    public static final String CREATE_OWN = "keys:create-own";
    /** Rows the CSV export reads per transaction while it streams. */
    public static final int EXPORT_PAGE = 200;

    private final Db db;
    private final KeyRepository keys;
    private final UserRepository users;
    private final AccessLevelRepository levels;
    private final AuditRepository audit;
    private final KeyHasher hasher;
    private final ApiTypes apiTypes;
    private final PermissionCatalog catalog;
    private java.util.function.Consumer<UUID> changed = org -> {};

    /** Called with the organization after a committed change that can alter what its keys may do. */
    public void onChange(java.util.function.Consumer<UUID> listener) {
        this.changed = listener;
    }

    public KeyService(
            Db db,
            KeyRepository keys,
            UserRepository users,
            AccessLevelRepository levels,
            AuditRepository audit,
            KeyHasher hasher,
            ApiTypes apiTypes,
            PermissionCatalog catalog) {
        this.db = db;
        this.keys = keys;
        this.users = users;
        this.levels = levels;
        this.audit = audit;
        this.hasher = hasher;
        this.apiTypes = apiTypes;
        this.catalog = catalog;
    }

    public Future<JsonObject> create(Caller caller, JsonObject body, String source) {
        UUID owner = body.getString("ownerUserId") == null
                ? caller.userId()
                : UUID.fromString(body.getString("ownerUserId"));
        if (!owner.equals(caller.userId()) && !caller.rights().has(MANAGE_ALL)) {
            return Future.failedFuture(
                    forbidden("Creating a key for another user needs 'manage ALL organization API credentials'"));
        }
        ApiTypes.ApiType type = apiTypes.get(body.getString("apiType"));
        if (type == null) {
            return Future.failedFuture(new Invalid("apiType", "Field 'apiType' names no API type"));
        }
        KeyApprovals.checkMetadata(body);
        if (body.containsKey(RateLimits.FIELD)) {
            RateLimits.check(body.getValue(RateLimits.FIELD)); // ADR 0021: 400 before anything is read or written
        }
        // issue 16: an OAuth client is created by the same rules; only its secret's prefix and audit action differ
        boolean client = OAUTH_CLIENT.equals(body.getString("credentialKind"));
        String secret = KeyFormat.generate(client ? KeyFormat.CLIENT_SECRET_PREFIX : KeyFormat.PREFIX);
        ServerSecret.Version version = hasher.secret().current();
        UUID partner = body.getString("partnerId") == null ? null : UUID.fromString(body.getString("partnerId"));
        // governance: why the organization's policy holds this key for approval (empty: it is active at once)
        List<String> approval = new java.util.ArrayList<>(3);
        return db.inOrganization(
                caller.organizationId(),
                t -> (partner == null ? Future.succeededFuture(true) : keys.partnerVisible(t, partner))
                        .compose(seen -> seen
                                ? activeOwnerRights(t, owner)
                                : Future.failedFuture(new Invalid("partnerId", "Field 'partnerId' names no partner")))
                        .compose(ownerRights -> checkGrant(body, ownerRights, type, true)
                                .compose(x -> keys.policies(t))
                                .map(p -> approval.addAll(KeyApprovals.reasons(
                                        p, type, KeyApprovals.requested(body, ownerRights, type), ownerRights))))
                        .compose(x -> owner.equals(caller.userId())
                                ? Future.succeededFuture()
                                : checkHolderGrant(body, caller.rights(), true))
                        .compose(x -> checkPolicies(t, body, null))
                        .compose(x -> checkRateLimit(t, body))
                        .compose(x -> checkRateLimits(t, body))
                        .compose(x -> checkKeyCap(t, owner))
                        .compose(x -> keys.insert(
                                t,
                                owner,
                                caller.userId(),
                                body,
                                hasher.hash(secret, version),
                                version.id(),
                                KeyFormat.hint(secret),
                                owner.equals(caller.userId())
                                        ? java.util.Set.of()
                                        : restrictionsSetIn(body, new java.util.TreeSet<>()),
                                approval))
                        .compose(key -> storeRateLimits(t, key, body))
                        .compose(key -> body.getJsonObject("quota") == null
                                ? Future.succeededFuture(key)
                                : keys.setQuota(t, UUID.fromString(key.getString("id")), body.getJsonObject("quota"))
                                        .compose(x -> keys.find(t, UUID.fromString(key.getString("id")), false))
                                        .map(k -> key.put("quota", k.getJsonObject("quota"))))
                        .compose(key -> (approval.isEmpty()
                                        ? Future.succeededFuture(key)
                                        : requested(t, caller, key, approval, source))
                                .map(x -> key))
                        .compose(key -> audit.append(
                                        t,
                                        AuditEvent.by(
                                                        caller.userId(),
                                                        client ? "oauth_client.created" : "api-key.created",
                                                        "api-key",
                                                        key.getString("id"),
                                                        source)
                                                .with("name", key.getString("name"))
                                                .with("ownerUserId", owner.toString())
                                                .with(
                                                        "secretHolderUserId",
                                                        caller.userId().toString())
                                                .with("apiType", type.name())
                                                .with("permissionMode", key.getString("permissionMode"))
                                                .with("permissions", key.getJsonArray("permissions")))
                                .map(x -> new JsonObject()
                                        .put("key", present(key))
                                        .put("secret", secret))));
    }

    /** The audit event that asks the organization's credential administrators to decide (webhooks notify them). */
    private Future<Void> requested(Tenant t, Caller caller, JsonObject key, List<String> reasons, String source) {
        JsonObject approval = present(key).getJsonObject("approval");
        return audit.append(
                        t,
                        AuditEvent.by(
                                        caller.userId(),
                                        "credential.approval_requested",
                                        "api-key",
                                        key.getString("id"),
                                        source)
                                .with("name", key.getString("name"))
                                .with("ownerUserId", key.getJsonObject("owner").getString("id"))
                                .with("requestedBy", caller.userId().toString())
                                .with("reasons", new JsonArray(List.copyOf(reasons)))
                                .with("apiType", key.getString("apiType"))
                                .with("permissionMode", key.getString("permissionMode"))
                                .with(
                                        "requestedPermissions",
                                        approval == null
                                                ? new JsonArray()
                                                : approval.getJsonArray("requestedPermissions")))
                .mapEmpty();
    }

    /**
     * A key as callers see it: an INHERIT key's requested permissions narrowed to what its API type lets it inherit
     * (the repository knows no API types).
     */
    private JsonObject present(JsonObject key) {
        JsonObject approval = key == null ? null : key.getJsonObject("approval");
        if (approval != null && "INHERIT".equals(key.getString("permissionMode"))) {
            ApiTypes.ApiType type = apiTypes.get(key.getString("apiType"));
            JsonArray narrowed = new JsonArray();
            approval.getJsonArray("requestedPermissions").forEach(p -> {
                if (type != null && type.inheritable().contains(p)) {
                    narrowed.add(p);
                }
            });
            approval.put("requestedPermissions", narrowed);
        }
        return key;
    }

    private JsonArray present(JsonArray keys) {
        keys.forEach(k -> present((JsonObject) k));
        return keys;
    }

    /**
     * The approver's verdict on a pending key (issue 20 item 1): only another credential administrator than its
     * owner and its requester decides, on the revision they read (so they approve exactly the rights they saw), and
     * never grants what they do not hold themselves. Approval activates it; denial revokes it, with the reason.
     */
    public Future<JsonObject> decideApproval(
            Caller caller, UUID id, boolean approve, long revision, String reason, String source) {
        return change(caller, id, approve ? "credential.approved" : "credential.denied", source, (t, key) -> {
            JsonObject approval = key.getJsonObject("approval");
            if (!"PENDING_APPROVAL".equals(key.getString("status")) || approval == null) {
                return Future.failedFuture(new Conflict("not-pending", "This key is not awaiting approval"));
            }
            String owner = key.getJsonObject("owner").getString("id");
            String me = caller.userId().toString();
            if (me.equals(owner) || me.equals(approval.getString("requestedBy"))) {
                return Future.failedFuture(
                        forbidden("Nobody decides on their own request: another credential administrator must"));
            }
            if (approval.getLong("revision") != revision) {
                return Future.failedFuture(new Conflict(
                        "approval-stale",
                        "The key changed since revision " + revision + " (now "
                                + approval.getLong("revision")
                                + "): read it again and decide on what it requests now"));
            }
            return (approve ? checkHolderGrant(key, caller.rights(), false) : Future.<Void>succeededFuture())
                    .compose(x -> keys.decideApproval(t, id, caller.userId(), approve, reason))
                    .map(after -> {
                        JsonObject details = new JsonObject()
                                .put("requestedBy", approval.getString("requestedBy"))
                                .put("reasons", approval.getJsonArray("reasons"))
                                .put("permissions", after.getJsonArray("permissions"));
                        if (reason != null) {
                            details.put("reason", reason);
                        }
                        return new Change(after, details);
                    });
        });
    }

    public Future<JsonArray> listMine(Caller caller, UUID after, int limit) {
        return db.inOrganization(
                        caller.organizationId(), t -> keys.list(t, KeyListQuery.own(caller.userId()), after, limit))
                .map(this::present);
    }

    /** A page of every key (the operation demands "manage ALL"); also the export's pages. */
    public Future<JsonArray> listAll(Caller caller, KeyListQuery query, UUID after, int limit) {
        return db.inOrganization(caller.organizationId(), t -> keys.list(t, query, after, limit))
                .map(this::present);
    }

    /** One key's outcome in a bulk change: the changed key, or why it was not changed. */
    public record BulkOutcome(UUID keyId, JsonObject key, Throwable failure) {}

    /**
     * Disables, enables or revokes each key on its own, in its own transaction and audit event, under exactly the
     * rules of the single operation; one key's refusal does not stop the others. The contract bounds the list.
     */
    public Future<List<BulkOutcome>> bulkStatus(Caller caller, List<UUID> ids, String status, String source) {
        List<BulkOutcome> out = new java.util.ArrayList<>(ids.size());
        Future<Void> chain = Future.succeededFuture();
        for (UUID id : ids) {
            chain = chain.compose(x -> setStatus(caller, id, status, source)
                    .map(key -> new BulkOutcome(id, key, null))
                    .otherwise(e -> new BulkOutcome(id, null, e))
                    .map(o -> {
                        out.add(o);
                        return null;
                    }));
        }
        return chain.map(x -> out);
    }

    public Future<JsonObject> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), t -> keys.find(t, id, false))
                .map(k -> present(visible(caller, k)));
    }

    public Future<JsonObject> update(Caller caller, UUID id, JsonObject changes, String source) {
        KeyApprovals.checkMetadata(changes);
        return change(
                caller, id, "api-key.updated", source, (t, key) -> applyUpdate(t, caller, id, key, changes, source));
    }

    /** A key's rights as stored and as they work now (EffectiveRights), for least privilege (issue 20). */
    public record GrantedRights(
            UUID keyId,
            String name,
            String apiType,
            UUID ownerId,
            String ownerName,
            OffsetDateTime createdAt,
            String permissionMode,
            List<String> storedPermissions,
            JsonObject storedFieldRights,
            Rights effective) {}

    /** The active keys of the caller's organization (or one, or one owner's) with their rights; no rule applied. */
    public Future<List<GrantedRights>> granted(Tenant t, UUID key, UUID owner) {
        return keys.rightsRows(t, key, owner)
                .map(rows -> rows.stream()
                        .map(r -> {
                            Object fields = r.getValue("key_field_rights");
                            return new GrantedRights(
                                    r.getUUID("id"),
                                    r.getString("name"),
                                    r.getString("api_type"),
                                    r.getUUID("owner_user_id"),
                                    r.getString("owner_name"),
                                    r.getOffsetDateTime("created_at"),
                                    r.getString("permission_mode"),
                                    List.of(r.getArrayOfStrings("key_permissions")),
                                    fields instanceof JsonObject f ? f : null,
                                    EffectiveRights.of(r, apiTypes.get(r.getString("api_type"))));
                        })
                        .toList());
    }

    /** A change of a key's rights made by another feature on a person's click (least privilege's reduce, undo). */
    public interface RightsChange {
        /** Given the key as locked for update (same transaction): the update to apply, or a failure. */
        Future<JsonObject> changes(Tenant t, JsonObject key);

        /** After the update, same transaction: the audit's details of the change. */
        Future<JsonObject> applied(Tenant t, JsonObject before, JsonObject after);
    }

    /**
     * The same rules as {@link #update} (visibility, revoked is final, a key never exceeds its owner, nobody grants
     * what they lack), audited under {@code action} in the same transaction.
     */
    public Future<JsonObject> changeRights(Caller caller, UUID id, String action, String source, RightsChange rc) {
        return change(
                caller,
                id,
                action,
                source,
                (t, key) -> rc.changes(t, key)
                        .compose(changes -> applyUpdate(t, caller, id, key, changes, source)
                                .compose(c ->
                                        rc.applied(t, key, c.key()).map(details -> new Change(c.key(), details)))));
    }

    private Future<Change> applyUpdate(
            Tenant t, Caller caller, UUID id, JsonObject key, JsonObject changes, String source) {
        JsonObject merged = key.copy().mergeIn(changes);
        UUID owner = UUID.fromString(key.getJsonObject("owner").getString("id"));
        boolean byOwner = owner.equals(caller.userId());
        boolean grants = changes.containsKey("permissions")
                || changes.containsKey("fieldRights")
                || changes.containsKey("permissionMode");
        java.util.Set<String> restrictions = restrictions(key);
        try {
            if (changes.containsKey(RateLimits.FIELD)) {
                RateLimits.check(changes.getValue(RateLimits.FIELD));
            }
            restrictions = restrictionsAfterUpdate(caller, byOwner, key, changes, restrictions);
        } catch (DomainException p) {
            return Future.failedFuture(p);
        }
        java.util.Set<String> after = restrictions;
        ApiTypes.ApiType type = apiTypes.get(key.getString("apiType"));
        boolean[] reapprove = new boolean[1];
        return ownerRights(t, owner)
                .compose(ownerRights -> checkGrant(merged, ownerRights, type, true)
                        // governance: rights grown into what the approval policy gates need approval again
                        .compose(x -> grants && !"PENDING_APPROVAL".equals(key.getString("status"))
                                ? keys.policies(t)
                                        .map(p -> reapprove[0] = KeyApprovals.newlyGated(
                                                p,
                                                KeyApprovals.requested(key, ownerRights, type),
                                                KeyApprovals.requested(merged, ownerRights, type)))
                                : Future.succeededFuture(false))
                        .mapEmpty())
                // nobody grants a key what they do not hold themselves, even one whose secret they never see
                .compose(x ->
                        byOwner || !grants ? Future.succeededFuture() : checkHolderGrant(merged, caller.rights(), true))
                // only what changes is held to today's policies: renaming a key made under older ones works
                .compose(x -> checkPolicies(t, merged, changes.fieldNames()))
                .compose(x -> changes.containsKey("rateLimitPerMinute")
                        ? checkRateLimit(t, changes)
                        : Future.succeededFuture())
                .compose(x -> changes.containsKey(RateLimits.FIELD)
                        ? checkRateLimits(t, changes)
                                .compose(y -> keys.setRateLimits(t, id, changes.getJsonArray(RateLimits.FIELD)))
                        : Future.succeededFuture())
                .compose(x -> changes.containsKey("quota")
                        ? keys.setQuota(t, id, changes.getJsonObject("quota"))
                        : Future.succeededFuture())
                .compose(x -> keys.update(t, id, changes, after))
                .compose(updated -> reapprove[0]
                        ? keys.requestApproval(t, id, caller.userId(), List.of(KeyApprovals.PERMISSION))
                                .compose(pending -> requested(
                                                t, caller, pending, List.of(KeyApprovals.PERMISSION), source)
                                        .map(pending))
                        : Future.succeededFuture(updated))
                .map(updated -> new Change(
                        updated,
                        new JsonObject()
                                .put(
                                        "fields",
                                        new JsonArray(changes.fieldNames().stream()
                                                .sorted()
                                                .toList()))
                                .put("permissions", updated.getJsonArray("permissions"))));
    }

    public Future<JsonObject> setStatus(Caller caller, UUID id, String status, String source) {
        String action = switch (status) {
            case "DISABLED" -> "api-key.disabled";
            case "ACTIVE" -> "api-key.enabled";
            default -> "api-key.revoked";
        };
        return change(caller, id, action, source, (t, key) -> {
            boolean byOwner =
                    caller.userId().toString().equals(key.getJsonObject("owner").getString("id"));
            java.util.Set<String> restrictions = restrictions(key);
            if ("PENDING_APPROVAL".equals(key.getString("status")) && !status.equals("REVOKED")) {
                // only an approval activates a pending key; withdrawing it (revoke) is always possible
                return Future.failedFuture(new Conflict(
                        "pending-approval",
                        "This key awaits approval: a credential administrator approves or denies it"));
            }
            if (status.equals("DISABLED") && !byOwner) {
                restrictions.add(DISABLED);
            }
            if (status.equals("ACTIVE")) {
                if (restrictions.contains(DISABLED) && !caller.rights().has(MANAGE_ALL)) {
                    return Future.failedFuture(forbidden("This key was disabled by an administrator: only an"
                            + " administrator ('manage ALL organization API credentials') can enable it"));
                }
                restrictions.remove(DISABLED);
            }
            return keys.setStatus(t, id, status, caller.userId(), restrictions)
                    .map(after -> new Change(after, new JsonObject()));
        });
    }

    public Future<JsonObject> rotate(Caller caller, UUID id, int graceSeconds, String source) {
        ServerSecret.Version version = hasher.secret().current();
        JsonObject[] result = new JsonObject[1];
        String[] generated = new String[1]; // the new secret keeps its kind's prefix (issue 16)
        return change(
                        caller,
                        id,
                        "api-key.rotated",
                        source,
                        (t, key) -> mayHold(t, caller, key)
                                .compose(x -> checkPolicies(t, key, null))
                                .compose(x -> {
                                    String secret = KeyFormat.generate(
                                            OAUTH_CLIENT.equals(key.getString("credentialKind"))
                                                    ? KeyFormat.CLIENT_SECRET_PREFIX
                                                    : KeyFormat.PREFIX);
                                    generated[0] = secret;
                                    OffsetDateTime graceUntil =
                                            OffsetDateTime.now(ZoneOffset.UTC).plus(Duration.ofSeconds(graceSeconds));
                                    if (key.getString("expiresAt") != null) {
                                        OffsetDateTime expires = OffsetDateTime.parse(key.getString("expiresAt"));
                                        graceUntil = graceUntil.isAfter(expires)
                                                ? expires
                                                : graceUntil; // never past the key's expiry
                                    }
                                    return keys.rotate(
                                                    t,
                                                    id,
                                                    hasher.hash(secret, version),
                                                    version.id(),
                                                    KeyFormat.hint(secret),
                                                    graceUntil,
                                                    caller.userId())
                                            .map(after -> new Change(
                                                    after,
                                                    new JsonObject()
                                                            .put("gracePeriodSeconds", graceSeconds)
                                                            .put(
                                                                    "secretHolderUserId",
                                                                    caller.userId()
                                                                            .toString())));
                                }))
                .map(key -> new JsonObject().put("key", key).put("secret", generated[0]));
    }

    public Future<JsonObject> transfer(Caller caller, UUID id, UUID newOwner, String source) {
        return change(
                caller,
                id,
                "api-key.transferred",
                source,
                (t, key) -> activeOwnerRights(t, newOwner)
                        .compose(ownerRights ->
                                checkGrant(key, ownerRights, apiTypes.get(key.getString("apiType")), false))
                        .compose(x -> newOwner.toString()
                                        .equals(key.getJsonObject("owner").getString("id"))
                                ? Future.succeededFuture()
                                : checkKeyCap(t, newOwner))
                        .compose(x -> keys.transfer(t, id, newOwner, caller.userId()))
                        .map(after -> new Change(
                                after,
                                new JsonObject()
                                        .put(
                                                "fromUserId",
                                                key.getJsonObject("owner").getString("id"))
                                        .put("toUserId", newOwner.toString())
                                        .put(
                                                "secretHolderUserId",
                                                caller.userId().toString()))));
    }

    public Future<JsonObject> policies(Caller caller) {
        return db.inOrganization(caller.organizationId(), keys::policies);
    }

    public Future<JsonObject> savePolicies(Caller caller, JsonObject p, String source) {
        JsonArray ranges = p.getJsonArray("allowedIpRanges");
        for (int i = 0; i < ranges.size(); i++) {
            parseCidr(ranges.getString(i), "allowedIpRanges." + i);
        }
        Integer rateDefault = p.getInteger("rateLimitDefaultPerMinute");
        Integer ceiling = p.getInteger("rateLimitCeilingPerMinute");
        if (rateDefault != null && ceiling != null && rateDefault > ceiling) {
            throw new Invalid(
                    "rateLimitDefaultPerMinute",
                    "Field 'rateLimitDefaultPerMinute': the default (" + rateDefault + ") is above the ceiling ("
                            + ceiling + ")");
        }
        return db.inOrganization(
                        caller.organizationId(),
                        t -> keys.policies(t)
                                .compose(before -> keys.savePolicies(t, p)
                                        .compose(saved -> audit.append(
                                                        t,
                                                        AuditEvent.by(
                                                                        caller.userId(),
                                                                        "policy.changed",
                                                                        "organization",
                                                                        caller.organizationId(),
                                                                        source)
                                                                .with("policies", saved)
                                                                .changed(AuditEvent.differing(
                                                                        before, saved, saved.fieldNames())))
                                                .map(saved))))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    /** A key's own rate limit is never above the organization's ceiling (the verifier also caps it, live). */
    private Future<Void> checkRateLimit(Tenant t, JsonObject key) {
        Integer rate = key.getInteger("rateLimitPerMinute");
        if (rate == null) {
            return Future.succeededFuture();
        }
        return keys.policies(t).compose(p -> {
            Integer ceiling = p.getInteger("rateLimitCeilingPerMinute");
            if (ceiling != null && rate > ceiling) {
                return Future.failedFuture(policy(
                        "The organization allows at most " + ceiling + " requests a minute per key",
                        "rateLimitPerMinute"));
            }
            return Future.succeededFuture();
        });
    }

    /** ADR 0021: no named limit above the organization's ceiling (a rate: ceiling x window / 60). */
    private Future<Void> checkRateLimits(Tenant t, JsonObject key) {
        JsonArray limits = key.getJsonArray(RateLimits.FIELD);
        if (limits == null || limits.isEmpty()) {
            return Future.succeededFuture();
        }
        return keys.policies(t).compose(p -> {
            Integer ceiling = p.getInteger("rateLimitCeilingPerMinute");
            String above = RateLimits.aboveCeiling(limits, ceiling);
            return above == null
                    ? Future.succeededFuture()
                    : Future.failedFuture(policy(
                            "The organization allows at most " + ceiling + " requests a minute per key: the limit '"
                                    + above + "' is above that rate",
                            RateLimits.FIELD));
        });
    }

    /** A new key's named limits, written beside the insert (same transaction). */
    private Future<JsonObject> storeRateLimits(Tenant t, JsonObject key, JsonObject body) {
        JsonArray limits = body.getJsonArray(RateLimits.FIELD);
        if (limits == null || limits.isEmpty()) {
            return Future.succeededFuture(key);
        }
        return keys.setRateLimits(t, UUID.fromString(key.getString("id")), limits)
                .map(x -> key.put(RateLimits.FIELD, limits.copy()));
    }

    /** The organization's cap on keys per user (policy maxKeysPerUser): each key has its own rate budget. */
    private Future<Void> checkKeyCap(Tenant t, UUID owner) {
        return keys.policies(t)
                .compose(p -> keys.countOwnedLocked(t, owner).compose(n -> {
                    int cap = p.getInteger("maxKeysPerUser");
                    if (n >= cap) {
                        return Future.failedFuture(new Conflict(
                                "key-limit-reached",
                                "This user already holds " + n + " keys, the organization's limit of " + cap
                                        + " (policy maxKeysPerUser): revoke one first"));
                    }
                    return Future.succeededFuture();
                }));
    }

    private record Change(JsonObject key, JsonObject details) {}

    private interface ChangeFn {
        Future<Change> apply(Tenant t, JsonObject key);
    }

    /** Loads the key for update, applies the ownership rules and "revoked is final", runs the change, audits it. */
    private Future<JsonObject> change(Caller caller, UUID id, String action, String source, ChangeFn fn) {
        return db.inOrganization(
                        caller.organizationId(),
                        t -> keys.find(t, id, true).compose(key -> {
                            visible(caller, key);
                            if (action.equals("api-key.transferred")
                                    && !caller.rights().has(MANAGE_ALL)) {
                                return Future.failedFuture(
                                        forbidden("Transferring keys needs 'manage ALL organization API credentials'"));
                            }
                            if ("REVOKED".equals(key.getString("status"))) {
                                return Future.failedFuture(
                                        new Conflict("api-key-revoked", "A revoked key cannot be changed"));
                            }
                            return fn.apply(t, key)
                                    .compose(c -> audit.append(
                                                    t,
                                                    AuditEvent.by(caller.userId(), action, "api-key", id, source)
                                                            .with(
                                                                    "name",
                                                                    c.key().getString("name"))
                                                            // the audit names the caller (actor) and the owner
                                                            .with(
                                                                    "ownerUserId",
                                                                    key.getJsonObject("owner")
                                                                            .getString("id"))
                                                            .with("change", c.details()))
                                            .map(present(c.key())));
                        }))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    /** Own keys, or every key with "manage ALL"; anything else does not exist for the caller. */
    private static JsonObject visible(Caller caller, JsonObject key) {
        if (key == null
                || (!caller.rights().has(MANAGE_ALL)
                        && !caller.userId()
                                .toString()
                                .equals(key.getJsonObject("owner").getString("id")))) {
            throw new NotFound("No such API key");
        }
        return key;
    }

    private Future<Rights> ownerRights(Tenant t, UUID owner) {
        return users.find(t, owner).compose(user -> {
            if (user == null) {
                return Future.failedFuture(new Invalid("ownerUserId", "Field 'ownerUserId' names no user"));
            }
            return levels.find(
                            t, UUID.fromString(user.getJsonObject("accessLevel").getString("id")))
                    .map(level -> Rights.fromJson(level))
                    .map(r -> new Rights(r.builtin(), r.recordScope(), r.fieldRights(), r.permissions()));
        });
    }

    private Future<Rights> activeOwnerRights(Tenant t, UUID owner) {
        return users.find(t, owner).compose(user -> {
            if (user == null) {
                return Future.failedFuture(new Invalid("ownerUserId", "Field 'ownerUserId' names no user"));
            }
            if (!"ACTIVE".equals(user.getString("status"))) {
                return Future.failedFuture(new Conflict("owner-inactive", "The owner is deactivated"));
            }
            return ownerRights(t, owner);
        });
    }

    static final String DISABLED = "DISABLED";
    static final String EXPIRES_AT = "EXPIRES_AT";
    static final String IP_ALLOWLIST = "IP_ALLOWLIST";
    static final String RATE_LIMIT = "RATE_LIMIT";
    /** ADR 0021: the named rate limits, set by an admin. */
    static final String RATE_LIMITS = "RATE_LIMITS";
    /** ADR 0015: the usage quota, set by an admin. */
    static final String QUOTA = "QUOTA";

    private static java.util.Set<String> restrictions(JsonObject key) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        key.getJsonArray("adminRestrictions", new JsonArray()).forEach(o -> out.add((String) o));
        return out;
    }

    /** The restrictions an admin sets by creating a key for someone else with them. */
    private static java.util.Set<String> restrictionsSetIn(JsonObject body, java.util.Set<String> into) {
        if (body.getString("expiresAt") != null) {
            into.add(EXPIRES_AT);
        }
        if (!body.getJsonArray("ipAllowlist", new JsonArray()).isEmpty()) {
            into.add(IP_ALLOWLIST);
        }
        if (body.getInteger("rateLimitPerMinute") != null) {
            into.add(RATE_LIMIT);
        }
        if (!body.getJsonArray(RateLimits.FIELD, new JsonArray()).isEmpty()) {
            into.add(RATE_LIMITS);
        }
        if (body.getJsonObject("quota") != null) {
            into.add(QUOTA);
        }
        return into;
    }

    /**
     * An expiry, IP allowlist or rate limit set by an admin (someone other than the owner) is loosened only by a caller holding
     * "manage ALL"; the owner may still tighten it, and it stays the admin's. An admin's change makes it theirs (or
     * drops it when they clear it); an owner who holds "manage ALL" is an admin of their own key.
     */
    private static java.util.Set<String> restrictionsAfterUpdate(
            Caller caller, boolean byOwner, JsonObject key, JsonObject changes, java.util.Set<String> restrictions) {
        boolean admin = caller.rights().has(MANAGE_ALL);
        if (changes.containsKey("expiresAt")) {
            String before = key.getString("expiresAt");
            String after = changes.getString("expiresAt");
            boolean looser = after == null
                    ? before != null
                    : before != null && OffsetDateTime.parse(after).isAfter(OffsetDateTime.parse(before));
            if (!byOwner || admin) {
                if (!byOwner && after != null) {
                    restrictions.add(EXPIRES_AT);
                } else {
                    restrictions.remove(EXPIRES_AT);
                }
            } else if (restrictions.contains(EXPIRES_AT) && looser) {
                throw Forbidden.because(
                        "An administrator set this key's expiry: only an administrator can clear or extend it",
                        "expiresAt");
            }
        }
        if (changes.containsKey("ipAllowlist")) {
            JsonArray before = key.getJsonArray("ipAllowlist", new JsonArray());
            JsonArray after = changes.getJsonArray("ipAllowlist", new JsonArray());
            if (!byOwner || admin) {
                if (!byOwner && !after.isEmpty()) {
                    restrictions.add(IP_ALLOWLIST);
                } else {
                    restrictions.remove(IP_ALLOWLIST);
                }
            } else if (restrictions.contains(IP_ALLOWLIST) && looser(before, after)) {
                throw Forbidden.because(
                        "An administrator set this key's IP allowlist: only an administrator can widen or remove it",
                        "ipAllowlist");
            }
        }
        if (changes.containsKey("rateLimitPerMinute")) {
            Integer before = key.getInteger("rateLimitPerMinute");
            Integer after = changes.getInteger("rateLimitPerMinute");
            // no limit of its own means the default, which may be higher: clearing an admin's limit loosens it
            boolean looser = before != null && (after == null || after > before);
            if (!byOwner || admin) {
                if (!byOwner && after != null) {
                    restrictions.add(RATE_LIMIT);
                } else {
                    restrictions.remove(RATE_LIMIT);
                }
            } else if (restrictions.contains(RATE_LIMIT) && looser) {
                throw Forbidden.because(
                        "An administrator set this key's rate limit: only an administrator can raise or clear it",
                        "rateLimitPerMinute");
            }
        }
        if (changes.containsKey(RateLimits.FIELD)) {
            JsonArray after = changes.getJsonArray(RateLimits.FIELD);
            // the same rule for the named limits (ADR 0021): the owner may add or tighten an admin's, never loosen
            if (!byOwner || admin) {
                if (!byOwner && !after.isEmpty()) {
                    restrictions.add(RATE_LIMITS);
                } else {
                    restrictions.remove(RATE_LIMITS);
                }
            } else if (restrictions.contains(RATE_LIMITS)
                    && RateLimits.looser(key.getJsonArray(RateLimits.FIELD), after)) {
                throw Forbidden.because(
                        "An administrator set this key's named rate limits: only an administrator can raise, widen"
                                + " or remove them",
                        RateLimits.FIELD);
            }
        }
        if (changes.containsKey("quota")) {
            JsonObject after = changes.getJsonObject("quota");
            // the same rule for the usage quota: the owner may lower an admin's, never raise, lengthen or remove it
            if (!byOwner || admin) {
                if (!byOwner && after != null) {
                    restrictions.add(QUOTA);
                } else {
                    restrictions.remove(QUOTA);
                }
            } else if (restrictions.contains(QUOTA) && looserQuota(key.getJsonObject("quota"), after)) {
                throw Forbidden.because(
                        "An administrator set this key's usage quota: only an administrator can raise, lengthen"
                                + " or remove it",
                        "quota");
            }
        }
        return restrictions;
    }

    /**
     * Whether {@code after} may let the key do more than {@code before}: no quota, another period, or a limit not
     * lower (setting the same quota again starts it full, so that is looser too).
     */
    private static boolean looserQuota(JsonObject before, JsonObject after) {
        return before != null
                && (after == null
                        || !after.getString("period").equals(before.getString("period"))
                        || after.getLong("limit") >= before.getLong("limit"));
    }

    /** Whether {@code after} admits an address {@code before} does not (an empty allowlist admits every address). */
    private static boolean looser(JsonArray before, JsonArray after) {
        if (before.isEmpty()) {
            return false;
        }
        if (after.isEmpty()) {
            return true;
        }
        for (Object a : after) {
            Cidr inner = parseCidr((String) a, "ipAllowlist");
            if (before.stream().noneMatch(b -> within(inner, parseCidr((String) b, "ipAllowlist")))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whoever receives a key's secret must hold the right by which they hold it (ADR 0009): its owner "create own API
     * keys" (or "manage ALL"), anyone else "manage ALL" (which {@code visible} already demanded).
     */
    private Future<Void> mayHold(Tenant t, Caller caller, JsonObject key) {
        boolean byOwner =
                caller.userId().toString().equals(key.getJsonObject("owner").getString("id"));
        if (byOwner && !caller.rights().has(CREATE_OWN) && !caller.rights().has(MANAGE_ALL)) {
            return Future.failedFuture(forbidden(
                    "Rotating your key needs 'create own API keys', which your access level no longer grants"));
        }
        return Future.succeededFuture();
    }

    /**
     * A SCOPED key made or changed by someone other than its owner grants nothing that caller does not hold: nobody
     * grants what they lack (the key is also bounded live by its holder, see EffectiveRights).
     */
    private Future<Void> checkHolderGrant(JsonObject key, Rights caller, boolean named) {
        if (!"SCOPED".equals(key.getString("permissionMode"))) {
            return Future.succeededFuture();
        }
        JsonArray permissions = key.getJsonArray("permissions", new JsonArray());
        Rights wanted = Rights.fromJson(new JsonObject()
                .put("recordScope", "OWN")
                .put("fieldRights", key.getJsonObject("fieldRights", new JsonObject()))
                .put("permissions", permissions));
        Rights.Uncovered missing = caller.firstNotCovered(wanted);
        if (missing != null) {
            return Future.failedFuture(Forbidden.escalation(
                    "You cannot give a key " + missing.description() + ": you do not hold it yourself",
                    named ? missing.field(permissions) : null));
        }
        return Future.succeededFuture();
    }

    /**
     * A key never exceeds its owner: a SCOPED key's permissions and field rights must be held by the owner (and
     * must be permissions the key's API type uses); the owner must be allowed to have keys at all. With {@code named}
     * (create, update: the key's rights are the request's, or the stored ones it leaves unchanged) a refusal names the
     * key's part in {@code field} as the request validator does: {@code permissions.<index>}, {@code
     * fieldRights.<field>}.
     */
    private Future<Void> checkGrant(JsonObject key, Rights owner, ApiTypes.ApiType type, boolean named) {
        if (!owner.has(CREATE_OWN) && !owner.has(MANAGE_ALL)) {
            return Future.failedFuture(
                    forbidden("The key's owner may not hold API keys (no 'create own API keys' permission)"));
        }
        if (!"SCOPED".equals(key.getString("permissionMode"))) {
            return Future.succeededFuture();
        }
        JsonArray permissions = key.getJsonArray("permissions", new JsonArray());
        for (int i = 0; i < permissions.size(); i++) {
            Object p = permissions.getValue(i);
            if (!catalog.isGrantable((String) p)) {
                return Future.failedFuture(
                        new Invalid("permissions." + i, "Permission '" + p + "' is not in the permission catalog"));
            }
            if (!type.permissions().contains(p)) {
                return Future.failedFuture(new Invalid(
                        "permissions." + i, "Permission '" + p + "' is outside the API type " + type.title()));
            }
        }
        Rights wanted = Rights.fromJson(new JsonObject()
                .put("recordScope", "OWN")
                .put("fieldRights", key.getJsonObject("fieldRights", new JsonObject()))
                .put("permissions", permissions));
        Rights.Uncovered missing = owner.firstNotCovered(wanted);
        if (missing != null) {
            return Future.failedFuture(Forbidden.escalation(
                    "A key cannot hold " + missing.description() + ": its owner does not",
                    named ? missing.field(permissions) : null));
        }
        return Future.succeededFuture();
    }

    /** {@code fields}: the fields to check (null: all of them). */
    private Future<Void> checkPolicies(Tenant t, JsonObject key, java.util.Set<String> fields) {
        return keys.policies(t).compose(p -> {
            String expires = key.getString("expiresAt");
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            if (fields != null && !fields.contains("expiresAt")) {
                expires = null;
                p = p.copy().put("expiryRequired", false).putNull("maxKeyLifetimeDays");
            }
            if (fields != null && !fields.contains("ipAllowlist")) {
                p = p.copy().put("allowedIpRanges", new JsonArray());
            }
            if (expires != null && !OffsetDateTime.parse(expires).isAfter(now)) {
                return Future.failedFuture(new Invalid("expiresAt", "Field 'expiresAt' must be in the future"));
            }
            if (p.getBoolean("expiryRequired") && expires == null) {
                return Future.failedFuture(
                        policy("The organization requires every key to have an expiry", "expiresAt"));
            }
            Integer maxDays = p.getInteger("maxKeyLifetimeDays");
            if (maxDays != null
                    && (expires == null || OffsetDateTime.parse(expires).isAfter(now.plusDays(maxDays)))) {
                return Future.failedFuture(
                        policy("Keys may live at most " + maxDays + " days: set 'expiresAt' within that", "expiresAt"));
            }
            List<Cidr> allowed = p.getJsonArray("allowedIpRanges").stream()
                    .map(c -> parseCidr((String) c, "allowedIpRanges"))
                    .toList();
            JsonArray allowlist = key.getJsonArray("ipAllowlist", new JsonArray());
            if (!allowed.isEmpty() && allowlist.isEmpty()) {
                return Future.failedFuture(
                        policy("The organization requires an IP allowlist within its allowed ranges", "ipAllowlist"));
            }
            for (int i = 0; i < allowlist.size(); i++) {
                Object o = allowlist.getValue(i);
                Cidr c = parseCidr((String) o, "ipAllowlist." + i);
                if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> within(c, a))) {
                    return Future.failedFuture(policy(
                            "IP range " + o + " is outside the organization's allowed ranges", "ipAllowlist." + i));
                }
            }
            return Future.succeededFuture();
        });
    }

    private static boolean within(Cidr inner, Cidr outer) {
        try {
            return inner.prefixLength() >= outer.prefixLength()
                    && outer.contains(InetAddress.getByAddress(inner.network()));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static Cidr parseCidr(String s, String field) {
        try {
            return Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Invalid(field, "Field '" + field + "': " + e.getMessage());
        }
    }

    private static Invalid policy(String detail, String field) {
        return Invalid.policy(field, detail);
    }

    private static Forbidden forbidden(String detail) {
        return Forbidden.because(detail);
    }
}
