package io.keysmith.leastprivilege;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.keysmith.keys.KeyOperations;
import io.keysmith.keys.KeyService;
import io.keysmith.keys.KeyService.GrantedRights;
import io.keysmith.usage.UsageRepository;
import io.keysmith.usage.UsageRepository.OperationUse;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Least privilege from observed usage (issue 20 item 5, ADR 0013): for each key, the permissions it was granted and
 * did not use in the last N days, with the evidence (count and last use per permission and operation), read from the
 * usage the server already meters per operation; a shadow run of a smaller set (which of those requests it would
 * have refused); "reduce to what it used" and its undo, both a person's click, audited, through the keys' own rules
 * (KeyService.changeRights: a key never exceeds its owner, nobody grants what they lack). Field rights are not
 * metered, so they are reported and left as they are.
 */
public final class LeastPrivilegeService {
    public static final int DEFAULT_DAYS = 30;
    public static final int MAX_DAYS = 90;
    static final String REDUCED = "api-key.reduced-to-used";
    static final String UNDONE = "api-key.reduction-undone";

    private final Db db;
    private final KeyService keys;
    private final UsageRepository usage;
    private final LeastPrivilegeRepository reductions;
    /** operationId -> its x-permission (operations of "public"/"authenticated" need none: absent). */
    private final Map<String, String> permissionOf = new HashMap<>();

    public LeastPrivilegeService(
            Db db,
            KeyService keys,
            UsageRepository usage,
            LeastPrivilegeRepository reductions,
            KeyOperations operations) {
        this.db = db;
        this.keys = keys;
        this.usage = usage;
        this.reductions = reductions;
        operations.rules().forEach(r -> {
            if (r.permission() != null) {
                permissionOf.put(r.operationId(), r.permission());
            }
        });
    }

    /** What one key was granted and used in the window. */
    private record Analysis(
            GrantedRights key,
            List<String> granted,
            Map<String, Evidence> used,
            long requests,
            long unattributed,
            OffsetDateTime lastUsed) {

        List<String> unused() {
            return granted.stream().filter(p -> !used.containsKey(p)).toList();
        }

        List<String> suggested() {
            return granted.stream().filter(used::containsKey).toList();
        }

        boolean reducible() {
            return !unused().isEmpty();
        }
    }

    /** Requests of one permission: in total and per operation. */
    private static final class Evidence {
        long count;
        OffsetDateTime lastAt;
        final Map<String, Evidence> operations = new TreeMap<>();

        void add(long n, OffsetDateTime at) {
            count += n;
            if (at != null && (lastAt == null || at.isAfter(lastAt))) {
                lastAt = at;
            }
        }

        JsonObject toJson() {
            JsonObject j = new JsonObject().put("count", count);
            if (lastAt != null) {
                j.put("lastUsedAt", lastAt.toInstant().toString());
            }
            return j;
        }
    }

    private Analysis analyse(GrantedRights k, List<OperationUse> uses) {
        // SCOPED: what the key names (some may no longer work: its owner lost them); INHERIT: what it works with now
        java.util.Collection<String> names = "SCOPED".equals(k.permissionMode())
                ? k.storedPermissions()
                : k.effective().permissions();
        List<String> granted = new ArrayList<>(new TreeSet<String>(names));
        Map<String, Evidence> used = new TreeMap<>();
        long requests = 0;
        long unattributed = 0;
        OffsetDateTime last = null;
        for (OperationUse u : uses) {
            requests += u.count();
            if (last == null || (u.lastAt() != null && u.lastAt().isAfter(last))) {
                last = u.lastAt();
            }
            String p = permissionOf.get(u.operation());
            if (p == null) {
                unattributed += u.count(); // verify's verified key, or an operation that needs no permission
                continue;
            }
            if (!granted.contains(p)) {
                continue; // used once, taken away since: not the key's to keep
            }
            Evidence e = used.computeIfAbsent(p, x -> new Evidence());
            e.add(u.count(), u.lastAt());
            e.operations.computeIfAbsent(u.operation(), x -> new Evidence()).add(u.count(), u.lastAt());
        }
        return new Analysis(k, granted, used, requests, unattributed, last);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    static int days(Integer days) {
        int d = days == null ? DEFAULT_DAYS : days;
        if (d < 1 || d > MAX_DAYS) {
            throw new Invalid("days", "Parameter 'days' must be between 1 and " + MAX_DAYS);
        }
        return d;
    }

    /** One key's report; 404 unless the caller may see the key (its owner, or "manage ALL"). */
    public Future<JsonObject> ofKey(Caller caller, UUID keyId, Integer daysParam) {
        int days = days(daysParam);
        OffsetDateTime to = now();
        OffsetDateTime from = to.minusDays(days);
        return keys.get(caller, keyId)
                .compose(visible -> db.inOrganization(
                        caller.organizationId(),
                        t -> keys.granted(t, keyId, null)
                                .compose(granted -> granted.isEmpty()
                                        ? Future.<JsonObject>failedFuture(new Conflict(
                                                "api-key-not-active",
                                                "Only an active key has rights to review: this one is not"))
                                        : usage.operationUse(t, keyId, from)
                                                .compose(uses -> reductions
                                                        .latest(t, keyId)
                                                        .map(last -> keyJson(
                                                                analyse(granted.get(0), uses),
                                                                days,
                                                                from,
                                                                to,
                                                                last))))));
    }

    private JsonObject keyJson(
            Analysis a, int days, OffsetDateTime from, OffsetDateTime to, LeastPrivilegeRepository.Reduction last) {
        GrantedRights k = a.key();
        JsonArray permissions = new JsonArray();
        for (String p : a.granted()) {
            Evidence e = a.used().get(p);
            JsonObject j = new JsonObject()
                    .put("permission", p)
                    .put("effective", k.effective().has(p))
                    .put("used", e != null);
            JsonArray operations = new JsonArray();
            if (e != null) {
                j.mergeIn(e.toJson());
                e.operations.forEach((op, oe) -> operations.add(oe.toJson().put("operationId", op)));
            } else {
                j.put("count", 0);
            }
            permissions.add(j.put("operations", operations));
        }
        OffsetDateTime observed = k.createdAt().isAfter(from) ? k.createdAt() : from;
        JsonObject out = new JsonObject()
                .put("keyId", k.keyId().toString())
                .put("name", k.name())
                .put("apiType", k.apiType())
                .put("permissionMode", k.permissionMode())
                .put("days", days)
                .put("from", from.toInstant().toString())
                .put("to", to.toInstant().toString())
                .put("observedSince", observed.toInstant().toString())
                .put("requests", a.requests())
                .put("unattributedRequests", a.unattributed())
                .put("fieldRightsMetered", false)
                .put("permissions", permissions)
                .put("unusedPermissions", new JsonArray(a.unused()))
                .put("suggestedPermissions", new JsonArray(a.suggested()))
                .put("reducible", a.reducible());
        if (a.lastUsed() != null) {
            out.put("lastUsedAt", a.lastUsed().toInstant().toString());
        }
        if (last != null) {
            out.put("lastReduction", last.toJson().put("undoable", last.undoneAt() == null));
        }
        return out;
    }

    /**
     * Every active key of the organization with the rights it did not use, most unused first; {@code limit} keys
     * listed, all counted. One query for the keys' rights, one for their usage (minutes + day roll-up).
     */
    public Future<JsonObject> ofOrganization(Caller caller, Integer daysParam, Integer limitParam) {
        int days = days(daysParam);
        int limit = limitParam == null ? 100 : limitParam;
        OffsetDateTime to = now();
        OffsetDateTime from = to.minusDays(days);
        return db.inOrganization(
                caller.organizationId(),
                t -> keys.granted(t, null, null)
                        .compose(all -> usage.operationUse(t, null, from).map(uses -> {
                            Map<UUID, List<OperationUse>> byKey = new HashMap<>();
                            uses.forEach(u -> byKey.computeIfAbsent(u.key(), x -> new ArrayList<>())
                                    .add(u));
                            List<Analysis> reducible = new ArrayList<>();
                            long unusedTotal = 0;
                            for (GrantedRights k : all) {
                                Analysis a = analyse(k, byKey.getOrDefault(k.keyId(), List.of()));
                                if (a.reducible()) {
                                    reducible.add(a);
                                    unusedTotal += a.unused().size();
                                }
                            }
                            reducible.sort(Comparator.comparing(
                                            (Analysis a) -> -a.unused().size())
                                    .thenComparing(a -> a.key().name().toLowerCase())
                                    .thenComparing(a -> a.key().keyId()));
                            JsonArray items = new JsonArray();
                            reducible.stream().limit(limit).forEach(a -> items.add(summary(a)));
                            return new JsonObject()
                                    .put("days", days)
                                    .put("from", from.toInstant().toString())
                                    .put("to", to.toInstant().toString())
                                    .put("keysAnalysed", all.size())
                                    .put("keysWithUnusedPermissions", reducible.size())
                                    .put("unusedPermissions", unusedTotal)
                                    .put("fieldRightsMetered", false)
                                    .put("keys", items)
                                    .put("truncated", reducible.size() > limit);
                        })));
    }

    private static JsonObject summary(Analysis a) {
        GrantedRights k = a.key();
        JsonObject j = new JsonObject()
                .put("keyId", k.keyId().toString())
                .put("name", k.name())
                .put("apiType", k.apiType())
                .put("owner", new JsonObject().put("id", k.ownerId().toString()).put("name", k.ownerName()))
                .put("permissionMode", k.permissionMode())
                .put("grantedPermissions", a.granted().size())
                .put("unusedPermissions", new JsonArray(a.unused()))
                .put("suggestedPermissions", new JsonArray(a.suggested()))
                .put("requests", a.requests())
                .put("unattributedRequests", a.unattributed());
        if (a.lastUsed() != null) {
            j.put("lastUsedAt", a.lastUsed().toInstant().toString());
        }
        return j;
    }

    /**
     * Shadow mode: for a proposed smaller set, how many of the window's let-through requests it would have refused,
     * per permission and operation. Changes nothing.
     */
    public Future<JsonObject> shadow(Caller caller, UUID keyId, Integer daysParam, List<String> proposed) {
        int days = days(daysParam);
        OffsetDateTime to = now();
        OffsetDateTime from = to.minusDays(days);
        return keys.get(caller, keyId)
                .compose(visible -> db.inOrganization(
                        caller.organizationId(),
                        t -> keys.granted(t, keyId, null).compose(granted -> {
                            if (granted.isEmpty()) {
                                return Future.failedFuture(new Conflict(
                                        "api-key-not-active",
                                        "Only an active key has rights to review: this one is not"));
                            }
                            Analysis probe = analyse(granted.get(0), List.of());
                            for (int i = 0; i < proposed.size(); i++) {
                                if (!probe.granted().contains(proposed.get(i))) {
                                    return Future.failedFuture(
                                            new Invalid(
                                                    "permissions." + i,
                                                    "Permission '" + proposed.get(i)
                                                            + "' is not granted to this key: a shadow run tries a smaller set"));
                                }
                            }
                            return usage.operationUse(t, keyId, from).map(uses -> {
                                Analysis a = analyse(granted.get(0), uses);
                                JsonArray refused = new JsonArray();
                                long total = 0;
                                for (Map.Entry<String, Evidence> e : a.used().entrySet()) {
                                    if (proposed.contains(e.getKey())) {
                                        continue;
                                    }
                                    total += e.getValue().count;
                                    JsonArray operations = new JsonArray();
                                    e.getValue()
                                            .operations
                                            .forEach((op, oe) ->
                                                    operations.add(oe.toJson().put("operationId", op)));
                                    refused.add(e.getValue()
                                            .toJson()
                                            .put("permission", e.getKey())
                                            .put("operations", operations));
                                }
                                return new JsonObject()
                                        .put("keyId", keyId.toString())
                                        .put("days", days)
                                        .put("from", from.toInstant().toString())
                                        .put("to", to.toInstant().toString())
                                        .put(
                                                "proposedPermissions",
                                                new JsonArray(new ArrayList<>(new TreeSet<>(proposed))))
                                        .put("requests", a.requests())
                                        .put("wouldRefuse", total)
                                        .put("refusedByPermission", refused)
                                        .put("unattributedRequests", a.unattributed());
                            });
                        })));
    }

    /**
     * "Reduce to what it used": the key becomes SCOPED with exactly the permissions it used in the window, which must
     * be {@code expected} (what the person was shown; else 409, review again). Field rights stay as they work now.
     */
    public Future<JsonObject> reduce(
            Caller caller, UUID keyId, Integer daysParam, List<String> expected, String source) {
        int days = days(daysParam);
        OffsetDateTime from = now().minusDays(days);
        UUID reductionId = UUID.randomUUID();
        JsonObject reduction = new JsonObject();
        return keys.changeRights(caller, keyId, REDUCED, source, new KeyService.RightsChange() {
                    private Analysis analysis;

                    @Override
                    public Future<JsonObject> changes(Tenant t, JsonObject key) {
                        return keys.granted(t, keyId, null).compose(granted -> {
                            if (granted.isEmpty()) {
                                return Future.failedFuture(new Conflict(
                                        "api-key-not-active", "Only an active key can be reduced: this one is not"));
                            }
                            return usage.operationUse(t, keyId, from).compose(uses -> {
                                analysis = analyse(granted.get(0), uses);
                                if (!analysis.reducible()) {
                                    return Future.failedFuture(new Conflict(
                                            "nothing-to-reduce",
                                            "The key used every permission it has in the last " + days + " days"));
                                }
                                if (!new TreeSet<>(expected).equals(new TreeSet<>(analysis.suggested()))) {
                                    return Future.failedFuture(new Conflict(
                                            "least-privilege-stale",
                                            "The key's rights or usage changed since you were shown them: review"
                                                    + " the report again",
                                            "permissions"));
                                }
                                JsonObject changes = new JsonObject()
                                        .put("permissionMode", "SCOPED")
                                        .put("permissions", new JsonArray(analysis.suggested()));
                                if ("INHERIT".equals(key.getString("permissionMode"))) {
                                    // fields are not metered: the key keeps the field rights it works with now
                                    changes.put(
                                            "fieldRights",
                                            new JsonObject(new java.util.LinkedHashMap<>(
                                                    analysis.key().effective().fieldRights())));
                                }
                                return Future.succeededFuture(changes);
                            });
                        });
                    }

                    @Override
                    public Future<JsonObject> applied(Tenant t, JsonObject before, JsonObject after) {
                        LeastPrivilegeRepository.Reduction r = new LeastPrivilegeRepository.Reduction(
                                reductionId,
                                keyId,
                                now(),
                                caller.userId(),
                                days,
                                before.getString("permissionMode"),
                                strings(before.getJsonArray("permissions")),
                                before.getJsonObject("fieldRights", new JsonObject()),
                                strings(after.getJsonArray("permissions")),
                                after.getJsonObject("fieldRights", new JsonObject()),
                                null,
                                null);
                        reduction.mergeIn(r.toJson().put("undoable", true));
                        return reductions
                                .insert(t, r)
                                .map(x -> new JsonObject()
                                        .put("reductionId", reductionId.toString())
                                        .put("days", days)
                                        .put("previousPermissionMode", r.previousMode())
                                        .put("previousPermissions", new JsonArray(r.previousPermissions()))
                                        .put("removedPermissions", new JsonArray(analysis.unused()))
                                        .put("permissions", new JsonArray(r.resultPermissions())));
                    }
                })
                .map(key -> new JsonObject().put("key", key).put("reduction", reduction));
    }

    /**
     * Undo of a reduction: the key's stored rights from before it, exactly, through the same rules as any change
     * (403 if its owner's level, or the caller's when not the owner, no longer allows them); refused once undone, or
     * when the key's rights changed after the reduction (that later change would be lost).
     */
    public Future<JsonObject> undo(Caller caller, UUID keyId, UUID reductionId, String source) {
        JsonObject reduction = new JsonObject();
        return keys.changeRights(caller, keyId, UNDONE, source, new KeyService.RightsChange() {
                    @Override
                    public Future<JsonObject> changes(Tenant t, JsonObject key) {
                        return reductions.findForUpdate(t, keyId, reductionId).compose(r -> {
                            if (r == null) {
                                return Future.failedFuture(
                                        new io.keysmith.errors.NotFound("No such reduction of this API key"));
                            }
                            if (r.undoneAt() != null) {
                                return Future.failedFuture(
                                        new Conflict("reduction-undone", "This reduction was undone already"));
                            }
                            boolean unchanged = "SCOPED".equals(key.getString("permissionMode"))
                                    && new TreeSet<>(strings(key.getJsonArray("permissions")))
                                            .equals(new TreeSet<>(r.resultPermissions()))
                                    && key.getJsonObject("fieldRights", new JsonObject())
                                            .equals(
                                                    r.resultFieldRights() == null
                                                            ? new JsonObject()
                                                            : r.resultFieldRights());
                            if (!unchanged) {
                                return Future.failedFuture(new Conflict(
                                        "rights-changed-since",
                                        "The key's rights were changed after this reduction: undoing it would"
                                                + " overwrite that change"));
                            }
                            reduction.mergeIn(r.toJson());
                            return Future.succeededFuture(new JsonObject()
                                    .put("permissionMode", r.previousMode())
                                    .put("permissions", new JsonArray(r.previousPermissions()))
                                    .put(
                                            "fieldRights",
                                            r.previousFieldRights() == null
                                                    ? new JsonObject()
                                                    : r.previousFieldRights()));
                        });
                    }

                    @Override
                    public Future<JsonObject> applied(Tenant t, JsonObject before, JsonObject after) {
                        return reductions
                                .markUndone(t, reductionId, caller.userId())
                                .map(x -> {
                                    reduction
                                            .put("undoneAt", now().toInstant().toString())
                                            .put("undoneBy", caller.userId().toString())
                                            .put("undoable", false);
                                    return new JsonObject()
                                            .put("reductionId", reductionId.toString())
                                            .put("restoredPermissionMode", after.getString("permissionMode"))
                                            .put("restoredPermissions", after.getJsonArray("permissions"));
                                });
                    }
                })
                .map(key -> new JsonObject().put("key", key).put("reduction", reduction));
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(x -> out.add((String) x));
        }
        return out;
    }
}
