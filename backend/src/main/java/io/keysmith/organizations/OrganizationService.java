package io.keysmith.organizations;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.PasswordHasher;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInService;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.http.ApiProblem;
import io.keysmith.users.UserService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Creating organizations: self-service sign-up (when enabled) or by the platform operator. */
public final class OrganizationService {
    private final Db db;
    private final boolean signUpEnabled;
    private final PasswordHasher hasher;
    private final OrganizationRepository organizations;
    private final UserService users;
    private final SessionService sessions;
    private final SignInService signIn;
    private final AuditRepository audit;

    public OrganizationService(
            Db db,
            boolean signUpEnabled,
            PasswordHasher hasher,
            OrganizationRepository organizations,
            UserService users,
            SessionService sessions,
            SignInService signIn,
            AuditRepository audit) {
        this.db = db;
        this.signUpEnabled = signUpEnabled;
        this.hasher = hasher;
        this.organizations = organizations;
        this.users = users;
        this.sessions = sessions;
        this.signIn = signIn;
        this.audit = audit;
    }

    /** Organization, Account Owner and session in one transaction; the answer is the owner's /me. */
    public Future<SignInService.Outcome> signUp(JsonObject body, String source) {
        if (!signUpEnabled) {
            return Future.failedFuture(new ApiProblem(
                    403,
                    "sign-up-disabled",
                    "Sign-up is disabled",
                    "This installation creates organizations through its operator",
                    null));
        }
        return hasher.hash(body.getString("password"))
                .compose(hash -> db.withoutOrganization(c -> organizations
                        .create(c, body.getString("organizationName").trim())
                        .compose(org -> Db.setOrganization(c, org).map(x -> new Tenant(c, org)))
                        .compose(t -> users.createOwner(t, body, hash).compose(owner -> {
                            UUID ownerId = UUID.fromString(owner.getString("id"));
                            return audit.append(
                                            t,
                                            AuditEvent.by(
                                                            ownerId,
                                                            "organization.created",
                                                            "organization",
                                                            t.org(),
                                                            source)
                                                    .with("via", "sign-up"))
                                    .compose(x -> sessions.create(t, ownerId))
                                    .compose(token -> signIn.me(t, ownerId, token)
                                            .map(me -> new SignInService.Outcome(token, me, null)));
                        }))));
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
