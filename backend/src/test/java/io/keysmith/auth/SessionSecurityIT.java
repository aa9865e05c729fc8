package io.keysmith.auth;

import static io.keysmith.support.Api.PASSWORD;
import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName(
        "Sessions: cookies, CSRF, sign-out, deactivation, owner rules, invitations, multi-organization sign-in, throttling")
class SessionSecurityIT {
    private static TestServer server;
    private static TestServer behindProxy;
    private static Api api;
    private static Api proxied;
    private static DbProbe db;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("session_security");
        behindProxy = TestServer.start(
                PostgresFixture.get().newDatabase("session_security_proxy"),
                new JsonObject().put("trusted.proxies", "127.0.0.1/32"));
        api = new Api(vertx, server.port());
        proxied = new Api(vertx, behindProxy.port());
        db = new DbProbe(server.database.getDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        behindProxy.close();
    }

    /** The built-in of a User's access level (null for a custom level). */
    private static String builtinOf(JsonObject user) {
        return user.getJsonObject("accessLevel").getString("builtin");
    }

    private static JsonObject newUserBody(String email) {
        return new JsonObject()
                .put("email", email)
                .put("firstName", "Eve")
                .put("lastName", "Csrf")
                .put("kind", "EMPLOYEE");
    }

    @Test
    @DisplayName("a cookie-authenticated state change without or with a wrong X-CSRF-Token is 403 and stores nothing")
    void stateChangeWithoutTheCsrfToken_isRefused() {
        Session owner = api.signUp("Csrf Org", uniqueEmail("csrf"));
        long users = db.users(owner.organizationId());
        long audit = db.auditEvents(owner.organizationId());
        String email = uniqueEmail("victim");

        Session noToken = new Session(owner.cookie(), null, owner.me());
        JsonObject missing = problem(api.post("/api/v1/users", noToken, newUserBody(email)), 403);
        assertThat(missing.getString("type")).endsWith("/csrf-token-missing");

        Session wrongToken = new Session(owner.cookie(), owner.csrf().substring(1) + "x", owner.me());
        problem(api.post("/api/v1/users", wrongToken, newUserBody(email)), 403);

        Session emptyToken = new Session(owner.cookie(), "", owner.me());
        problem(api.post("/api/v1/users", emptyToken, newUserBody(email)), 403);

        // another session's valid token does not fit this cookie either
        Session other = api.signUp("Csrf Other Org", uniqueEmail("csrf-other"));
        problem(
                api.post("/api/v1/users", new Session(owner.cookie(), other.csrf(), owner.me()), newUserBody(email)),
                403);

        assertThat(db.users(owner.organizationId()))
                .as("users after refused requests")
                .isEqualTo(users);
        assertThat(db.auditEvents(owner.organizationId())).isEqualTo(audit);
        assertThat(db.count("SELECT count(*) FROM users WHERE email = ?", email))
                .isZero();

        // the same request with the token goes through
        assertThat(api.post("/api/v1/users", owner, newUserBody(email)).statusCode())
                .isEqualTo(201);
    }

    @Test
    @DisplayName("the session cookie is HttpOnly and SameSite=Strict, and not Secure over plain http")
    void theSessionCookie_isHttpOnlyStrict_andNotSecureOverHttp() {
        HttpResponse<Buffer> r = api.signUpResponse("Cookie Org", uniqueEmail("cookie"), PASSWORD, Map.of());
        assertThat(r.statusCode()).isEqualTo(201);
        String cookie = Api.setCookieHeader(r);
        assertThat(cookie).isNotNull();
        List<String> attributes = attributes(cookie);
        assertThat(attributes).contains("httponly", "samesite=strict", "path=/");
        assertThat(attributes).doesNotContain("secure");

        // an untrusted peer cannot claim https
        HttpResponse<Buffer> forged = api.signUpResponse(
                "Cookie Org 2", uniqueEmail("cookie"), PASSWORD, Map.of("X-Forwarded-Proto", "https"));
        assertThat(attributes(Api.setCookieHeader(forged))).doesNotContain("secure");
    }

    @Test
    @DisplayName("behind a trusted proxy that says https, the session cookie is Secure")
    void behindATrustedProxyOverHttps_theCookieIsSecure() {
        HttpResponse<Buffer> https = proxied.signUpResponse(
                "Proxy Org", uniqueEmail("proxy"), PASSWORD, Map.of("X-Forwarded-Proto", "https"));
        assertThat(https.statusCode()).isEqualTo(201);
        assertThat(attributes(Api.setCookieHeader(https))).contains("secure", "httponly", "samesite=strict");

        HttpResponse<Buffer> http = proxied.signUpResponse(
                "Proxy Org 2", uniqueEmail("proxy"), PASSWORD, Map.of("X-Forwarded-Proto", "http"));
        assertThat(attributes(Api.setCookieHeader(http))).doesNotContain("secure");
    }

    private static List<String> attributes(String setCookie) {
        return java.util.Arrays.stream(setCookie.split(";"))
                .skip(1)
                .map(s -> s.trim().toLowerCase())
                .toList();
    }

    @Test
    @DisplayName("sign-out ends the session: the next /me is 401")
    void signOut_endsTheSession() {
        Session s = api.signUp("Sign-out Org", uniqueEmail("signout"));
        assertThat(api.get("/api/v1/me", s).statusCode()).isEqualTo(200);
        // without the CSRF token sign-out is refused (a cross-site page cannot sign people out)
        problem(api.call(HttpMethod.DELETE, "/api/v1/session", new Session(s.cookie(), null, s.me()), null), 403);
        HttpResponse<Buffer> out = api.call(HttpMethod.DELETE, "/api/v1/session", s, null);
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(attributes(Api.setCookieHeader(out))).contains("max-age=0");
        problem(api.get("/api/v1/me", s), 401);
        problem(api.call(HttpMethod.DELETE, "/api/v1/session", s, null), 401);
    }

    @Test
    @DisplayName("deactivating a user ends their sessions at once; reactivating lets them sign in again")
    void deactivation_endsSessions_andReactivationRestoresSignIn() {
        Session owner = api.signUp("Deactivation Org", uniqueEmail("deact-owner"));
        String email = uniqueEmail("deact-user");
        Session user = api.createSignedInUser(owner, email, "EMPLOYEE");
        Session second = api.signInOk(email, PASSWORD, null);
        assertThat(api.get("/api/v1/me", user).statusCode()).isEqualTo(200);

        HttpResponse<Buffer> d = api.post("/api/v1/users/" + user.userId() + "/deactivate", owner, null);
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(d.bodyAsJsonObject().getString("status")).isEqualTo("DEACTIVATED");
        problem(api.get("/api/v1/me", user), 401);
        problem(api.get("/api/v1/me", second), 401);
        assertThat(db.count("SELECT count(*) FROM sessions WHERE user_id = ?", user.userId()))
                .isZero();
        problem(api.signIn(email, PASSWORD, null), 401);

        HttpResponse<Buffer> r = api.post("/api/v1/users/" + user.userId() + "/reactivate", owner, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("ACTIVE");
        problem(api.get("/api/v1/me", user), 401); // ended sessions stay ended
        Session again = api.signInOk(email, PASSWORD, null);
        assertThat(api.get("/api/v1/me", again).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "the last active Account Owner cannot be deactivated or demoted (409); a Full Admin cannot grant Account Owner (403)")
    void theLastAccountOwner_isProtected_andOnlyOwnersGrantOwnership() {
        Session owner = api.signUp("Owner Rules Org", uniqueEmail("rules-owner"));
        JsonObject c1 = problem(api.post("/api/v1/users/" + owner.userId() + "/deactivate", owner, null), 409);
        assertThat(c1.getString("type")).endsWith("/last-account-owner");
        String ownerLevel = api.accessLevelId(owner, "ACCOUNT_OWNER");
        String adminLevel = api.accessLevelId(owner, "FULL_ADMIN");
        JsonObject c2 = problem(
                api.call(
                        HttpMethod.PATCH,
                        "/api/v1/users/" + owner.userId(),
                        owner,
                        new JsonObject().put("accessLevelId", adminLevel)),
                409);
        assertThat(c2.getString("type")).endsWith("/last-account-owner");
        assertThat(builtinOf(api.get("/api/v1/users/" + owner.userId(), owner).bodyAsJsonObject()))
                .isEqualTo("ACCOUNT_OWNER");
        assertThat(api.get("/api/v1/me", owner).statusCode()).isEqualTo(200);

        Session admin = api.createSignedInUser(owner, uniqueEmail("rules-admin"), "FULL_ADMIN");
        long users = db.users(owner.organizationId());
        problem(
                api.post(
                        "/api/v1/users",
                        admin,
                        newUserBody(uniqueEmail("wannabe")).put("accessLevelId", ownerLevel)),
                403);
        assertThat(db.users(owner.organizationId())).isEqualTo(users);
        problem(
                api.call(
                        HttpMethod.PATCH,
                        "/api/v1/users/" + admin.userId(),
                        admin,
                        new JsonObject().put("accessLevelId", ownerLevel)),
                403);
        String employee = api.createUser(admin, uniqueEmail("rules-employee"), "EMPLOYEE", null)
                .getJsonObject("user")
                .getString("id");
        problem(
                api.call(
                        HttpMethod.PATCH,
                        "/api/v1/users/" + employee,
                        admin,
                        new JsonObject().put("accessLevelId", ownerLevel)),
                403);
        problem(api.post("/api/v1/users/" + owner.userId() + "/deactivate", admin, null), 403);
        assertThat(builtinOf(api.get("/api/v1/users/" + admin.userId(), owner).bodyAsJsonObject()))
                .isEqualTo("FULL_ADMIN");
        assertThat(builtinOf(api.get("/api/v1/users/" + employee, owner).bodyAsJsonObject()))
                .isEqualTo("EMPLOYEE");

        // with a second owner, the first may step down
        assertThat(api.call(
                                HttpMethod.PATCH,
                                "/api/v1/users/" + admin.userId(),
                                owner,
                                new JsonObject().put("accessLevelId", ownerLevel))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.call(
                                HttpMethod.PATCH,
                                "/api/v1/users/" + owner.userId(),
                                owner,
                                new JsonObject().put("accessLevelId", adminLevel))
                        .statusCode())
                .isEqualTo(200);
        assertThat(builtinOf(api.get("/api/v1/users/" + owner.userId(), admin).bodyAsJsonObject()))
                .isEqualTo("FULL_ADMIN");
    }

    @Test
    @DisplayName(
            "an EMPLOYEE gets 403 naming the permission on GET /api/v1/users (and holds only the Employee permissions)")
    void anEmployee_isForbidden_namingThePermission() {
        Session owner = api.signUp("Employee Org", uniqueEmail("emp-owner"));
        Session employee = api.createSignedInUser(owner, uniqueEmail("emp"), "EMPLOYEE");
        JsonObject p = problem(api.get("/api/v1/users", employee), 403);
        assertThat(p.getString("detail")).contains("users:read");
        JsonObject audit = problem(api.get("/api/v1/audit-events", employee), 403);
        assertThat(audit.getString("detail")).contains("audit:read");
        JsonObject me = api.get("/api/v1/me", employee).bodyAsJsonObject();
        assertThat(me.getJsonArray("permissions").getList())
                .containsExactlyInAnyOrder("people:read", "people:update", "keys:create-own");
        assertThat(me.getString("recordScope")).isEqualTo("OWN");
        assertThat(me.getJsonObject("fieldRights").getString("homeAddress")).isEqualTo("EDIT");
        assertThat(me.getJsonObject("fieldRights").getString("salary")).isEqualTo("VIEW");
    }

    @Test
    @DisplayName("an invitation sets the password and signs in once; the same token again is 404")
    void anInvitation_worksOnce() {
        Session owner = api.signUp("Invitation Org", uniqueEmail("inv-owner"));
        String email = uniqueEmail("invitee");
        JsonObject created = api.createUser(owner, email, "NON_EMPLOYEE", null);
        assertThat(created.getJsonObject("user").getBoolean("hasPassword")).isFalse();
        String url = created.getJsonObject("invitation").getString("url");
        assertThat(url).contains("/accept-invitation#token=");
        String token = Api.token(url);
        problem(api.signIn(email, PASSWORD, null), 401); // no password yet

        HttpResponse<Buffer> accepted = api.accept(token, PASSWORD);
        assertThat(accepted.statusCode()).isEqualTo(200);
        Session invitee = Api.session(accepted, accepted.bodyAsJsonObject());
        assertThat(invitee.userId()).isEqualTo(created.getJsonObject("user").getString("id"));
        assertThat(invitee.me().getJsonObject("user").getBoolean("hasPassword")).isTrue();
        assertThat(api.get("/api/v1/me", invitee).statusCode()).isEqualTo(200);

        problem(api.accept(token, "another long password"), 404);
        api.signInOk(email, PASSWORD, null);
        problem(api.signIn(email, "another long password", null), 401);
    }

    @Test
    @DisplayName("a password-reset link works once and ends the user's older sessions")
    void aPasswordResetLink_worksOnce() {
        Session owner = api.signUp("Reset Org", uniqueEmail("reset-owner"));
        String email = uniqueEmail("resettee");
        Session user = api.createSignedInUser(owner, email, "EMPLOYEE");
        HttpResponse<Buffer> link = api.post("/api/v1/users/" + user.userId() + "/password-reset", owner, null);
        assertThat(link.statusCode()).isEqualTo(201);
        String token = Api.token(link.bodyAsJsonObject().getString("url"));

        String newPassword = "a brand new long password";
        HttpResponse<Buffer> reset = api.accept(token, newPassword);
        assertThat(reset.statusCode()).isEqualTo(200);
        problem(api.get("/api/v1/me", user), 401);
        problem(api.accept(token, "yet another long password"), 404);
        api.signInOk(email, newPassword, null);
        problem(api.signIn(email, PASSWORD, null), 401);
    }

    @Test
    @DisplayName(
            "one e-mail in two organizations: CHOOSE_ORGANIZATION only with the right password, then choosing completes")
    void multiOrganizationSignIn_listsOrganizationsOnlyAfterThePassword() {
        String email = uniqueEmail("multi");
        Session x = api.signUp("Multi Org Alpha", email);
        Session y = api.signUp("Multi Org Beta", email);

        HttpResponse<Buffer> wrong = api.signIn(email, "not the password at all", null);
        problem(wrong, 401);
        assertThat(wrong.bodyAsString())
                .doesNotContain("Multi Org")
                .doesNotContain(x.organizationId())
                .doesNotContain(y.organizationId());

        HttpResponse<Buffer> choose = api.signIn(email, PASSWORD, null);
        assertThat(choose.statusCode()).isEqualTo(200);
        assertThat(Api.setCookieHeader(choose)).as("no session before choosing").isNull();
        JsonObject body = choose.bodyAsJsonObject();
        assertThat(body.getString("status")).isEqualTo("CHOOSE_ORGANIZATION");
        JsonArray orgs = body.getJsonArray("organizations");
        assertThat(orgs.stream().map(o -> ((JsonObject) o).getString("id")))
                .containsExactlyInAnyOrder(x.organizationId(), y.organizationId());
        assertThat(orgs.stream().map(o -> ((JsonObject) o).getString("name")))
                .containsExactlyInAnyOrder("Multi Org Alpha", "Multi Org Beta");

        // choosing with the wrong password reveals nothing either
        problem(api.signIn(email, "not the password at all", y.organizationId()), 401);

        Session chosen = api.signInOk(email, PASSWORD, y.organizationId());
        assertThat(chosen.organizationId()).isEqualTo(y.organizationId());
        assertThat(api.get("/api/v1/me", chosen)
                        .bodyAsJsonObject()
                        .getJsonObject("organization")
                        .getString("id"))
                .isEqualTo(y.organizationId());
    }

    @Test
    @DisplayName("after 5 wrong passwords for an account the 6th attempt is 429 with Retry-After")
    void signInThrottling_after5Failures_is429() {
        String email = uniqueEmail("throttled");
        api.signUp("Throttle Org", email);
        for (int i = 0; i < 5; i++) {
            problem(api.signIn(email, "wrong password " + i, null), 401);
        }
        HttpResponse<Buffer> sixth = api.signIn(email, PASSWORD, null); // even the right password waits
        problem(sixth, 429);
        assertThat(sixth.getHeader("Retry-After")).isNotNull();
        assertThat(Integer.parseInt(sixth.getHeader("Retry-After"))).isPositive();
        // the e-mail's case does not reset the count
        problem(api.signIn(email.toUpperCase(), PASSWORD, null), 429);
    }

    @Test
    @DisplayName("concurrent wrong passwords for one account get no more than 5 guesses checked (the rest are 429)")
    void signInThrottling_holdsUnderConcurrentAttempts() {
        String email = uniqueEmail("concurrent-throttle");
        proxied.signUp("Concurrent Throttle Org", email);
        // distinct client addresses (through the trusted proxy) so only the per-account limit applies
        List<io.vertx.core.Future<HttpResponse<Buffer>>> attempts = new java.util.ArrayList<>();
        for (int i = 0; i < 15; i++) {
            attempts.add(Api.send(
                    proxied.request(HttpMethod.POST, "/api/v1/session", null)
                            .putHeader("X-Forwarded-For", "203.0.113." + (i + 1)),
                    new JsonObject().put("email", email).put("password", "wrong password " + i)));
        }
        io.vertx.core.Future.join(attempts).await();
        long checked =
                attempts.stream().filter(f -> f.result().statusCode() == 401).count();
        long throttled =
                attempts.stream().filter(f -> f.result().statusCode() == 429).count();
        assertThat(checked + throttled).isEqualTo(15);
        assertThat(checked)
                .as("wrong passwords actually checked for one account (limit 5)")
                .isLessThanOrEqualTo(5);
    }

    @Test
    @DisplayName("a Full Admin cannot take over an Account Owner's account with a password-reset link (403)")
    void aFullAdmin_cannotResetAnAccountOwnersPassword() {
        Session owner = api.signUp("Takeover Org", uniqueEmail("takeover-owner"));
        Session admin = api.createSignedInUser(owner, uniqueEmail("takeover-admin"), "FULL_ADMIN");
        HttpResponse<Buffer> link = api.post("/api/v1/users/" + owner.userId() + "/password-reset", admin, null);
        if (link.statusCode() == 201) {
            // demonstrate the consequence: the Full Admin becomes the Account Owner
            HttpResponse<Buffer> taken =
                    api.accept(Api.token(link.bodyAsJsonObject().getString("url")), "the admin's own password");
            assertThat(taken.statusCode() == 200
                            && "ACCOUNT_OWNER"
                                    .equals(builtinOf(taken.bodyAsJsonObject().getJsonObject("user"))))
                    .as("a Full Admin signed in as the Account Owner through a reset link they issued")
                    .isFalse();
        }
        problem(link, 403);
        assertThat(api.get("/api/v1/me", owner).statusCode())
                .as("the owner's session survives")
                .isEqualTo(200);
    }
}
