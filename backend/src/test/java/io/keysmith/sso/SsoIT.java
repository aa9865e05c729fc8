package io.keysmith.sso;

import static io.keysmith.support.Api.problem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.OidcProvider;
import io.keysmith.support.OidcProvider.Person;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Issue 21 item 5: single sign-on with OpenID Connect against a real provider on loopback ({@link OidcProvider}: its
 * own RSA key, discovery, JWKS, one-time codes, PKCE, signed ID tokens). The test plays the browser: it starts the
 * sign-in, follows the provider's redirect by hand and posts the code and state back with the cookie it was given.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Single sign-on through the organization's OpenID Connect provider")
class SsoIT {
    private static final String REDIRECT = "http://keysmith.test/sso/callback";
    private static final HttpClient BROWSER =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static OidcProvider idp;
    private static ListAppender<ILoggingEvent> logged;

    private static Session owner;
    private static String domain;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("sso");
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        idp = OidcProvider.start(REDIRECT);
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
        domain = uniqueDomain();
        owner = api.signUp("SSO Org", "owner@" + domain);
        configure(owner, idp, settings(idp, domain));
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
        idp.close();
        server.close();
    }

    @AfterEach
    void wellBehaved() {
        idp.reset();
    }

    // ---- helpers ----

    private static String uniqueDomain() {
        return "acme-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    }

    static JsonObject settings(OidcProvider p, String... domains) {
        return new JsonObject()
                .put("enabled", true)
                .put("issuer", p.issuer())
                .put("clientId", p.clientId)
                .put("clientSecret", p.clientSecret)
                .put("allowedDomains", new JsonArray(List.of(domains)))
                .put("jitEnabled", false);
    }

    static JsonObject configure(Session admin, OidcProvider p, JsonObject body) {
        HttpResponse<Buffer> r = api.put("/api/v1/organization/sso", admin, body);
        assertThat(r.statusCode()).as("save SSO settings: %s", r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    /** What the browser holds after "start" and the provider's redirect: its cookie, the state and the code. */
    record Flow(String cookie, String state, String code) {}

    static HttpResponse<Buffer> startResponse(JsonObject body) {
        return api.postJson("/api/v1/sso/start", body);
    }

    static Flow begin(JsonObject startBody, Person who) throws Exception {
        idp.signsIn(who);
        HttpResponse<Buffer> r = startResponse(startBody);
        assertThat(r.statusCode()).as("start: %s", r.bodyAsString()).isEqualTo(200);
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("status")).isEqualTo("REDIRECT");
        String setCookie = r.cookies().stream()
                .filter(c -> c.startsWith("ks_sso="))
                .findFirst()
                .orElseThrow();
        assertThat(setCookie)
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Lax")
                .contains("Path=/api/v1/sso");
        String url = body.getString("authorizationUrl");
        Map<String, String> q = OidcProvider.query(url);
        assertThat(q.get("code_challenge_method")).isEqualTo("S256");
        assertThat(q.get("redirect_uri")).isEqualTo(REDIRECT);
        assertThat(q.get("nonce")).isNotBlank();
        java.net.http.HttpResponse<String> authorized =
                BROWSER.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), BodyHandlers.ofString());
        assertThat(authorized.statusCode())
                .as("authorize: %s", authorized.body())
                .isEqualTo(302);
        Map<String, String> back =
                OidcProvider.query(authorized.headers().firstValue("Location").orElseThrow());
        return new Flow(setCookie.substring("ks_sso=".length()).split(";", 2)[0], back.get("state"), back.get("code"));
    }

    static HttpResponse<Buffer> complete(Flow f) {
        return complete(f.cookie(), f.state(), f.code());
    }

    static HttpResponse<Buffer> complete(String cookie, String state, String code) {
        var req = api.request(HttpMethod.POST, "/api/v1/sso/callback", null);
        if (cookie != null) {
            req.putHeader("Cookie", "ks_sso=" + cookie);
        }
        return Api.send(req, new JsonObject().put("code", code).put("state", state))
                .await();
    }

    /** Creates a user as the admin; its id. */
    static String createUser(Session admin, String email, String kind, String level) {
        return api.createUser(admin, email, kind, level).getJsonObject("user").getString("id");
    }

    static Person person(String email) {
        return new Person(UUID.randomUUID().toString(), email, true, "Ada", "Lovelace");
    }

    static JsonObject byEmail(String email) {
        return new JsonObject().put("email", email);
    }

    private static JsonArray audit(Session admin, String action) {
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events?action=" + action, admin);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("items");
    }

    private long sessionsOf(String userId) {
        return db.count("SELECT count(*) FROM sessions WHERE user_id = ?", userId);
    }

    // ---- the story ----

    @Test
    @DisplayName("a user of an allowed domain signs in through the IdP; the session works and the audit says SSO")
    void normalSignIn_givesAWorkingSession_auditedAsSso() throws Exception {
        String email = "ada@" + domain;
        String user = createUser(owner, email, "EMPLOYEE", null);
        HttpResponse<Buffer> r = complete(begin(byEmail(email), person(email)));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject me = r.bodyAsJsonObject().getJsonObject("me");
        assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("SIGNED_IN");
        assertThat(me.getJsonObject("user").getString("id")).isEqualTo(user);
        Session s = Api.session(r, me);
        assertThat(api.get("/api/v1/me", s).statusCode()).isEqualTo(200);
        assertThat(r.cookies())
                .anyMatch(c -> c.startsWith("ks_sso=;") || c.startsWith("ks_sso=") && c.contains("Max-Age=0"));
        JsonArray events = audit(owner, "session.sso-signed-in");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("targetId")))
                .contains(user);
        // the IdP account is linked: a later e-mail change at the IdP still signs in the same user
        Person same = person(email);
        complete(begin(byEmail(email), same));
        Person renamed = new Person(same.subject(), "ada.lovelace@" + domain, true, "Ada", "Lovelace");
        HttpResponse<Buffer> again = complete(begin(byEmail(email), renamed));
        assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
        assertThat(again.bodyAsJsonObject()
                        .getJsonObject("me")
                        .getJsonObject("user")
                        .getString("id"))
                .isEqualTo(user);
    }

    @Test
    @DisplayName("just-in-time creation makes a user with the default level; with it off, an unknown person is refused")
    void justInTime_createsTheUser_elseRefuses() throws Exception {
        String d = uniqueDomain();
        Session admin = api.signUp("JIT Org", "owner@" + d);
        String auditors = api.createAccessLevel(
                        admin, Api.accessLevelBody("Auditors " + d, "OWN", Map.of("firstName", "VIEW"), "audit:read"))
                .getString("id");
        configure(admin, idp, settings(idp, d));
        String email = "newcomer@" + d;
        JsonObject refused = problem(complete(begin(byEmail(email), person(email))), 403);
        assertThat(refused.getString("type")).endsWith("/sso-no-account");
        assertThat(audit(admin, "session.sso-sign-in-failed")).hasSize(1);

        configure(admin, idp, settings(idp, d).put("jitEnabled", true).put("jitAccessLevelId", auditors));
        HttpResponse<Buffer> r = complete(begin(byEmail(email), person(email)));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject me = r.bodyAsJsonObject().getJsonObject("me");
        assertThat(me.getJsonObject("user").getJsonObject("accessLevel").getString("id"))
                .isEqualTo(auditors);
        assertThat(me.getJsonObject("user").getBoolean("hasPassword")).isFalse();
        assertThat(me.getJsonArray("permissions")).containsExactly("audit:read");
        assertThat(audit(admin, "user.sso-provisioned")).hasSize(1);
    }

    // ---- the refusals the issue names ----

    @Test
    @DisplayName("an ID token for another audience is refused: 401, no session")
    void wrongAudience_isRefused() throws Exception {
        String email = "aud@" + domain;
        String user = createUser(owner, email, "EMPLOYEE", null);
        Flow f = begin(byEmail(email), person(email));
        idp.audience("someone-else");
        JsonObject p = problem(complete(f), 401);
        assertThat(p.getString("type")).endsWith("/sso-rejected");
        assertThat(p.getString("detail")).contains("aud");
        assertThat(sessionsOf(user)).isZero();
    }

    @Test
    @DisplayName("an expired ID token is refused")
    void expiredToken_isRefused() throws Exception {
        String email = "late@" + domain;
        String user = createUser(owner, email, "EMPLOYEE", null);
        Flow f = begin(byEmail(email), person(email));
        idp.lifetime(Duration.ofMinutes(-5));
        JsonObject p = problem(complete(f), 401);
        assertThat(p.getString("detail")).contains("expired");
        assertThat(sessionsOf(user)).isZero();
    }

    @Test
    @DisplayName("a token signed by a key not in the issuer's JWKS, or naming another issuer, is refused")
    void foreignSignatureOrIssuer_isRefused() throws Exception {
        String email = "forged@" + domain;
        api.createUser(owner, email, "EMPLOYEE", null);
        Flow f = begin(byEmail(email), person(email));
        idp.signWithUnpublishedKey(true);
        assertThat(problem(complete(f), 401).getString("detail")).contains("signature");
        idp.reset();
        Flow g = begin(byEmail(email), person(email));
        idp.issuerClaim("https://evil.example");
        assertThat(problem(complete(g), 401).getString("detail")).contains("iss");
    }

    @Test
    @DisplayName("a replayed state is refused, and so is a state begun in another browser")
    void replayedState_andAnotherBrowsersState_areRefused() throws Exception {
        String email = "replay@" + domain;
        api.createUser(owner, email, "EMPLOYEE", null);
        Flow f = begin(byEmail(email), person(email));
        assertThat(complete(f).statusCode()).isEqualTo(200);
        assertThat(problem(complete(f), 401).getString("type")).endsWith("/sso-state-invalid");

        Flow mine = begin(byEmail(email), person(email));
        Flow theirs = begin(byEmail(email), person(email));
        // the attacker's code and state with the victim's cookie (login CSRF), and no cookie at all
        assertThat(problem(complete(mine.cookie(), theirs.state(), theirs.code()), 401)
                        .getString("type"))
                .endsWith("/sso-state-invalid");
        assertThat(problem(complete(null, theirs.state(), theirs.code()), 401).getString("type"))
                .endsWith("/sso-state-invalid");
        // neither attempt used up the real owner's sign-in
        assertThat(complete(theirs).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("an e-mail outside the allowed domains is refused, and so is an unverified e-mail")
    void emailOutsideAllowedDomains_isRefused() throws Exception {
        String outsider = "mallory@elsewhere-" + UUID.randomUUID().toString().substring(0, 6) + ".test";
        JsonObject p = problem(complete(begin(byEmail("x@" + domain), person(outsider))), 403);
        assertThat(p.getString("type")).endsWith("/sso-domain-not-allowed");
        String email = "unverified@" + domain;
        api.createUser(owner, email, "EMPLOYEE", null);
        Person unverified = new Person(UUID.randomUUID().toString(), email, false, "U", "V");
        assertThat(problem(complete(begin(byEmail(email), unverified)), 403).getString("detail"))
                .contains("email_verified");
    }

    @Test
    @DisplayName("an IdP that is down answers 503 with Retry-After, at start and at the token exchange")
    void idpDown_is503() throws Exception {
        String d = uniqueDomain();
        Session admin = api.signUp("Down Org", "owner@" + d);
        OidcProvider flaky = OidcProvider.start(REDIRECT);
        configure(admin, flaky, settings(flaky, d));
        String email = "owner@" + d;
        flaky.signsIn(person(email));
        // start works while it is up; then it goes away before the code is redeemed
        HttpResponse<Buffer> started = startResponse(byEmail(email));
        assertThat(started.statusCode()).isEqualTo(200);
        String url = started.bodyAsJsonObject().getString("authorizationUrl");
        String cookie = started.cookies().stream()
                .filter(c -> c.startsWith("ks_sso="))
                .findFirst()
                .orElseThrow()
                .substring(7)
                .split(";", 2)[0];
        Map<String, String> back = OidcProvider.query(
                BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString())
                        .headers()
                        .firstValue("Location")
                        .orElseThrow());
        flaky.stop();
        HttpResponse<Buffer> r = complete(cookie, back.get("state"), back.get("code"));
        JsonObject p = problem(r, 503);
        assertThat(p.getString("type")).endsWith("/identity-provider-unavailable");
        assertThat(r.getHeader("Retry-After")).isNotBlank();
        // a fresh configuration (nothing cached) of a provider that is down: start is 503 too
        String d2 = uniqueDomain();
        Session admin2 = api.signUp("Down Org 2", "owner@" + d2);
        configure(admin2, flaky, settings(flaky, d2).put("issuer", "http://127.0.0.1:9/down"));
        assertThat(problem(startResponse(byEmail("someone@" + d2)), 503).getString("type"))
                .endsWith("/identity-provider-unavailable");
    }

    // ---- isolation ----

    @Test
    @DisplayName("another organization's configuration never signs anyone into this one")
    void anotherOrganizationsConfiguration_isNotUsable() throws Exception {
        // organization B claims A's domain with its own IdP; A's user signs in through B's IdP
        OidcProvider other = OidcProvider.start(REDIRECT);
        String dB = uniqueDomain();
        Session bOwner = api.signUp("Other Org", "owner@" + dB);
        configure(bOwner, other, settings(other, dB, domain));
        String email = "victim@" + domain;
        String victim = createUser(owner, email, "EMPLOYEE", null);

        // the domain is claimed twice: the person chooses; nothing is started yet
        HttpResponse<Buffer> choice = startResponse(byEmail(email));
        assertThat(choice.statusCode()).isEqualTo(200);
        assertThat(choice.bodyAsJsonObject().getString("status")).isEqualTo("CHOOSE_ORGANIZATION");
        assertThat(choice.bodyAsJsonObject().getJsonArray("organizations")).hasSize(2);
        assertThat(choice.cookies()).noneMatch(c -> c.startsWith("ks_sso="));

        other.signsIn(person(email));
        idp.signsIn(person(email));
        HttpResponse<Buffer> viaB = startResponse(byEmail(email).put("organizationId", bOwner.organizationId()));
        String url = viaB.bodyAsJsonObject().getString("authorizationUrl");
        assertThat(url).startsWith(other.issuer());
        String cookie = viaB.cookies().stream()
                .filter(c -> c.startsWith("ks_sso="))
                .findFirst()
                .orElseThrow()
                .substring(7)
                .split(";", 2)[0];
        Map<String, String> back = OidcProvider.query(
                BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString())
                        .headers()
                        .firstValue("Location")
                        .orElseThrow());
        JsonObject p = problem(complete(cookie, back.get("state"), back.get("code")), 403);
        assertThat(p.getString("type")).endsWith("/sso-no-account");
        assertThat(sessionsOf(victim)).isZero();
        assertThat(audit(owner, "session.sso-sign-in-failed").stream()
                        .map(e -> ((JsonObject) e).getString("actorLabel")))
                .doesNotContain(email);

        // B's admin sees only B's settings; an organization id naming nothing is 404, like one without SSO
        JsonObject bSettings = api.get("/api/v1/organization/sso", bOwner).bodyAsJsonObject();
        assertThat(bSettings.getString("issuer")).isEqualTo(other.issuer());
        problem(
                startResponse(
                        new JsonObject().put("organizationId", UUID.randomUUID().toString())),
                404);
        other.close();
    }

    @Test
    @DisplayName(
            "a weaker user cannot read or change the SSO settings; a Full Admin cannot require SSO or escalate JIT")
    void weakerUsers_cannotReadOrChangeTheSettings() {
        Session employee = api.createSignedInUser(owner, "employee-" + UUID.randomUUID() + "@" + domain, null);
        JsonObject before = api.get("/api/v1/organization/sso", owner).bodyAsJsonObject();
        problem(api.get("/api/v1/organization/sso", employee), 403);
        problem(api.put("/api/v1/organization/sso", employee, settings(idp, "evil.test")), 403);

        Session fullAdmin = api.createSignedInUser(owner, "full-" + UUID.randomUUID() + "@" + domain, "FULL_ADMIN");
        JsonObject p = problem(
                api.put(
                        "/api/v1/organization/sso",
                        fullAdmin,
                        settings(idp, domain).put("ssoRequired", true).put("breakGlassUserId", fullAdmin.userId())),
                403);
        assertThat(p.getString("field")).isEqualTo("ssoRequired");
        JsonObject q = problem(
                api.put(
                        "/api/v1/organization/sso",
                        fullAdmin,
                        settings(idp, domain)
                                .put("jitEnabled", true)
                                .put("jitAccessLevelId", api.accessLevelId(owner, "ACCOUNT_OWNER"))),
                403);
        assertThat(q.getString("field")).isEqualTo("jitAccessLevelId");
        JsonObject after = api.get("/api/v1/organization/sso", owner).bodyAsJsonObject();
        assertThat(after).isEqualTo(before);
        assertThat(after.containsKey("clientSecret")).isFalse();
    }

    // ---- bad input ----

    @Test
    @DisplayName("bad and oversized settings are 400/413 naming the field, and change nothing")
    void badAndOversizedInput_isRefused_andChangesNothing() {
        JsonObject before = api.get("/api/v1/organization/sso", owner).bodyAsJsonObject();
        assertThat(problem(
                                api.put(
                                        "/api/v1/organization/sso",
                                        owner,
                                        settings(idp, domain).put("issuer", "http://idp.example")),
                                400)
                        .getString("field"))
                .isEqualTo("issuer");
        assertThat(problem(
                                api.put(
                                        "/api/v1/organization/sso",
                                        owner,
                                        settings(idp, domain).put("issuer", "https://idp.example/?x=1")),
                                400)
                        .getString("field"))
                .isEqualTo("issuer");
        assertThat(problem(api.put("/api/v1/organization/sso", owner, settings(idp, "not a domain")), 400)
                        .getString("field"))
                .startsWith("allowedDomains");
        JsonArray many = new JsonArray();
        for (int i = 0; i < 51; i++) {
            many.add("d" + i + ".test");
        }
        problem(api.put("/api/v1/organization/sso", owner, settings(idp, domain).put("allowedDomains", many)), 400);
        assertThat(problem(
                                api.put(
                                        "/api/v1/organization/sso",
                                        owner,
                                        settings(idp, domain).put("ssoRequired", true)),
                                400)
                        .getString("field"))
                .isEqualTo("breakGlassUserId");
        assertThat(problem(
                                api.put(
                                        "/api/v1/organization/sso",
                                        owner,
                                        settings(idp, domain)
                                                .put(
                                                        "jitAccessLevelId",
                                                        UUID.randomUUID().toString())),
                                400)
                        .getString("field"))
                .isEqualTo("jitAccessLevelId");
        problem(
                api.put("/api/v1/organization/sso", owner, settings(idp, domain).put("clientId", "x".repeat(501))),
                400);
        problem(api.put("/api/v1/organization/sso", owner, "{\"issuer\": \"" + "x".repeat(40_000) + "\"}"), 413);
        assertThat(api.get("/api/v1/organization/sso", owner).bodyAsJsonObject())
                .isEqualTo(before);

        problem(startResponse(new JsonObject()), 400);
        problem(startResponse(new JsonObject().put("email", "not-an-email")), 400);
        problem(complete("x".repeat(43), "short", "code"), 400);
        problem(complete("x".repeat(43), "s".repeat(201), "code"), 400);
        problem(complete("x".repeat(43), "s".repeat(40), "c".repeat(2049)), 400);
        problem(
                api.raw(
                        HttpMethod.POST,
                        "/api/v1/sso/start",
                        "application/json",
                        "{\"email\":\"" + "a".repeat(5000) + "\"}"),
                413);
    }

    // ---- SSO required ----

    @Test
    @DisplayName("SSO required: passwords and invitations are refused except for the break-glass Account Owner")
    void ssoRequired_turnsPasswordsOff_exceptBreakGlass() throws Exception {
        String d = uniqueDomain();
        Session admin = api.signUp("Strict Org", "owner@" + d);
        JsonObject invited = api.createUser(admin, "invited@" + d, "EMPLOYEE", null);
        Session member = api.createSignedInUser(admin, "member@" + d, null);
        configure(admin, idp, settings(idp, d).put("ssoRequired", true).put("breakGlassUserId", admin.userId()));

        JsonObject p = problem(api.signIn(member.email(), Api.PASSWORD, null), 403);
        assertThat(p.getString("type")).endsWith("/sso-required");
        // a wrong password still says only "wrong": the SSO rule is told after the password was right
        assertThat(problem(api.signIn(member.email(), "wrong password!!", null), 401)
                        .getString("type"))
                .endsWith("/invalid-credentials");
        problem(api.accept(Api.token(invited.getJsonObject("invitation").getString("url")), Api.PASSWORD), 403);
        assertThat(api.signInOk(admin.email(), Api.PASSWORD, null).userId()).isEqualTo(admin.userId());
        // the member signs in through the IdP instead
        assertThat(complete(begin(byEmail(member.email()), person(member.email())))
                        .statusCode())
                .isEqualTo(200);
    }

    // ---- secrets ----

    @Test
    @DisplayName(
            "the client secret is stored sealed; no secret, code or token reaches the logs, the audit or an answer")
    void noSecretCodeOrToken_inLogsAuditOrAnswers() throws Exception {
        String email = "hygiene@" + domain;
        api.createUser(owner, email, "EMPLOYEE", null);
        Flow f = begin(byEmail(email), person(email));
        HttpResponse<Buffer> ok = complete(f);
        assertThat(ok.statusCode()).isEqualTo(200);
        idp.audience("other");
        Flow g = begin(byEmail(email), person(email));
        complete(g);
        String token = idp.lastIdToken;

        String stored = db.text(
                "SELECT client_secret_sealed FROM sso_configurations WHERE organization_id = ?",
                owner.organizationId());
        assertThat(stored).doesNotContain(idp.clientSecret).startsWith("eyJ");
        String auditText = api.get("/api/v1/audit-events", owner).bodyAsString();
        String settingsText = api.get("/api/v1/organization/sso", owner).bodyAsString();
        String logs = String.join(
                "\n",
                logged.list.stream()
                        .map(e -> e.getFormattedMessage()
                                + (e.getThrowableProxy() == null
                                        ? ""
                                        : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                        .toList());
        for (String secret : List.of(idp.clientSecret, f.code(), f.state(), f.cookie(), g.code(), token)) {
            assertThat(auditText).doesNotContain(secret);
            assertThat(settingsText).doesNotContain(secret);
            assertThat(logs).doesNotContain(secret);
            assertThat(ok.bodyAsString()).doesNotContain(secret);
        }
    }
}
