package io.keysmith.signin;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.PasswordHasher;
import io.keysmith.auth.PasswordSalts;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInRepository;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.auth.Tokens;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.Unauthenticated;
import io.keysmith.users.OrganizationLookup;
import io.keysmith.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Sign-in, sign-out, accepting invitations. The password is checked before anything about organizations is
 * revealed; a person in several organizations then chooses one. A sign-in costs one password hash whatever the
 * number of memberships (ADR 0010). Attempts are throttled; a failure is audited only in the organization chosen.
 */
public final class SignInService {

    /** A successful sign-in (session token for the cookie and the /me body) or a choice of organizations. */
    public record Outcome(String sessionToken, JsonObject me, JsonArray organizations) {}

    private record Candidate(UUID organizationId, String organizationName, UUID userId, String passwordHash) {}

    private final Db db;
    private final SignInRepository repository;
    private final PasswordHasher hasher;
    private final PasswordSalts salts;
    private final SessionService sessions;
    private final SignInThrottle throttle;
    private final UserRepository users;
    private final OrganizationLookup organizations;
    private final AccessLevelRepository levels;
    private final AuditRepository audit;

    /**
     * Which memberships may not use a password (their organization requires single sign-on); the sso feature sets
     * it. Asked only after the password was right, so it reveals nothing to a guesser.
     */
    @FunctionalInterface
    public interface PasswordGate {
        PasswordGate OPEN = organizations -> Future.succeededFuture((organization, user) -> false);

        /** For these organizations: a test of (organization, user) that is true when a password is refused. */
        Future<java.util.function.BiPredicate<UUID, UUID>> refusing(List<UUID> organizations);
    }

    private PasswordGate passwordGate = PasswordGate.OPEN;

    public void passwordGate(PasswordGate gate) {
        this.passwordGate = gate;
    }

    public SignInService(
            Db db,
            SignInRepository repository,
            PasswordHasher hasher,
            PasswordSalts salts,
            SessionService sessions,
            SignInThrottle throttle,
            UserRepository users,
            OrganizationLookup organizations,
            AccessLevelRepository levels,
            AuditRepository audit) {
        this.db = db;
        this.repository = repository;
        this.hasher = hasher;
        this.salts = salts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.users = users;
        this.organizations = organizations;
        this.levels = levels;
        this.audit = audit;
    }

    public Future<Outcome> signIn(String email, String password, UUID chosen, String source) {
        return hasher.admit(source)
                .compose(x -> throttle.reserve(email, source))
                .compose(x -> db.withoutOrganization(c -> repository.candidates(c, email.trim())))
                .compose(rows -> {
                    List<Candidate> candidates = new ArrayList<>();
                    for (Row r : rows) {
                        candidates.add(new Candidate(
                                r.getUUID("organization_id"),
                                r.getString("organization_name"),
                                r.getUUID("user_id"),
                                r.getString("password_hash")));
                    }
                    return matching(email, candidates, password, source)
                            .compose(matches -> matches.isEmpty()
                                    ? auditFailure(candidates, chosen, source)
                                            .compose(x -> Future.<List<Candidate>>failedFuture(invalid()))
                                    : Future.succeededFuture(matches));
                })
                .compose(matches -> passwordGate
                        .refusing(matches.stream()
                                .map(Candidate::organizationId)
                                .distinct()
                                .toList())
                        .map(refused -> {
                            List<Candidate> open = matches.stream()
                                    .filter(m -> !refused.test(m.organizationId(), m.userId()))
                                    .toList();
                            boolean chosenRefused = chosen != null
                                    && matches.stream()
                                            .anyMatch(m -> m.organizationId().equals(chosen)
                                                    && refused.test(m.organizationId(), m.userId()));
                            if (open.isEmpty() || chosenRefused) {
                                throw ssoRequired();
                            }
                            return open;
                        }))
                .compose(matches -> {
                    List<Candidate> pick = chosen == null
                            ? matches
                            : matches.stream()
                                    .filter(m -> m.organizationId().equals(chosen))
                                    .toList();
                    if (pick.isEmpty()) {
                        return Future.failedFuture(invalid());
                    }
                    if (pick.size() > 1) {
                        JsonArray orgs = new JsonArray();
                        pick.forEach(m -> orgs.add(new JsonObject()
                                .put("id", m.organizationId().toString())
                                .put("name", m.organizationName())));
                        return throttle.succeeded(email, source).map(x -> new Outcome(null, null, orgs));
                    }
                    Candidate m = pick.get(0);
                    return throttle.succeeded(email, source)
                            .compose(x -> db.inOrganization(
                                    m.organizationId(),
                                    c -> sessions.create(c, m.userId())
                                            .compose(token -> audit.append(
                                                            c,
                                                            AuditEvent.by(
                                                                    m.userId(),
                                                                    "session.signed-in",
                                                                    "user",
                                                                    m.userId(),
                                                                    source))
                                                    .compose(y -> me(c, m.userId(), token))
                                                    .map(me -> new Outcome(token, me, null)))));
                });
    }

    /**
     * A failed sign-in is recorded only in the organization the request chose, if the e-mail belongs there (never
     * the password). Anyone can sign up an organization with someone else's e-mail, so an organization the person did
     * not choose never learns of their mistyped passwords; the attempt is still counted by the throttle.
     */
    private Future<Void> auditFailure(List<Candidate> candidates, UUID chosen, String source) {
        if (chosen == null) {
            return Future.succeededFuture();
        }
        return candidates.stream()
                .filter(c -> c.organizationId().equals(chosen))
                .findFirst()
                .map(c -> db.inOrganization(
                        c.organizationId(),
                        conn -> audit.append(
                                conn, AuditEvent.by(null, "session.sign-in-failed", "user", c.userId(), source))))
                .orElse(Future.succeededFuture());
    }

    /**
     * One Argon2 computation whatever the number of memberships: the password with the person's salt (a decoy salt
     * for an unknown e-mail, so timing does not tell whether it exists), compared in constant time with each
     * membership's stored string.
     */
    private Future<List<Candidate>> matching(String email, List<Candidate> candidates, String password, String source) {
        return salts.forSignIn(email)
                .compose(salt -> hasher.hash(password, salt, source))
                .map(derived -> candidates.stream()
                        .filter(c -> PasswordHasher.sameHash(derived, c.passwordHash()))
                        .toList());
    }

    public Future<Void> signOut(Caller caller, String source) {
        return db.inOrganization(
                caller.organizationId(),
                c -> sessions.end(c, caller.sessionToken())
                        .compose(x -> audit.append(
                                c,
                                AuditEvent.by(
                                        caller.userId(), "session.signed-out", "user", caller.userId(), source))));
    }

    public Future<JsonObject> me(Caller caller) {
        return db.inOrganization(caller.organizationId(), c -> me(c, caller.userId(), caller.sessionToken()));
    }

    public Future<JsonObject> me(Tenant c, UUID userId, String sessionToken) {
        return organizations
                .current(c)
                .compose(org -> users.find(c, userId)
                        .compose(user -> levels.find(
                                        c,
                                        UUID.fromString(user.getJsonObject("accessLevel")
                                                .getString("id")))
                                .map(level -> new JsonObject()
                                        .put("user", user)
                                        .put("organization", org)
                                        .put("permissions", level.getJsonArray("permissions"))
                                        .put("recordScope", level.getString("recordScope"))
                                        .put("fieldRights", level.getJsonObject("fieldRights"))
                                        .put("csrfToken", sessions.csrfToken(sessionToken)))));
    }

    /** Sets the password from a one-time invitation or reset token, ends older sessions, and signs in. */
    public Future<Outcome> acceptInvitation(String token, String password, String source) {
        byte[] hash = Tokens.sha256(token);
        return hasher.admit(source)
                .compose(a -> db.withoutOrganization(c -> users.findToken(c, hash)))
                .compose(row -> {
                    if (row == null) {
                        return Future.failedFuture(
                                new NotFound("This link is not valid: it was used, replaced or has expired"));
                    }
                    UUID org = row.getUUID("organization_id");
                    UUID userId = row.getUUID("user_id");
                    String purpose = row.getString("purpose");
                    // the person's salt: this membership's hash joins the one a sign-in computes for the e-mail
                    return passwordGate
                            .refusing(List.of(org))
                            .compose(refused -> refused.test(org, userId)
                                    ? Future.<Void>failedFuture(ssoRequired())
                                    : Future.<Void>succeededFuture())
                            .compose(x -> db.inOrganization(org, c -> users.find(c, userId)))
                            .compose(user -> salts.forNewPassword(user.getString("email")))
                            .compose(salt -> hasher.hash(password, salt, source))
                            .compose(passwordHash -> db.inOrganization(
                                    org,
                                    c -> users.consumeToken(c, hash)
                                            .compose(consumed -> consumed
                                                    ? Future.succeededFuture()
                                                    : Future.failedFuture(new NotFound("This link was just used")))
                                            .compose(x -> users.setPassword(c, userId, passwordHash))
                                            .compose(x -> SessionService.endAllOf(c, userId))
                                            .compose(x -> audit.append(
                                                    c,
                                                    AuditEvent.by(
                                                            userId,
                                                            purpose.equals("INVITATION")
                                                                    ? "user.invitation-accepted"
                                                                    : "user.password-reset",
                                                            "user",
                                                            userId,
                                                            source)))
                                            .compose(x -> sessions.create(c, userId))
                                            .compose(session ->
                                                    me(c, userId, session).map(me -> new Outcome(session, me, null)))));
                });
    }

    private static io.keysmith.errors.Forbidden ssoRequired() {
        return new io.keysmith.errors.Forbidden(
                "sso-required",
                "This organization signs in with single sign-on: use \"Sign in with SSO\" instead of a password",
                null);
    }

    private static Unauthenticated invalid() {
        return Unauthenticated.wrongCredentials();
    }
}
