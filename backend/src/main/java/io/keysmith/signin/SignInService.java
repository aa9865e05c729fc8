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
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
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

    /**
     * A successful sign-in (session token for the cookie and the /me body), a choice of organizations, or a
     * challenge: the password was right and a second factor is owed ({@link #completeSignIn}).
     */
    public record Outcome(
            String sessionToken, JsonObject me, JsonArray organizations, String challenge, List<String> methods) {
        public Outcome(String sessionToken, JsonObject me, JsonArray organizations) {
            this(sessionToken, me, organizations, null, List.of());
        }
    }

    /** How long a password-checked sign-in waits for its second factor. */
    static final java.time.Duration CHALLENGE_LIFETIME = java.time.Duration.ofMinutes(5);

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
    private final SecondFactorService secondFactors;
    private final SecondFactorRepository factorRepository;
    private PasskeyService passkeys;

    /** Passkeys (set by the feature's assembly: they verify, this service makes the sessions). */
    void passkeys(PasskeyService passkeys) {
        this.passkeys = passkeys;
    }

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
            AuditRepository audit,
            SecondFactorService secondFactors,
            SecondFactorRepository factorRepository) {
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
        this.secondFactors = secondFactors;
        this.factorRepository = factorRepository;
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
                                    c -> secondFactors
                                            .hasFactor(c, m.userId())
                                            .compose(has -> has
                                                    ? challenge(c, m.userId())
                                                    : signedIn(c, m.userId(), List.of("pwd"), source, null))));
                });
    }

    /** The password was right; the user has a second factor: a short-lived challenge instead of a session. */
    private Future<Outcome> challenge(Tenant c, UUID userId) {
        String token = Tokens.random();
        return factorRepository
                .insertChallenge(
                        c,
                        Tokens.sha256(token),
                        userId,
                        java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plus(CHALLENGE_LIFETIME))
                .compose(x -> secondFactors.methods(c, userId))
                .map(methods -> new Outcome(null, null, null, token, methods));
    }

    /**
     * Options for a passkey sign-in: with the password-checked sign-in's {@code challenge}, a second factor among the
     * user's passkeys (bound to that challenge); without, a passwordless one (discoverable passkeys, verification
     * required).
     */
    public Future<JsonObject> passkeyOptions(String challenge, String source) {
        if (challenge == null) {
            return passkeys.passwordlessOptions(source);
        }
        byte[] hash = Tokens.sha256(challenge);
        return db.withoutOrganization(c -> factorRepository.findChallenge(c, hash))
                .compose(row -> row == null
                        ? Future.<JsonObject>failedFuture(Unauthenticated.wrongSecondFactor(
                                "This sign-in has expired or was completed: sign in again with your password"))
                        : db.inOrganization(
                                row.getUUID("organization_id"),
                                c -> passkeys.assertionOptions(
                                        c, row.getUUID("user_id"), PasskeyService.SECOND_FACTOR, hash, false)));
    }

    /**
     * Signs in with a passkey: passwordless (amr hwk + user: possession and the authenticator's user verification),
     * or as the second factor of a password-checked sign-in (amr pwd + hwk). An organization that requires single
     * sign-on refuses passwordless sign-in like a password (except its break-glass Account Owner).
     */
    public Future<Outcome> signInWithPasskey(JsonObject credential, String challenge, String source) {
        if (challenge == null) {
            return passkeys.verify(credential, PasskeyService.PASSWORDLESS, null, true, source)
                    .compose(v -> passwordGate
                            .refusing(List.of(v.organizationId()))
                            .compose(refused -> refused.test(v.organizationId(), v.userId())
                                    ? Future.<Outcome>failedFuture(ssoRequired())
                                    : db.inOrganization(
                                            v.organizationId(),
                                            c -> signedIn(c, v.userId(), List.of("hwk", "user"), source, null))));
        }
        byte[] hash = Tokens.sha256(challenge);
        return db.withoutOrganization(c -> factorRepository.findChallenge(c, hash))
                .compose(row -> {
                    if (row == null) {
                        return Future.<Outcome>failedFuture(Unauthenticated.wrongSecondFactor(
                                "This sign-in has expired or was completed: sign in again with your password"));
                    }
                    UUID org = row.getUUID("organization_id");
                    UUID userId = row.getUUID("user_id");
                    return passkeys.verify(credential, PasskeyService.SECOND_FACTOR, hash, false, source)
                            .compose(v -> !v.organizationId().equals(org)
                                            || !v.userId().equals(userId)
                                    ? Future.<Outcome>failedFuture(
                                            Unauthenticated.wrongSecondFactor("This passkey is not yours"))
                                    : db.inOrganization(
                                            org,
                                            c -> factorRepository
                                                    .consumeChallenge(c, hash)
                                                    .compose(spent -> spent
                                                            ? signedIn(c, userId, List.of("pwd", "hwk"), source, null)
                                                            : Future.<Outcome>failedFuture(
                                                                    Unauthenticated.wrongSecondFactor(
                                                                            "This sign-in was completed already")))));
                });
    }

    /** Options for a step-up with one of the caller's passkeys, bound to this session. */
    public Future<JsonObject> stepUpPasskeyOptions(Caller caller) {
        return db.inOrganization(
                caller.organizationId(),
                c -> passkeys.assertionOptions(
                        c, caller.userId(), PasskeyService.STEP_UP, Tokens.sha256(caller.sessionToken()), false));
    }

    private Future<Void> stepUpWithPasskey(Caller caller, JsonObject credential, String source) {
        return passkeys.verify(credential, PasskeyService.STEP_UP, Tokens.sha256(caller.sessionToken()), false, source)
                .compose(v -> !v.organizationId().equals(caller.organizationId())
                                || !v.userId().equals(caller.userId())
                        ? Future.<Void>failedFuture(Unauthenticated.wrongSecondFactor("This passkey is not yours"))
                        : db.inOrganization(caller.organizationId(), c -> steppedUp(c, caller, "hwk", source)));
    }

    /** A session authenticated by {@code amr}, audited with how (and whether a recovery code was spent). */
    private Future<Outcome> signedIn(
            Tenant c, UUID userId, List<String> amr, String source, SecondFactorService.Proof proof) {
        return sessions.create(c, userId, amr)
                .compose(token -> audit.append(
                                c,
                                AuditEvent.by(userId, "session.signed-in", "user", userId, source)
                                        .with("amr", new JsonArray(amr)))
                        .compose(y -> proof != null && proof.recoveryCode()
                                ? recoveryCodeUsed(c, userId, source)
                                : Future.<Void>succeededFuture())
                        .compose(y -> me(c, userId, token))
                        .map(me -> new Outcome(token, me, null)));
    }

    private Future<Void> recoveryCodeUsed(Tenant c, UUID userId, String source) {
        return factorRepository
                .recoveryCodesLeft(c, userId)
                .compose(left -> audit.append(
                        c,
                        AuditEvent.by(userId, "user.recovery-code-used", "user", userId, source)
                                .with("recoveryCodesLeft", left)));
    }

    /**
     * The second step of a sign-in: the challenge from the first and a TOTP code or a recovery code. Throttled per
     * user and address like passwords; a failure is audited in the user's organization (never the code).
     */
    public Future<Outcome> completeSignIn(String challenge, String code, String recoveryCode, String source) {
        if ((code == null) == (recoveryCode == null)) {
            return Future.<Outcome>failedFuture(
                    new Invalid("code", "Give either a code from the authenticator app or a recovery code"));
        }
        byte[] hash = Tokens.sha256(challenge);
        return db.withoutOrganization(c -> factorRepository.findChallenge(c, hash))
                .compose(row -> {
                    if (row == null) {
                        return Future.<Outcome>failedFuture(Unauthenticated.wrongSecondFactor(
                                "This sign-in has expired or was completed: sign in again with your password"));
                    }
                    UUID org = row.getUUID("organization_id");
                    UUID userId = row.getUUID("user_id");
                    return throttle.reserveSecondFactor(userId, source)
                            .compose(x -> db.inOrganization(
                                    org,
                                    c -> secondFactors
                                            .prove(c, userId, code, recoveryCode)
                                            .compose(proof -> proof == null
                                                    ? Future.succeededFuture((Outcome) null)
                                                    : factorRepository
                                                            .consumeChallenge(c, hash)
                                                            .compose(spent -> spent
                                                                    ? signedIn(
                                                                            c,
                                                                            userId,
                                                                            List.of("pwd", proof.amr()),
                                                                            source,
                                                                            proof)
                                                                    : Future.succeededFuture((Outcome) null)))))
                            .compose(outcome -> outcome != null
                                    ? throttle.secondFactorSucceeded(userId, source)
                                            .map(outcome)
                                    : factorFailed(org, userId, source, "sign-in")
                                            .compose(
                                                    y -> Future.<Outcome>failedFuture(Unauthenticated.wrongSecondFactor(
                                                            "The code is not right (or was used already)"))));
                });
    }

    private Future<Void> factorFailed(UUID org, UUID userId, String source, String during) {
        return db.inOrganization(
                org,
                c -> audit.append(
                        c,
                        AuditEvent.by(userId, "session.second-factor-failed", "user", userId, source)
                                .with("during", during)));
    }

    /**
     * Step-up ("sudo mode"): the signed-in user authenticates again, with a second factor when they have one, else
     * with their password when the organization allows it; the session is fresh from now on for the step-up window.
     */
    public Future<Void> stepUp(
            Caller caller, String password, String code, String recoveryCode, JsonObject passkey, String source) {
        if (passkey != null) {
            return stepUpWithPasskey(caller, passkey, source);
        }
        UUID org = caller.organizationId();
        UUID userId = caller.userId();
        return db.inOrganization(
                        org,
                        c -> secondFactors
                                .hasFactor(c, userId)
                                .compose(has -> factorRepository
                                        .policy(c)
                                        .compose(policy ->
                                                users.find(c, userId).map(user -> new Object[] {has, policy, user}))))
                .compose(state -> {
                    boolean has = (Boolean) state[0];
                    JsonObject policy = (JsonObject) state[1];
                    String email = ((JsonObject) state[2]).getString("email");
                    if (has) {
                        if ((code == null) == (recoveryCode == null)) {
                            return Future.<Void>failedFuture(new Invalid(
                                    "code",
                                    "Confirm with a passkey, a code from your authenticator app or a recovery code"));
                        }
                        return throttle.reserveSecondFactor(userId, source)
                                .compose(x -> db.inOrganization(
                                        org,
                                        c -> secondFactors
                                                .prove(c, userId, code, recoveryCode)
                                                .compose(proof -> proof == null
                                                        ? Future.succeededFuture(false)
                                                        : steppedUp(c, caller, proof.amr(), source)
                                                                .compose(y -> proof.recoveryCode()
                                                                        ? recoveryCodeUsed(c, userId, source)
                                                                        : Future.<Void>succeededFuture())
                                                                .map(true))))
                                .compose(ok -> ok
                                        ? throttle.secondFactorSucceeded(userId, source)
                                        : factorFailed(org, userId, source, "step-up")
                                                .compose(y -> Future.<Void>failedFuture(SecondFactorService.wrongCode(
                                                        recoveryCode != null ? "recoveryCode" : "code"))));
                    }
                    if (!policy.getBoolean("stepUpPasswordAllowed")) {
                        return Future.<Void>failedFuture(new Conflict(
                                "second-factor-required",
                                "Your organization accepts only a second factor here: set up an authenticator app"));
                    }
                    if (password == null) {
                        return Future.<Void>failedFuture(new Invalid("password", "Confirm with your password"));
                    }
                    return hasher.admit(source)
                            .compose(x -> throttle.reserve(email, source))
                            .compose(x -> db.withoutOrganization(c -> repository.candidates(c, email)))
                            .compose(rows -> {
                                List<Candidate> mine = new ArrayList<>();
                                for (Row r : rows) {
                                    if (r.getUUID("organization_id").equals(org)
                                            && r.getUUID("user_id").equals(userId)) {
                                        mine.add(new Candidate(org, null, userId, r.getString("password_hash")));
                                    }
                                }
                                return matching(email, mine, password, source);
                            })
                            .compose(matches -> matches.isEmpty()
                                    ? factorFailed(org, userId, source, "step-up")
                                            .compose(y -> Future.<Void>failedFuture(
                                                    new Invalid("password", "The password is wrong")))
                                    : throttle.succeeded(email, source)
                                            .compose(y ->
                                                    db.inOrganization(org, c -> steppedUp(c, caller, "pwd", source))));
                });
    }

    private Future<Void> steppedUp(Tenant c, Caller caller, String method, String source) {
        return sessions.reauthenticated(c, caller.sessionToken(), method)
                .compose(x -> audit.append(
                        c,
                        AuditEvent.by(caller.userId(), "session.stepped-up", "user", caller.userId(), source)
                                .with("method", method)));
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
                                        .put("csrfToken", sessions.csrfToken(sessionToken))))
                        .compose(me -> sessions.describe(c, sessionToken)
                                .map(s -> s == null
                                        ? me
                                        : me.put(
                                                "authentication",
                                                new JsonObject()
                                                        .put("amr", new JsonArray(s.amr()))
                                                        .put(
                                                                "authenticatedAt",
                                                                s.authenticatedAt()
                                                                        .toInstant()
                                                                        .toString())
                                                        .put("stepUpMinutes", s.stepUpMinutes())
                                                        .put("secondFactor", s.hasSecondFactor())
                                                        .put("secondFactorEnrolmentRequired", s.mustEnrol())))));
    }

    /**
     * Sets the password from a one-time invitation or reset token, ends older sessions, and signs in, unless the
     * user has a second factor: then the outcome has no session (they sign in with the new password and the factor).
     */
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
                                            // a link is no second factor: whoever has one signs in with it
                                            .compose(x -> secondFactors.hasFactor(c, userId))
                                            .compose(has -> has
                                                    ? Future.succeededFuture(new Outcome(null, null, null))
                                                    : sessions.create(c, userId)
                                                            .compose(session -> me(c, userId, session)
                                                                    .map(me -> new Outcome(session, me, null))))));
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
