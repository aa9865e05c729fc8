package io.keysmith.users;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.Tokens;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The rules about users: who may become or stop being an Account Owner, that an organization always keeps an
 * active one, that nobody changes, deactivates or reactivates a user whose level grants anything they do not hold
 * (ADR 0009), that deactivation ends every session at once, and that every change is audited in its transaction.
 */
public final class UserService {
    public static final Duration INVITATION_LIFETIME = Duration.ofDays(7);
    public static final Duration RESET_LIFETIME = Duration.ofHours(24);

    /** A one-time link and when it expires; the token travels in the fragment, never to a server log. */
    public record Link(String url, OffsetDateTime expiresAt) {
        public JsonObject toJson() {
            return new JsonObject()
                    .put("url", url)
                    .put("expiresAt", expiresAt.toInstant().toString());
        }

        public static Link fromJson(JsonObject j) {
            return new Link(j.getString("url"), OffsetDateTime.parse(j.getString("expiresAt")));
        }
    }

    private final Db db;
    private final UserRepository users;
    private final AccessLevelRepository levels;
    private final OrganizationLookup organizations;
    private final AuditRepository audit;
    private final LinkMailer mailer;

    private java.util.function.Consumer<UUID> changed = org -> {};

    /** Called with the organization after a committed change that can alter what its keys may do. */
    public void onChange(java.util.function.Consumer<UUID> listener) {
        this.changed = listener;
    }

    public UserService(
            Db db,
            UserRepository users,
            AccessLevelRepository levels,
            OrganizationLookup organizations,
            AuditRepository audit,
            LinkMailer mailer) {
        this.db = db;
        this.users = users;
        this.levels = levels;
        this.organizations = organizations;
        this.audit = audit;
        this.mailer = mailer;
    }

    /** After the transaction committed: mail the link if SMTP is configured, and say so in the answer. */
    public Future<JsonObject> mailed(JsonObject user, String organization, Link link, boolean reset) {
        return mailer.send(user.getString("email"), user.getString("firstName"), organization, link, reset)
                .map(sent -> link.toJson().put("emailed", sent));
    }

    public Future<JsonArray> list(Caller caller, String status, String kind, String q, String cursor, int limit) {
        OffsetDateTime afterCreated = null;
        UUID afterId = null;
        if (cursor != null) {
            String[] parts = cursor.split("\\|");
            try {
                afterCreated = OffsetDateTime.parse(parts[0]);
                afterId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                throw new Invalid("after", "Parameter 'after' is not a cursor this server issued");
            }
        }
        OffsetDateTime ac = afterCreated;
        UUID ai = afterId;
        return db.inOrganization(caller.organizationId(), c -> users.list(c, status, kind, q, ac, ai, limit));
    }

    public Future<JsonObject> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), c -> users.find(c, id))
                .map(UserService::found);
    }

    /** Creates the user and a one-time invitation link to set a password. */
    public Future<JsonObject> create(Caller caller, JsonObject body, String linkBase, String source) {
        UUID levelId =
                body.getString("accessLevelId") == null ? null : UUID.fromString(body.getString("accessLevelId"));
        return db.inOrganization(
                        caller.organizationId(),
                        c -> (levelId == null
                                        ? levels.builtin(c, "EMPLOYEE")
                                                .compose(l -> assignable(c, caller, UUID.fromString(l.getString("id"))))
                                        : assignable(c, caller, levelId))
                                .compose(level -> users.insert(
                                        c,
                                        body.getString("email").trim(),
                                        body.getString("firstName").trim(),
                                        body.getString("lastName").trim(),
                                        body.getString("kind"),
                                        levelId,
                                        "EMPLOYEE",
                                        null))
                                .compose(user -> issueLink(
                                                c, UUID.fromString(user.getString("id")), "INVITATION", linkBase)
                                        .compose(link -> audit.append(
                                                        c,
                                                        AuditEvent.by(
                                                                        caller.userId(),
                                                                        "user.created",
                                                                        "user",
                                                                        user.getString("id"),
                                                                        source)
                                                                .with("kind", user.getString("kind"))
                                                                .with(
                                                                        "accessLevelId",
                                                                        user.getJsonObject("accessLevel")
                                                                                .getString("id")))
                                                .compose(x -> organizations.current(c))
                                                .map(org -> new Object[] {user, link, org.getString("name")}))))
                .compose(r -> mailed((JsonObject) r[0], (String) r[2], (Link) r[1], false)
                        .map(link -> new JsonObject().put("user", r[0]).put("invitation", link)));
    }

    public Future<JsonObject> update(Caller caller, UUID id, JsonObject changes, String source) {
        return db.inOrganization(
                        caller.organizationId(),
                        c -> users.findForUpdate(c, id).map(UserService::found).compose(user -> {
                            if (caller.userId().equals(id)) {
                                return update(c, caller, id, user, changes, source);
                            }
                            // nobody changes a user holding more than they do (their level, or their e-mail, where
                            // reset links go: a way into the account)
                            Future<Void> check = changes.containsKey("email")
                                    ? stronger(c, caller, user, "change the e-mail of", "email")
                                    : stronger(
                                            c,
                                            caller,
                                            user,
                                            "change",
                                            changes.containsKey("accessLevelId") ? "accessLevelId" : null);
                            return check.compose(x -> update(c, caller, id, user, changes, source));
                        }))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    private Future<JsonObject> update(
            Tenant c, Caller caller, UUID id, JsonObject user, JsonObject changes, String source) {
        String fromId = user.getJsonObject("accessLevel").getString("id");
        String toId = changes.getString("accessLevelId", fromId);
        Future<Void> levelRules = Future.succeededFuture();
        if (!fromId.equals(toId)) {
            boolean wasOwner = isOwner(user);
            if (wasOwner && !caller.isAccountOwner()) {
                return Future.failedFuture(onlyOwners("accessLevelId"));
            }
            levelRules = assignable(c, caller, UUID.fromString(toId))
                    .compose(level -> wasOwner ? keepsAnOwner(c, id, user) : Future.succeededFuture());
        }
        return levelRules
                .compose(x -> users.update(c, id, changes))
                .compose(updated -> audit.append(
                                c,
                                AuditEvent.by(caller.userId(), "user.updated", "user", id, source)
                                        .with("fields", changedFields(changes, user, updated)))
                        .map(updated));
    }

    /** The fields the update changed: one sent with the value it already had is not a change. */
    private static JsonArray changedFields(JsonObject changes, JsonObject before, JsonObject after) {
        return new JsonArray(changes.fieldNames().stream()
                .filter(f -> !java.util.Objects.equals(field(before, f), field(after, f)))
                .sorted()
                .toList());
    }

    private static Object field(JsonObject user, String name) {
        return name.equals("accessLevelId") ? user.getJsonObject("accessLevel").getString("id") : user.getValue(name);
    }

    /** Deactivation ends the user's sessions in the same transaction: every replica refuses them at once. */
    public Future<JsonObject> deactivate(Caller caller, UUID id, String source) {
        return db.inOrganization(
                        caller.organizationId(),
                        c -> users.findForUpdate(c, id).map(UserService::found).compose(user -> {
                            return stronger(c, caller, user, "deactivate", null)
                                    .compose(x -> keepsAnOwner(c, id, user))
                                    .compose(x -> users.setStatus(c, id, "DEACTIVATED"))
                                    .compose(updated -> SessionService.endAllOf(c, id)
                                            .compose(x -> audit.append(
                                                    c,
                                                    AuditEvent.by(
                                                            caller.userId(), "user.deactivated", "user", id, source)))
                                            .map(updated));
                        }))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    public Future<JsonObject> reactivate(Caller caller, UUID id, String source) {
        return db.inOrganization(
                        caller.organizationId(),
                        c -> users.findForUpdate(c, id)
                                .map(UserService::found)
                                .compose(user -> stronger(c, caller, user, "reactivate", null)
                                        .map(user))
                                .compose(user -> users.setStatus(c, id, "ACTIVE")
                                        .compose(updated -> audit.append(
                                                        c,
                                                        AuditEvent.by(
                                                                caller.userId(),
                                                                "user.reactivated",
                                                                "user",
                                                                id,
                                                                source))
                                                .map(updated))))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    public Future<JsonObject> passwordReset(Caller caller, UUID id, String linkBase, String source) {
        return db.inOrganization(
                        caller.organizationId(),
                        c -> users.find(c, id)
                                .map(UserService::found)
                                .compose(user ->
                                        // a reset link is a way into the account: only for accounts holding nothing the
                                        // caller lacks
                                        stronger(c, caller, user, "reset the password of", null)
                                                .compose(x -> issueLink(c, id, "PASSWORD_RESET", linkBase))
                                                .compose(link -> audit.append(
                                                                c,
                                                                AuditEvent.by(
                                                                        caller.userId(),
                                                                        "user.password-reset-issued",
                                                                        "user",
                                                                        id,
                                                                        source))
                                                        .compose(x -> organizations.current(c))
                                                        .map(org -> new Object[] {user, link, org.getString("name")}))))
                .compose(r -> mailed((JsonObject) r[0], (String) r[2], (Link) r[1], true));
    }

    /** For sign-up and operator-created organizations: the first user, inside the creating transaction. */
    public Future<JsonObject> createOwner(Tenant c, JsonObject person, String passwordHash) {
        return users.insert(
                c,
                person.getString("email").trim(),
                person.getString("firstName").trim(),
                person.getString("lastName").trim(),
                "EMPLOYEE",
                null,
                "ACCOUNT_OWNER",
                passwordHash);
    }

    public Future<Link> issueLink(Tenant c, UUID userId, String purpose, String linkBase) {
        String token = Tokens.random();
        Duration lifetime = purpose.equals("INVITATION") ? INVITATION_LIFETIME : RESET_LIFETIME;
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(lifetime);
        return users.insertToken(c, userId, Tokens.sha256(token), purpose, expires)
                .map(x -> new Link(linkBase + "/accept-invitation#token=" + token, expires));
    }

    /**
     * An access level the caller may give someone: it exists in the organization, the Account Owner level only
     * from an Account Owner, and nothing beyond the caller's own rights (no escalation through assignment).
     */
    private Future<JsonObject> assignable(Tenant c, Caller caller, UUID levelId) {
        return levels.find(c, levelId).compose(level -> {
            if (level == null) {
                return Future.failedFuture(new Invalid("accessLevelId", "Field 'accessLevelId' names no access level"));
            }
            if ("ACCOUNT_OWNER".equals(level.getString("builtin")) && !caller.isAccountOwner()) {
                return Future.failedFuture(onlyOwners("accessLevelId"));
            }
            Rights.Uncovered missing = caller.rights().firstNotCovered(Rights.fromJson(level));
            if (missing != null) {
                // named even when the level is the default (Employee): choosing another one is the remedy
                return Future.failedFuture(Forbidden.escalation(
                        "You cannot assign an access level granting " + missing.description()
                                + ", which you do not hold",
                        "accessLevelId"));
            }
            return Future.succeededFuture(level);
        });
    }

    /**
     * The user {@code id} of the caller's organization (404 otherwise) when the caller may act on their account: it
     * holds nothing the caller lacks (for other features' account actions, e.g. resetting second factors).
     */
    public Future<JsonObject> actionable(Tenant c, Caller caller, UUID id, String what) {
        return users.find(c, id)
                .map(UserService::found)
                .compose(user -> stronger(c, caller, user, what, null).map(user));
    }

    /**
     * Refuses acting on an account whose access level holds something the caller does not (no escalation); {@code
     * field} is the request field the refusal concerns, if any.
     */
    private Future<Void> stronger(Tenant c, Caller caller, JsonObject user, String what, String field) {
        return levels.find(c, UUID.fromString(user.getJsonObject("accessLevel").getString("id")))
                .compose(level -> {
                    Rights.Uncovered missing = caller.rights().firstNotCovered(Rights.fromJson(level));
                    if (missing == null && isOwner(user) && !caller.isAccountOwner()) {
                        return Future.failedFuture(onlyOwners(field));
                    }
                    return missing == null
                            ? Future.succeededFuture()
                            : Future.failedFuture(Forbidden.escalation(
                                    "You cannot " + what + " a user whose access level grants " + missing.description()
                                            + ", which you do not hold",
                                    field));
                });
    }

    private static boolean isOwner(JsonObject user) {
        return "ACCOUNT_OWNER".equals(user.getJsonObject("accessLevel").getString("builtin"));
    }

    private Future<Void> keepsAnOwner(Tenant c, UUID id, JsonObject user) {
        if (!isOwner(user) || !"ACTIVE".equals(user.getString("status"))) {
            return Future.succeededFuture();
        }
        return users.otherActiveOwners(c, id)
                .compose(n -> n > 0
                        ? Future.succeededFuture()
                        : Future.failedFuture(new Conflict(
                                "last-account-owner", "The organization must keep at least one active Account Owner")));
    }

    private static JsonObject found(JsonObject user) {
        if (user == null) {
            throw new NotFound("No such user");
        }
        return user;
    }

    private static Forbidden onlyOwners(String field) {
        return Forbidden.because("Only an Account Owner may grant or remove the Account Owner access level", field);
    }
}
