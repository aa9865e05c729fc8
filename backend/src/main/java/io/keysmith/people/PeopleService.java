package io.keysmith.people;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.Precondition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Field-level rights on people records. Reads show only the fields the caller may view (absent, not null); a write
 * touching a field the caller may not edit is refused naming the field, before anything changes. Record scope OWN
 * reaches only the record linked to the caller's user. Audit records name changed fields, never values.
 *
 * <p>Writes come from a session or a key (ADR 0012), with the same rules: a key's rights are already its API type ∩
 * its permissions ∩ its owner's (and holder's) live level. {@code On-Behalf-Of} adds a user who must be allowed too
 * (permission, record scope, field edit rights: each rule is checked for both). The {@code ETag} is computed over
 * what the caller can view, so it never changes when only a field hidden from the caller did; {@code If-Match} is
 * compared with it under the row's lock.
 */
public final class PeopleService {
    private final Db db;
    private final PeopleRepository people;
    private final AuditRepository audit;

    public PeopleService(Db db, PeopleRepository people, AuditRepository audit) {
        this.db = db;
        this.people = people;
        this.audit = audit;
    }

    /** A write as the handler received it: {@code onBehalfOf} and {@code ifMatch} as sent (null: absent). */
    public record Write(Caller caller, String onBehalfOf, String ifMatch, String source) {}

    /** A record as the caller sees it, with its ETag. */
    public record Seen(JsonObject person, String etag) {}

    /**
     * The order of a list: by name only for a caller who may view both names, else by id, a stable order that
     * reveals nothing (an order by a hidden field tells its values' order).
     */
    public enum Order {
        NAME,
        ID;

        public static Order of(Rights rights) {
            return rights.canView("lastName") && rights.canView("firstName") ? NAME : ID;
        }
    }

    public Future<JsonArray> list(Caller caller, String department, String status, Order order, UUID after, int limit) {
        Rights rights = caller.rights();
        // filtering on a field is reading it: which records match would reveal the hidden values
        for (String[] filter : new String[][] {{"department", department}, {"employmentStatus", status}}) {
            if (filter[1] != null && !rights.canView(filter[0])) {
                return Future.failedFuture(new Forbidden(
                        "field-not-viewable",
                        "You may not filter on the field '" + filter[0] + "': you cannot view it",
                        filter[0]));
            }
        }
        UUID own = rights.allRecords() ? null : caller.userId();
        return db.inOrganization(
                        caller.organizationId(),
                        c -> people.list(c, own, department, status, order == Order.NAME, after, limit))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(visible(rights, (JsonObject) r)));
                    return out;
                });
    }

    /** What the caller may see of a record: the fields they may view, nothing else (absent, not null). */
    public static JsonObject visible(Rights rights, JsonObject person) {
        JsonObject v = new JsonObject().put("id", person.getString("id"));
        if (person.containsKey("userId") && rights.allRecords()) {
            v.put("userId", person.getString("userId"));
        }
        person.forEach(e -> {
            if (!e.getKey().equals("id") && !e.getKey().equals("userId") && rights.canView(e.getKey())) {
                v.put(e.getKey(), e.getValue());
            }
        });
        return v;
    }

    /**
     * The strong ETag of what a caller sees of a record: a digest of that projection (fields in the fixed column
     * order), so a change of a field hidden from the caller leaves it as it was.
     */
    public static String etag(JsonObject visible) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(visible.encode().getBytes(StandardCharsets.UTF_8));
            return "\""
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Seen seen(Rights rights, JsonObject person) {
        JsonObject v = visible(rights, person);
        return new Seen(v, etag(v));
    }

    public Future<Seen> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), c -> people.find(c, id, false))
                .map(p -> seen(caller.rights(), reachable(caller, p)));
    }

    public Future<Seen> create(Write w, JsonObject body) {
        for (String required : new String[] {"firstName", "lastName"}) {
            if (body.getValue(required) == null) {
                return Future.failedFuture(new Invalid(required, "Field '" + required + "' is required"));
            }
        }
        Caller caller = w.caller();
        return db.inOrganization(
                caller.organizationId(),
                c -> acting(c, w, "people:create").compose(actors -> {
                    for (Caller a : actors) {
                        if (!a.rights().allRecords()) {
                            return Future.failedFuture(new Forbidden("record-scope", scopeDetail(a, caller), null));
                        }
                        checkEditable(a, caller, body);
                    }
                    return people.insert(c, body)
                            .compose(p -> audit.append(
                                            c,
                                            event(w, actors, "person.created", p.getString("id"))
                                                    .with("fields", fieldNames(body)))
                                    .map(x -> seen(caller.rights(), p)));
                }));
    }

    public Future<Seen> update(Write w, UUID id, JsonObject body) {
        Caller caller = w.caller();
        return db.inOrganization(
                caller.organizationId(),
                c -> acting(c, w, "people:update")
                        .compose(actors -> people.find(c, id, true)
                                .compose(p -> {
                                    for (Caller a : actors) {
                                        reachable(a, p);
                                    }
                                    return precondition(c, w, p).map(p);
                                })
                                .compose(p -> {
                                    for (Caller a : actors) {
                                        checkEditable(a, caller, body);
                                    }
                                    if (body.isEmpty()) {
                                        return Future.succeededFuture(seen(caller.rights(), p));
                                    }
                                    return people.update(c, id, body)
                                            .compose(after -> audit.append(
                                                            c,
                                                            event(w, actors, "person.updated", id)
                                                                    .with("fields", changedFields(body, p, after)))
                                                    .map(x -> seen(caller.rights(), after)));
                                })));
    }

    public Future<Void> delete(Write w, UUID id) {
        Caller caller = w.caller();
        return db.inOrganization(
                caller.organizationId(),
                c -> acting(c, w, "people:delete")
                        .compose(actors -> people.find(c, id, true)
                                .compose(p -> {
                                    for (Caller a : actors) {
                                        reachable(a, p);
                                        if (!a.rights().allRecords()) {
                                            return Future.failedFuture(
                                                    new Forbidden("record-scope", scopeDetail(a, caller), null));
                                        }
                                    }
                                    return precondition(c, w, p);
                                })
                                .compose(x -> people.delete(c, id))
                                .compose(x -> audit.append(c, event(w, actors, "person.deleted", id)))));
    }

    /**
     * Who must be allowed to make the write: the caller, and with {@code On-Behalf-Of} the user it names, who must
     * be an active user of the caller's organization holding {@code permission} (the caller's was checked by the
     * route's guard or the key's verifier). Refused before anything changes.
     */
    private Future<List<Caller>> acting(Tenant t, Write w, String permission) {
        Caller caller = w.caller();
        return people.writePolicies(t).compose(policies -> {
            if (w.onBehalfOf() == null) {
                if (caller.viaKey() && policies.requireOnBehalfOf()) {
                    return Future.failedFuture(new Invalid(
                            "On-Behalf-Of",
                            "Header 'On-Behalf-Of' is required on writes with a key by this organization's policy"));
                }
                return Future.succeededFuture(List.of(caller));
            }
            if (!caller.viaKey()) {
                return Future.failedFuture(new Invalid(
                        "On-Behalf-Of", "Header 'On-Behalf-Of' is for writes with an API key, not with a session"));
            }
            UUID user;
            try {
                user = UUID.fromString(w.onBehalfOf());
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(new Invalid("On-Behalf-Of", "Header 'On-Behalf-Of' must be a user id"));
            }
            return people.user(t, user).compose(u -> {
                if (u == null || !u.active()) {
                    return Future.failedFuture(new Invalid(
                            "On-Behalf-Of", "Header 'On-Behalf-Of' names no active user of this organization"));
                }
                if (!u.rights().has(permission)) {
                    return Future.failedFuture(Forbidden.because(
                            "The user in 'On-Behalf-Of' lacks the permission '" + permission + "'", "On-Behalf-Of"));
                }
                List<Caller> both = new ArrayList<>(List.of(caller));
                both.add(new Caller(caller.organizationId(), user, u.rights(), null));
                return Future.succeededFuture(both);
            });
        });
    }

    /** {@code If-Match} against what the caller sees of the record now (under its row lock); 428 if policy needs it. */
    private Future<Void> precondition(Tenant t, Write w, JsonObject p) {
        if (w.ifMatch() != null) {
            return matches(w.ifMatch(), etag(visible(w.caller().rights(), p)))
                    ? Future.succeededFuture()
                    : Future.failedFuture(Precondition.failed(
                            "The record changed since you read it (If-Match does not match its ETag): read it again",
                            "If-Match"));
        }
        return people.writePolicies(t)
                .compose(policies -> policies.requireIfMatch()
                        ? Future.failedFuture(Precondition.required(
                                "This organization requires If-Match with the record's ETag on changes", "If-Match"))
                        : Future.succeededFuture());
    }

    /** RFC 9110 If-Match: "*" or a list of entity tags compared strongly (a weak tag never matches). */
    static boolean matches(String ifMatch, String etag) {
        if (ifMatch.trim().equals("*")) {
            return true;
        }
        for (String candidate : ifMatch.split(",")) {
            if (candidate.trim().equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** The audit record of a write: the acting user, the key it came with and whom it was for (never values). */
    private static AuditEvent event(Write w, List<Caller> actors, String action, Object target) {
        Caller caller = w.caller();
        Caller actor = actors.get(actors.size() - 1);
        AuditEvent e = AuditEvent.by(actor.userId(), action, "person", target, w.source());
        if (caller.viaKey()) {
            e.with("via", "api-key")
                    .with("keyId", caller.keyId().toString())
                    .with("keyOwnerUserId", caller.userId().toString());
            if (actors.size() > 1) {
                e.with("onBehalfOfUserId", actor.userId().toString());
            }
        }
        return e;
    }

    private static String scopeDetail(Caller a, Caller caller) {
        return a == caller
                ? (caller.viaKey()
                        ? "This key reaches only its owner's own record"
                        : "Your access level reaches only your own record")
                : "The user in 'On-Behalf-Of' reaches only their own record";
    }

    /** Another organization's record and a record outside the caller's scope are both simply not there. */
    private static JsonObject reachable(Caller caller, JsonObject p) {
        if (p == null
                || (!caller.rights().allRecords() && !caller.userId().toString().equals(p.getString("userId")))) {
            throw new NotFound("No such person");
        }
        return p;
    }

    private static void checkEditable(Caller who, Caller caller, JsonObject body) {
        Rights rights = who.rights();
        for (String field : body.fieldNames()) {
            boolean allowed =
                    field.equals("userId") ? rights.allRecords() && rights.has("users:manage") : rights.canEdit(field);
            if (!allowed) {
                String whose = who == caller
                        ? (caller.viaKey() ? "This key may" : "You may")
                        : "The user in" + " 'On-Behalf-Of' may";
                throw new Forbidden("field-not-editable", whose + " not edit the field '" + field + "'", field);
            }
        }
    }

    private static JsonArray fieldNames(JsonObject body) {
        return new JsonArray(body.fieldNames().stream().sorted().toList());
    }

    /** The fields the write changed: one sent with the value it already had is not a change. */
    private static JsonArray changedFields(JsonObject body, JsonObject before, JsonObject after) {
        return new JsonArray(body.fieldNames().stream()
                .filter(f -> !java.util.Objects.equals(before.getValue(f), after.getValue(f)))
                .sorted()
                .toList());
    }
}
