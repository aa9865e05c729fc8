package io.keysmith.organizations;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.PasswordHasher;
import io.keysmith.auth.PasswordSalts;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.auth.Tokens;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.NotFound;
import io.keysmith.signin.SignInService;
import io.keysmith.users.LinkMailer;
import io.keysmith.users.UserService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Creating organizations: self-service sign-up (when enabled) or by the platform operator. */
public final class OrganizationService {
    static final Duration CONFIRMATION_LIFETIME = Duration.ofHours(24);
    private final Db db;
    private final boolean signUpEnabled;
    private final PasswordHasher hasher;
    private final PasswordSalts salts;
    private final SignInThrottle throttle;
    private final LinkMailer mailer;
    private final OrganizationRepository organizations;
    private final UserService users;
    private final SessionService sessions;
    private final SignInService signIn;
    private final AuditRepository audit;

    public OrganizationService(
            Db db,
            boolean signUpEnabled,
            PasswordHasher hasher,
            PasswordSalts salts,
            SignInThrottle throttle,
            LinkMailer mailer,
            OrganizationRepository organizations,
            UserService users,
            SessionService sessions,
            SignInService signIn,
            AuditRepository audit) {
        this.db = db;
        this.signUpEnabled = signUpEnabled;
        this.hasher = hasher;
        this.salts = salts;
        this.throttle = throttle;
        this.mailer = mailer;
        this.organizations = organizations;
        this.users = users;
        this.sessions = sessions;
        this.signIn = signIn;
        this.audit = audit;
    }

    /**
     * Throttled per address and per e-mail before any hashing. Without SMTP: organization, Account Owner and session
     * in one transaction, the answer is the owner's /me (no proof of the e-mail is possible; ADR 0010 says why that
     * is safe). With SMTP: nothing is created yet; a link is mailed and the answer is the same whether or not the
     * e-mail already has an account ({@link #confirmSignUp} creates the organization).
     */
    public Future<SignUpOutcome> signUp(JsonObject body, String linkBase, String source) {
        if (!signUpEnabled) {
            return Future.failedFuture(new Forbidden(
                    "sign-up-disabled", "This installation creates organizations through its operator", null));
        }
        String email = body.getString("email").trim();
        Future<String> hashed = hasher.admit(source)
                .compose(a -> throttle.reserveSignUp(email, source))
                .compose(x -> salts.forNewPassword(email))
                .compose(salt -> hasher.hash(body.getString("password"), salt, source));
        if (!mailer.enabled()) {
            return hashed.compose(hash -> create(body, hash, source)).map(o -> new SignUpOutcome(o, false));
        }
        String token = Tokens.random();
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(CONFIRMATION_LIFETIME);
        return hashed.compose(hash -> db.withoutOrganization(
                        c -> organizations.insertSignUpRequest(c, Tokens.sha256(token), body, hash, expires)))
                .compose(x -> mailer.sendSignUpConfirmation(
                        email,
                        body.getString("firstName").trim(),
                        body.getString("organizationName").trim(),
                        linkBase + "/confirm-sign-up#token=" + token))
                .map(sent -> new SignUpOutcome(null, true));
    }

    /** Follows the mailed link: the organization, its Account Owner and a session, once. */
    public Future<SignInService.Outcome> confirmSignUp(String token, String source) {
        byte[] hash = Tokens.sha256(token);
        return db.withoutOrganization(c -> organizations
                .consumeSignUpRequest(c, hash)
                .compose(request -> {
                    if (request == null) {
                        return Future.failedFuture(new NotFound("This link is not valid: it was used or has expired"));
                    }
                    return create(c, request, request.getString("passwordHash"), source, "sign-up-confirmed");
                }));
    }

    /** A sign-up's answer: signed in (no SMTP), or a link was mailed. */
    public record SignUpOutcome(SignInService.Outcome signedIn, boolean confirmationSent) {}

    private Future<SignInService.Outcome> create(JsonObject body, String hash, String source) {
        return db.withoutOrganization(c -> create(c, body, hash, source, "sign-up"));
    }

    /** Organization, Account Owner and session in the caller's transaction; the answer is the owner's /me. */
    private Future<SignInService.Outcome> create(
            SqlConnection c, JsonObject body, String hash, String source, String via) {
        return organizations
                .create(c, body.getString("organizationName").trim())
                .compose(org -> Db.setOrganization(c, org).map(x -> new Tenant(c, org)))
                .compose(t -> users.createOwner(t, body, hash).compose(owner -> {
                    UUID ownerId = UUID.fromString(owner.getString("id"));
                    return audit.append(
                                    t,
                                    AuditEvent.by(ownerId, "organization.created", "organization", t.org(), source)
                                            .with("via", via))
                            .compose(x -> sessions.create(t, ownerId))
                            .compose(token ->
                                    signIn.me(t, ownerId, token).map(me -> new SignInService.Outcome(token, me, null)));
                }));
    }

    public Future<JsonObject> createAsOperator(JsonObject body, String linkBase, String source) {
        JsonObject person = body.getJsonObject("owner");
        return db.withoutOrganization(c -> organizations
                        .create(c, body.getString("organizationName").trim())
                        .compose(org -> Db.setOrganization(c, org).map(x -> new Tenant(c, org)))
                        .compose(t -> users.createOwner(t, person, null)
                                .compose(owner -> users.issueLink(
                                                t, UUID.fromString(owner.getString("id")), "INVITATION", linkBase)
                                        .compose(link -> audit.append(
                                                        t,
                                                        AuditEvent.by(
                                                                        null,
                                                                        "organization.created",
                                                                        "organization",
                                                                        t.org(),
                                                                        source)
                                                                .label("operator")
                                                                .with("via", "operator"))
                                                .compose(x -> organizations.current(t))
                                                .map(orgJson -> new JsonObject()
                                                        .put("organization", orgJson)
                                                        .put("owner", owner)
                                                        .put("invitation", link.toJson()))))))
                .compose(created -> users.mailed(
                                created.getJsonObject("owner"),
                                created.getJsonObject("organization").getString("name"),
                                UserService.Link.fromJson(created.getJsonObject("invitation")),
                                false)
                        .map(link -> created.put("invitation", link)));
    }
}
