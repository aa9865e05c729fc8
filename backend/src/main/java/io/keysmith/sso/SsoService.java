package io.keysmith.sso;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditAction;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.SignInThrottle;
import io.keysmith.auth.Tokens;
import io.keysmith.config.SecretSeal;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.Unauthenticated;
import io.keysmith.signin.SignInService;
import io.keysmith.text.Names;
import io.keysmith.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Single sign-on with OpenID Connect per organization (issue 21 item 5). The admin sets issuer, client and allowed
 * e-mail domains; a sign-in starts with a state, a nonce and a PKCE verifier that only the starting browser holds
 * (an HttpOnly cookie; the server keeps the S256 challenge), and completes when the IdP's code is redeemed and its
 * ID token validated. The user is the one linked to the IdP account, else the one with the token's verified e-mail
 * (then linked), else (just-in-time, if on) a new one with the default level. "SSO required" refuses passwords to
 * everyone of the organization but its break-glass Account Owner.
 */
public final class SsoService implements SignInService.PasswordGate {
    static final Duration LOGIN_LIFETIME = Duration.ofMinutes(10);
    private static final Pattern DOMAIN =
            Pattern.compile("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> AUDITED = List.of(
            "enabled",
            "issuer",
            "clientId",
            "clientSecret",
            "allowedDomains",
            "jitEnabled",
            "jitAccessLevelId",
            "ssoRequired",
            "breakGlassUserId");

    /** A started sign-in: the answer, and the PKCE verifier for the browser's cookie (null for a choice). */
    public record Start(JsonObject answer, String verifier) {}

    private final Db db;
    private final SsoRepository repository;
    private final OidcClient oidc;
    private final SecretSeal seal;
    private final SessionService sessions;
    private final SignInThrottle throttle;
    private final SignInService signIn;
    private final UserRepository users;
    private final AccessLevelRepository levels;
    private final AuditRepository audit;
    private final Supplier<String> publicBase;

    public SsoService(
            Db db,
            SsoRepository repository,
            OidcClient oidc,
            SecretSeal seal,
            SessionService sessions,
            SignInThrottle throttle,
            SignInService signIn,
            UserRepository users,
            AccessLevelRepository levels,
            AuditRepository audit,
            Supplier<String> publicBase) {
        this.db = db;
        this.repository = repository;
        this.oidc = oidc;
        this.seal = seal;
        this.sessions = sessions;
        this.throttle = throttle;
        this.signIn = signIn;
        this.users = users;
        this.levels = levels;
        this.audit = audit;
        this.publicBase = publicBase;
    }

    /** Where the IdP sends the browser back: the SPA's page on the configured public URL, never a request's Host. */
    public String redirectUri() {
        return publicBase.get() + "/sso/callback";
    }

    // ---- settings ----

    public Future<JsonObject> settings(Caller caller) {
        return db.inOrganization(caller.organizationId(), repository::find).map(c -> view(caller, c));
    }

    public Future<JsonObject> save(Caller caller, JsonObject body, String source) {
        String issuer = body.getString("issuer").trim();
        if (!IssuerUrl.acceptableIssuer(issuer)) {
            throw new Invalid(
                    "issuer",
                    "Field 'issuer' must be an https URL without query or fragment (http only on the loopback"
                            + " interface)");
        }
        String clientId = body.getString("clientId").trim();
        if (clientId.isEmpty()) {
            throw new Invalid("clientId", "Field 'clientId' must not be blank");
        }
        List<String> domains = domains(body.getJsonArray("allowedDomains"));
        boolean enabled = body.getBoolean("enabled");
        boolean jit = body.getBoolean("jitEnabled", false);
        boolean required = body.getBoolean("ssoRequired", false);
        UUID jitLevel = uuid(body.getString("jitAccessLevelId"));
        UUID breakGlass = uuid(body.getString("breakGlassUserId"));
        String secret = body.getString("clientSecret");
        if (required && !enabled) {
            throw new Invalid("ssoRequired", "SSO can be required only while it is enabled");
        }
        if (required && breakGlass == null) {
            throw new Invalid(
                    "breakGlassUserId",
                    "Requiring SSO needs a break-glass Account Owner who can still sign in with a password");
        }
        return db.inOrganization(
                        caller.organizationId(),
                        t -> repository.findForUpdate(t).compose(before -> {
                            if (before == null && (secret == null || secret.isEmpty())) {
                                return Future.failedFuture(
                                        new Invalid("clientSecret", "Field 'clientSecret' is required the first time"));
                            }
                            boolean requirementChanged = before == null
                                    ? required || breakGlass != null
                                    : before.ssoRequired() != required
                                            || !Objects.equals(before.breakGlassUserId(), breakGlass);
                            if (requirementChanged && !caller.isAccountOwner()) {
                                // it decides whether Account Owners may still use their passwords
                                return Future.failedFuture(Forbidden.because(
                                        "Only an Account Owner may require SSO or choose the break-glass account",
                                        required != (before != null && before.ssoRequired())
                                                ? "ssoRequired"
                                                : "breakGlassUserId"));
                            }
                            return checkLevel(t, caller, jitLevel, before)
                                    .compose(x -> checkBreakGlass(t, breakGlass))
                                    .compose(x -> repository.save(
                                            t,
                                            new SsoRepository.Config(
                                                    t.org(),
                                                    enabled,
                                                    issuer,
                                                    clientId,
                                                    secret == null || secret.isEmpty()
                                                            ? before.clientSecretSealed()
                                                            : seal.seal(secret),
                                                    domains,
                                                    jit,
                                                    jitLevel,
                                                    required,
                                                    breakGlass,
                                                    0)))
                                    .compose(after -> audit.append(
                                                    t,
                                                    AuditEvent.by(
                                                                    caller.userId(),
                                                                    AuditAction.SSO_SETTINGS_CHANGED,
                                                                    "organization",
                                                                    t.org(),
                                                                    source)
                                                            .changed(changed(before, after, secret)))
                                            .map(after));
                        }))
                .onSuccess(c -> oidc.forget(c.issuer()))
                .map(c -> view(caller, c));
    }

    private static List<String> changed(SsoRepository.Config before, SsoRepository.Config after, String secret) {
        JsonObject b = before == null ? new JsonObject() : fields(before);
        JsonObject a = fields(after);
        List<String> out = new ArrayList<>(AuditEvent.differing(b, a, AUDITED));
        out.remove("clientSecret");
        if (secret != null && !secret.isEmpty()) {
            out.add("clientSecret"); // the name only: a new secret was given (its value is never compared or kept)
        }
        return out;
    }

    private static JsonObject fields(SsoRepository.Config c) {
        return new JsonObject()
                .put("enabled", c.enabled())
                .put("issuer", c.issuer())
                .put("clientId", c.clientId())
                .put("allowedDomains", new JsonArray(c.allowedDomains()))
                .put("jitEnabled", c.jitEnabled())
                .put(
                        "jitAccessLevelId",
                        c.jitAccessLevelId() == null
                                ? null
                                : c.jitAccessLevelId().toString())
                .put("ssoRequired", c.ssoRequired())
                .put(
                        "breakGlassUserId",
                        c.breakGlassUserId() == null
                                ? null
                                : c.breakGlassUserId().toString());
    }

    /** The default level of JIT users: one the admin could assign themselves (no escalation through SSO). */
    private Future<Void> checkLevel(Tenant t, Caller caller, UUID levelId, SsoRepository.Config before) {
        if (levelId == null || (before != null && levelId.equals(before.jitAccessLevelId()))) {
            return Future.succeededFuture();
        }
        return levels.find(t, levelId).compose(level -> {
            if (level == null) {
                return Future.failedFuture(
                        new Invalid("jitAccessLevelId", "Field 'jitAccessLevelId' names no access level"));
            }
            if ("ACCOUNT_OWNER".equals(level.getString("builtin")) && !caller.isAccountOwner()) {
                return Future.failedFuture(Forbidden.because(
                        "Only an Account Owner may make the Account Owner level the default", "jitAccessLevelId"));
            }
            Rights.Uncovered missing = caller.rights().firstNotCovered(Rights.fromJson(level));
            if (missing != null) {
                return Future.failedFuture(Forbidden.escalation(
                        "You cannot make new SSO users receive an access level granting " + missing.description()
                                + ", which you do not hold",
                        "jitAccessLevelId"));
            }
            return Future.succeededFuture();
        });
    }

    private Future<Void> checkBreakGlass(Tenant t, UUID userId) {
        if (userId == null) {
            return Future.succeededFuture();
        }
        return repository.userStatus(t, userId).compose(r -> {
            if (r == null
                    || !"ACTIVE".equals(r.getString("status"))
                    || !"ACCOUNT_OWNER".equals(r.getString("builtin"))) {
                return Future.failedFuture(
                        new Invalid("breakGlassUserId", "Field 'breakGlassUserId' must name an active Account Owner"));
            }
            return Future.succeededFuture();
        });
    }

    private JsonObject view(Caller caller, SsoRepository.Config c) {
        JsonObject j = new JsonObject()
                .put("configured", c != null)
                .put("enabled", c != null && c.enabled())
                .put("redirectUri", redirectUri())
                .put("signInUrl", publicBase.get() + "/sign-in?sso=" + caller.organizationId());
        if (c == null) {
            return j.put("allowedDomains", new JsonArray())
                    .put("jitEnabled", false)
                    .put("ssoRequired", false)
                    .put("clientSecretSet", false);
        }
        j.put("issuer", c.issuer())
                .put("clientId", c.clientId())
                .put("clientSecretSet", true)
                .put("allowedDomains", new JsonArray(c.allowedDomains()))
                .put("jitEnabled", c.jitEnabled())
                .put("ssoRequired", c.ssoRequired());
        if (c.jitAccessLevelId() != null) {
            j.put("jitAccessLevelId", c.jitAccessLevelId().toString());
        }
        if (c.breakGlassUserId() != null) {
            j.put("breakGlassUserId", c.breakGlassUserId().toString());
        }
        return j;
    }

    private static List<String> domains(JsonArray raw) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String d = raw.getString(i).trim().toLowerCase(Locale.ROOT);
            if (!DOMAIN.matcher(d).matches()) {
                throw new Invalid("allowedDomains." + i, "Each allowed domain must be a domain name such as acme.com");
            }
            out.add(d);
        }
        if (out.isEmpty()) {
            throw new Invalid("allowedDomains", "At least one allowed e-mail domain is required");
        }
        return List.copyOf(out);
    }

    private static UUID uuid(String s) {
        return s == null ? null : UUID.fromString(s);
    }

    // ---- sign-in ----

    /** Begins a sign-in for an e-mail's domain or an organization: the IdP's URL, or a choice of organizations. */
    public Future<Start> start(String email, UUID organizationId, String source) {
        return throttle.reserveAttempt(source)
                .compose(x -> email == null ? begin(organizationId, source) : byDomain(email, organizationId, source));
    }

    private Future<Start> begin(UUID org, String source) {
        return db.inOrganization(org, repository::find).compose(c -> {
            if (c == null || !c.enabled()) {
                return Future.failedFuture(notConfigured());
            }
            return oidc.discover(c.issuer()).compose(provider -> {
                String state = random();
                String nonce = random();
                String verifier = random();
                String challenge = challenge(verifier);
                return db.withoutOrganization(conn -> repository.insertState(
                                conn,
                                Tokens.sha256(state),
                                org,
                                nonce,
                                challenge,
                                source,
                                OffsetDateTime.now(ZoneOffset.UTC).plus(LOGIN_LIFETIME)))
                        .map(y -> new Start(
                                new JsonObject()
                                        .put("status", "REDIRECT")
                                        .put(
                                                "authorizationUrl",
                                                OidcClient.authorizationUrl(
                                                        provider,
                                                        c.clientId(),
                                                        redirectUri(),
                                                        state,
                                                        nonce,
                                                        challenge)),
                                verifier));
            });
        });
    }

    private Future<Start> byDomain(String email, UUID chosen, String source) {
        String domain = domainOf(email);
        if (domain == null) {
            return Future.failedFuture(new Invalid("email", "Field 'email' must be an e-mail address"));
        }
        return db.withoutOrganization(c -> repository.organizationsForDomain(c, domain))
                .compose(rows -> {
                    Map<UUID, String> orgs = new java.util.LinkedHashMap<>();
                    rows.forEach(r -> orgs.put(r.getUUID("organization_id"), r.getString("organization_name")));
                    if (orgs.isEmpty() || (chosen != null && !orgs.containsKey(chosen))) {
                        return Future.failedFuture(notConfigured());
                    }
                    if (chosen != null) {
                        return begin(chosen, source);
                    }
                    if (orgs.size() == 1) {
                        return begin(orgs.keySet().iterator().next(), source);
                    }
                    // domains are not proven (no DNS check), so several organizations may claim one: the person picks
                    JsonArray list = new JsonArray();
                    orgs.forEach((id, name) ->
                            list.add(new JsonObject().put("id", id.toString()).put("name", name)));
                    return Future.succeededFuture(new Start(
                            new JsonObject()
                                    .put("status", "CHOOSE_ORGANIZATION")
                                    .put("organizations", list),
                            null));
                });
    }

    /** Completes a sign-in: the state this browser began, the IdP's code redeemed, the ID token validated. */
    public Future<SignInService.Outcome> complete(String code, String state, String verifier, String source) {
        if (verifier == null || verifier.length() < 43 || verifier.length() > 128) {
            return Future.failedFuture(stateInvalid());
        }
        return throttle.reserveAttempt(source)
                .compose(x -> db.withoutOrganization(
                        c -> repository.consumeState(c, Tokens.sha256(state), challenge(verifier))))
                .compose(login -> {
                    if (login == null) {
                        return Future.failedFuture(stateInvalid());
                    }
                    UUID org = login.organizationId();
                    return db.inOrganization(org, repository::find).compose(c -> {
                        if (c == null || !c.enabled()) {
                            return Future.failedFuture(notConfigured());
                        }
                        String secret = seal.open(c.clientSecretSealed());
                        return oidc.discover(c.issuer())
                                .compose(p -> oidc.redeem(
                                        p, c.clientId(), secret, redirectUri(), code, verifier, login.nonce()))
                                .compose(identity -> signInAs(c, identity, source));
                    });
                });
    }

    private Future<SignInService.Outcome> signInAs(SsoRepository.Config c, OidcClient.Identity id, String source) {
        UUID org = c.organizationId();
        String email = id.email() == null ? null : id.email().trim();
        String domain = domainOf(email);
        if (email == null || !id.emailVerified()) {
            return failed(
                    org,
                    null,
                    id,
                    "no-verified-email",
                    source,
                    Forbidden.because(
                            "The identity provider did not vouch for an e-mail address (email, email_verified)"));
        }
        if (domain == null || !c.allowedDomains().contains(domain)) {
            return failed(
                    org,
                    null,
                    id,
                    "domain-not-allowed",
                    source,
                    new Forbidden(
                            "sso-domain-not-allowed",
                            "The e-mail's domain is not one the organization signs in with single sign-on",
                            null));
        }
        return db.inOrganization(
                        org,
                        t -> repository
                                .linkedUser(t, id.issuer(), id.subject())
                                .compose(linked -> linked != null
                                        ? Future.succeededFuture(linked)
                                        : byEmailOrJit(t, c, id, email, source))
                                .compose(userId -> userId == null
                                        ? Future.succeededFuture((SignInService.Outcome) null)
                                        : repository.userStatus(t, userId).compose(r -> {
                                            if (r == null || !"ACTIVE".equals(r.getString("status"))) {
                                                return Future.succeededFuture(null);
                                            }
                                            // amr "fed": authenticated by the identity provider, not a password
                                            return sessions.create(t, userId, List.of("fed"))
                                                    .compose(token -> audit.append(
                                                                    t,
                                                                    AuditEvent.by(
                                                                                    userId,
                                                                                    AuditAction.SESSION_SSO_SIGNED_IN,
                                                                                    "user",
                                                                                    userId,
                                                                                    source)
                                                                            .with("method", "sso")
                                                                            .with("amr", new JsonArray().add("fed"))
                                                                            .with("issuer", id.issuer()))
                                                            .compose(y -> signIn.me(t, userId, token))
                                                            .map(me -> new SignInService.Outcome(token, me, null)));
                                        })))
                .compose(outcome -> outcome != null
                        ? Future.succeededFuture(outcome)
                        : failed(
                                org,
                                null,
                                id,
                                "no-account",
                                source,
                                new Forbidden(
                                        "sso-no-account",
                                        "No active user of the organization has this e-mail, and just-in-time creation is"
                                                + " off",
                                        null)));
    }

    private Future<UUID> byEmailOrJit(
            Tenant t, SsoRepository.Config c, OidcClient.Identity id, String email, String source) {
        return repository.userByEmail(t, email).compose(row -> {
            if (row != null) {
                UUID userId = row.getUUID("id");
                if (!"ACTIVE".equals(row.getString("status"))) {
                    return Future.succeededFuture(null);
                }
                return repository.link(t, id.issuer(), id.subject(), userId).map(userId);
            }
            if (!c.jitEnabled()) {
                return Future.succeededFuture(null);
            }
            String local = email.substring(0, email.lastIndexOf('@'));
            return users.insert(
                            t,
                            email,
                            name(id.givenName(), local),
                            name(id.familyName(), "(SSO)"),
                            "EMPLOYEE",
                            c.jitAccessLevelId(),
                            "EMPLOYEE",
                            null)
                    .compose(user -> {
                        UUID userId = UUID.fromString(user.getString("id"));
                        return repository
                                .link(t, id.issuer(), id.subject(), userId)
                                .compose(x -> audit.append(
                                        t,
                                        AuditEvent.by(null, AuditAction.USER_SSO_PROVISIONED, "user", userId, source)
                                                .label("single sign-on")
                                                .with("issuer", id.issuer())))
                                .map(userId);
                    });
        });
    }

    /** A refusal after the IdP vouched: recorded in the organization (who tried, never the token), then answered. */
    private <T> Future<T> failed(
            UUID org, UUID userId, OidcClient.Identity id, String reason, String source, RuntimeException answer) {
        return db.inOrganization(
                        org,
                        t -> audit.append(
                                t,
                                AuditEvent.by(null, AuditAction.SESSION_SSO_SIGN_IN_FAILED, "user", userId, source)
                                        .label(id.email() == null ? "single sign-on" : truncate(id.email()))
                                        .with("reason", reason)
                                        .with("issuer", id.issuer())))
                .transform(x -> Future.failedFuture(answer));
    }

    // ---- password gate ----

    @Override
    public Future<BiPredicate<UUID, UUID>> refusing(List<UUID> organizations) {
        if (organizations.isEmpty()) {
            return Future.succeededFuture((o, u) -> false);
        }
        return db.withoutOrganization(c -> repository.requiringSso(c, organizations.toArray(new UUID[0])))
                .map(rows -> {
                    Map<UUID, UUID> breakGlass = new HashMap<>();
                    for (Row r : rows) {
                        breakGlass.put(r.getUUID("organization_id"), r.getUUID("break_glass_user_id"));
                    }
                    return (o, u) -> breakGlass.containsKey(o) && !u.equals(breakGlass.get(o));
                });
    }

    // ---- helpers ----

    private static String name(String given, String fallback) {
        String v = given == null || given.isBlank() ? fallback : given.trim();
        if (v.length() > 100) {
            v = v.substring(0, 100);
        }
        try {
            return Names.normalized("name", v);
        } catch (Invalid e) {
            return fallback.length() > 100 ? fallback.substring(0, 100) : fallback;
        }
    }

    private static String truncate(String s) {
        return s.length() > 254 ? s.substring(0, 254) : s;
    }

    static String domainOf(String email) {
        if (email == null) {
            return null;
        }
        int at = email.lastIndexOf('@');
        if (at < 1 || at == email.length() - 1) {
            return null;
        }
        return email.substring(at + 1).trim().toLowerCase(Locale.ROOT);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** RFC 7636 S256: BASE64URL(SHA-256(ASCII(verifier))). */
    static String challenge(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NotFound notConfigured() {
        return new NotFound("No organization signs in this way with single sign-on");
    }

    private static Unauthenticated stateInvalid() {
        return Unauthenticated.sso(
                "sso-state-invalid",
                "This single sign-on attempt is unknown, already used, expired or began in another browser: start"
                        + " again");
    }
}
