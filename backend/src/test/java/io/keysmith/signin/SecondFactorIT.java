package io.keysmith.signin;

import static io.keysmith.support.Api.PASSWORD;
import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.UUID;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Second factors: TOTP enrolment and sign-in, recovery codes, throttling, step-up, policy, admin reset")
class SecondFactorIT {
    private static TestServer server;
    private static Api api;
    private static DbProbe db;

    @BeforeAll
    static void start(Vertx vertx) {
        // every attempt comes from 127.0.0.1: the per-address failure budget is the throttle test's business
        server = TestServer.start(
                io.keysmith.support.PostgresFixture.get().newDatabase("second_factors"),
                new JsonObject().put("signin.throttle.address", 100000));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** A user with an authenticator app: the secret the test's "app" holds and the recovery codes. */
    record Enrolled(Session session, byte[] secret, JsonArray recoveryCodes) {}

    private static byte[] secretOf(JsonObject enrolment) {
        return new Base32().decode(enrolment.getString("secret"));
    }

    private static String codeNow(byte[] secret, int offset) {
        return Totp.code(secret, Totp.step(Instant.now()) + offset);
    }

    private static Enrolled enrol(Session session) {
        HttpResponse<Buffer> started = api.post("/api/v1/me/totp", session, null);
        assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(201);
        byte[] secret = secretOf(started.bodyAsJsonObject());
        HttpResponse<Buffer> confirmed =
                api.post("/api/v1/me/totp/confirm", session, new JsonObject().put("code", codeNow(secret, 0)));
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(200);
        return new Enrolled(session, secret, confirmed.bodyAsJsonObject().getJsonArray("recoveryCodes"));
    }

    private static JsonObject signInForChallenge(String email) {
        HttpResponse<Buffer> r = api.signIn(email, PASSWORD, null);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(Api.cookieValue(r)).as("no session before the second factor").isNull();
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("status")).isEqualTo("SECOND_FACTOR_REQUIRED");
        assertThat(body.containsKey("me")).isFalse();
        return body;
    }

    private static HttpResponse<Buffer> complete(String challenge, String field, String value) {
        return api.post(
                "/api/v1/session/second-factor",
                null,
                new JsonObject().put("challenge", challenge).put(field, value));
    }

    /** Makes the session's last authentication {@code minutes} old, as if time had passed. */
    private static void age(Session session, int minutes) throws Exception {
        try (var c = db.owner();
                PreparedStatement s = c.prepareStatement("UPDATE sessions SET authenticated_at = now() - (? * interval"
                        + " '1 minute') WHERE user_id = ?::uuid")) {
            s.setInt(1, minutes);
            s.setString(2, session.userId());
            s.executeUpdate();
        }
    }

    private static JsonObject keyBody(String name) {
        return new JsonObject()
                .put("name", name)
                .put("apiType", "PEOPLE")
                .put("permissionMode", "SCOPED")
                .put("permissions", new JsonArray());
    }

    private static long keys(String organizationId) {
        return db.count("SELECT count(*) FROM api_keys WHERE organization_id = ?::uuid", organizationId);
    }

    @Test
    @DisplayName("an app counts only once a code confirms it; then sign-in asks for a code, each code works once")
    void totpEnrolmentAndSignIn_needAConfirmedCode_andEachCodeWorksOnce() {
        String email = uniqueEmail("totp");
        Session owner = api.signUp("Totp Org", email);
        assertThat(owner.me().getJsonObject("authentication").getJsonArray("amr"))
                .containsExactly("pwd");

        HttpResponse<Buffer> started = api.post("/api/v1/me/totp", owner, null);
        assertThat(started.statusCode()).isEqualTo(201);
        JsonObject enrolment = started.bodyAsJsonObject();
        assertThat(enrolment.getString("otpauthUri"))
                .startsWith("otpauth://totp/Keysmith%3A")
                .contains("secret=" + enrolment.getString("secret"))
                .contains("issuer=Keysmith");
        byte[] secret = secretOf(enrolment);
        assertThat(secret).hasSize(20);

        // not confirmed yet: a password still signs in alone
        assertThat(api.signIn(email, PASSWORD, null).bodyAsJsonObject().getString("status"))
                .isEqualTo("SIGNED_IN");

        // a wrong code confirms nothing
        String wrong = codeNow(secret, 0).equals("000000") ? "111111" : "000000";
        JsonObject refused =
                problem(api.post("/api/v1/me/totp/confirm", owner, new JsonObject().put("code", wrong)), 400);
        assertThat(refused.getString("field")).isEqualTo("code");
        assertThat(api.get("/api/v1/me/second-factors", owner)
                        .bodyAsJsonObject()
                        .getBoolean("totp"))
                .isFalse();

        long s0 = Totp.step(Instant.now());
        HttpResponse<Buffer> confirmed =
                api.post("/api/v1/me/totp/confirm", owner, new JsonObject().put("code", Totp.code(secret, s0)));
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(200);
        JsonArray recovery = confirmed.bodyAsJsonObject().getJsonArray("recoveryCodes");
        assertThat(recovery).hasSize(10);
        assertThat(recovery.stream().distinct().count()).isEqualTo(10);
        JsonObject status = api.get("/api/v1/me/second-factors", owner).bodyAsJsonObject();
        assertThat(status.getBoolean("totp")).isTrue();
        assertThat(status.getInteger("recoveryCodesLeft")).isEqualTo(10);
        assertThat(api.get("/api/v1/me", owner)
                        .bodyAsJsonObject()
                        .getJsonObject("authentication")
                        .getJsonArray("amr"))
                .containsExactly("pwd", "otp");

        // stored: the secret sealed, the recovery codes hashed
        assertThat(db.count(
                        "SELECT count(*) FROM totp_factors WHERE user_id = ?::uuid AND position(?::bytea in secret) > 0",
                        owner.userId(),
                        enrolment.getString("secret")))
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM recovery_codes WHERE user_id = ?::uuid AND code_hash = convert_to(?, 'UTF8')",
                        owner.userId(),
                        recovery.getString(0)))
                .isZero();

        // now a password alone gives no session; the code of the current step does, once
        JsonObject first = signInForChallenge(email);
        assertThat(first.getJsonArray("methods")).contains("totp", "recovery-code");
        // the code that confirmed the enrolment is spent already
        problem(complete(first.getString("challenge"), "code", Totp.code(secret, s0)), 401);
        HttpResponse<Buffer> next = complete(first.getString("challenge"), "code", Totp.code(secret, s0 + 1));
        assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(200);
        assertThat(Api.cookieValue(next)).isNotBlank();
        JsonObject me = next.bodyAsJsonObject().getJsonObject("me");
        assertThat(me.getJsonObject("authentication").getJsonArray("amr")).containsExactly("pwd", "otp");

        // the challenge is spent; the same code in a new sign-in is refused (used once), and older steps too
        JsonObject again = problem(complete(first.getString("challenge"), "code", Totp.code(secret, s0 + 1)), 401);
        assertThat(again.getString("type")).endsWith("/invalid-second-factor");
        JsonObject second = signInForChallenge(email);
        problem(complete(second.getString("challenge"), "code", Totp.code(secret, s0 + 1)), 401);
        problem(complete(second.getString("challenge"), "code", Totp.code(secret, s0)), 401);
        // beyond one step of skew nothing is accepted
        problem(complete(second.getString("challenge"), "code", Totp.code(secret, s0 + 3)), 401);

        // a recovery code works once (with or without dashes and case), and says so in the audit log
        HttpResponse<Buffer> recovered = complete(
                second.getString("challenge"),
                "recoveryCode",
                recovery.getString(0).replace("-", "").toUpperCase());
        assertThat(recovered.statusCode()).as(recovered.bodyAsString()).isEqualTo(200);
        JsonObject third = signInForChallenge(email);
        problem(complete(third.getString("challenge"), "recoveryCode", recovery.getString(0)), 401);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'user.recovery-code-used' AND details->>'recoveryCodesLeft' = '9'",
                        owner.organizationId()))
                .isEqualTo(1);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'session.signed-in' AND details->'amr' = '[\"pwd\", \"otp\"]'::jsonb",
                        owner.organizationId()))
                .isEqualTo(2);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'session.second-factor-failed'",
                        owner.organizationId()))
                .isEqualTo(5);

        // no secret and no code anywhere in the audit log
        String allAudit = db.text(
                "SELECT string_agg(details::text, ' ') FROM audit_events WHERE organization_id = ?::uuid",
                owner.organizationId());
        assertThat(allAudit)
                .doesNotContain(enrolment.getString("secret"))
                .doesNotContain(Totp.code(secret, s0 + 1))
                .doesNotContain(recovery.getString(0));
    }

    @Test
    @DisplayName("a code one step ahead (clock skew) is accepted; then no earlier one is")
    void aCodeOneStepAhead_isAccepted_andSpendsEarlierSteps() {
        String email = uniqueEmail("skew");
        Session owner = api.signUp("Skew Org", email);
        HttpResponse<Buffer> started = api.post("/api/v1/me/totp", owner, null);
        byte[] secret = secretOf(started.bodyAsJsonObject());
        long s = Totp.step(Instant.now());
        // the enrolment itself accepts the code of the step before (a phone running late)
        assertThat(api.post("/api/v1/me/totp/confirm", owner, new JsonObject().put("code", Totp.code(secret, s - 1)))
                        .statusCode())
                .isEqualTo(200);
        JsonObject challenge = signInForChallenge(email);
        // three steps ahead is beyond the skew; one ahead (a phone running early) is accepted
        problem(complete(challenge.getString("challenge"), "code", Totp.code(secret, s + 3)), 401);
        assertThat(complete(challenge.getString("challenge"), "code", Totp.code(secret, s + 1))
                        .statusCode())
                .isEqualTo(200);
        // and every step up to it is spent
        JsonObject later = signInForChallenge(email);
        problem(complete(later.getString("challenge"), "code", Totp.code(secret, s)), 401);
    }

    @Test
    @DisplayName("wrong codes are throttled like passwords: past the account's limit even the right code is 429")
    void wrongCodes_areThrottled() {
        String email = uniqueEmail("throttle");
        Enrolled e = enrol(api.signUp("Throttle Org", email));
        JsonObject challenge = signInForChallenge(email);
        String good = codeNow(e.secret(), 1);
        String bad = good.equals("999999") ? "999998" : "999999";
        for (int i = 0; i < 5; i++) {
            problem(complete(challenge.getString("challenge"), "code", bad), 401);
        }
        HttpResponse<Buffer> limited = complete(challenge.getString("challenge"), "code", good);
        problem(limited, 429);
        assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isPositive();
    }

    @Test
    @DisplayName("a challenge that is unknown, malformed or oversized is refused with a clear problem")
    void badChallenges_andBadCodes_areRefused() {
        problem(complete("no-such-challenge-0123456789abcdef", "code", "123456"), 401);
        JsonObject notDigits = problem(complete("no-such-challenge-0123456789abcdef", "code", "12345a"), 400);
        assertThat(notDigits.getString("field")).isEqualTo("code");
        problem(complete("no-such-challenge-0123456789abcdef", "recoveryCode", "x".repeat(41)), 400);
        problem(complete("x".repeat(201), "code", "123456"), 400);
        // neither a code nor a recovery code
        problem(
                api.post(
                        "/api/v1/session/second-factor",
                        null,
                        new JsonObject().put("challenge", "no-such-challenge-0123456789abcdef")),
                400);
        problem(
                api.post(
                        "/api/v1/session/second-factor",
                        null,
                        new JsonObject().put("challenge", "c".repeat(30)).put("code", "1".repeat(100_000))),
                413);
    }

    @Test
    @DisplayName("past the step-up window minting, rotating, transferring and level changes are 403 step-up-required")
    void staleSessions_needAStepUp_forCredentialAndAccessLevelActions() throws Exception {
        Session owner = api.signUp("Step Up Org", uniqueEmail("step-up"));
        // a fresh sign-in counts: the key is created
        HttpResponse<Buffer> created = api.post("/api/v1/api-keys", owner, keyBody("Fresh"));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        String keyId = created.bodyAsJsonObject().getJsonObject("key").getString("id");
        JsonObject employee = api.createUser(owner, uniqueEmail("employee"), "EMPLOYEE", null);
        String employeeId = employee.getJsonObject("user").getString("id");
        long before = keys(owner.organizationId());
        long audit = db.auditEvents(owner.organizationId());

        age(owner, 11);
        JsonObject refused = problem(api.post("/api/v1/api-keys", owner, keyBody("Stale")), 403);
        assertThat(refused.getString("type")).endsWith("/step-up-required");
        assertThat(refused.getString("title")).isEqualTo("Fresh authentication required");
        assertThat(refused.getString("detail")).contains("your password").contains("10 minutes");
        problem(
                api.post("/api/v1/api-keys/" + keyId + "/rotate", owner, new JsonObject().put("gracePeriodSeconds", 0)),
                403);
        problem(
                api.post(
                        "/api/v1/api-keys/" + keyId + "/transfer",
                        owner,
                        new JsonObject().put("ownerUserId", employeeId)),
                403);
        problem(
                api.post(
                        "/api/v1/access-levels",
                        owner,
                        Api.accessLevelBody("Stale level", "ALL", java.util.Map.of(), "people:read")),
                403);
        String fullAdmin = api.accessLevelId(owner, "FULL_ADMIN");
        problem(api.patch("/api/v1/users/" + employeeId, owner, new JsonObject().put("accessLevelId", fullAdmin)), 403);
        assertThat(keys(owner.organizationId())).isEqualTo(before);
        assertThat(db.auditEvents(owner.organizationId())).isEqualTo(audit);
        // what is not sensitive goes on: a rename of the user, a key's name
        assertThat(api.patch("/api/v1/users/" + employeeId, owner, new JsonObject().put("firstName", "Renamed"))
                        .statusCode())
                .isEqualTo(200);

        // a wrong password renews nothing
        JsonObject wrong = problem(
                api.post("/api/v1/session/step-up", owner, new JsonObject().put("password", "not the password")), 400);
        assertThat(wrong.getString("field")).isEqualTo("password");
        problem(api.post("/api/v1/api-keys", owner, keyBody("Still stale")), 403);

        assertThat(api.post("/api/v1/session/step-up", owner, new JsonObject().put("password", PASSWORD))
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/api-keys", owner, keyBody("Stepped up")).statusCode())
                .isEqualTo(201);
        assertThat(api.patch("/api/v1/users/" + employeeId, owner, new JsonObject().put("accessLevelId", fullAdmin))
                        .statusCode())
                .isEqualTo(200);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'session.stepped-up' AND details->>'method' = 'pwd'",
                        owner.organizationId()))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("a user with an app steps up with a code, not the password; the policy sets the window")
    void aUserWithAnApp_stepsUpWithACode_andThePolicySetsTheWindow() throws Exception {
        Enrolled e = enrol(api.signUp("Step Up Code Org", uniqueEmail("step-code")));
        Session owner = e.session();
        age(owner, 11);
        JsonObject refused = problem(api.post("/api/v1/api-keys", owner, keyBody("Stale")), 403);
        assertThat(refused.getString("detail")).contains("authenticator app");
        JsonObject password =
                problem(api.post("/api/v1/session/step-up", owner, new JsonObject().put("password", PASSWORD)), 400);
        assertThat(password.getString("field")).isEqualTo("code");
        assertThat(api.post("/api/v1/session/step-up", owner, new JsonObject().put("code", codeNow(e.secret(), 1)))
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.post("/api/v1/api-keys", owner, keyBody("Stepped up")).statusCode())
                .isEqualTo(201);

        // a longer window: an 11-minute-old authentication is fresh enough
        HttpResponse<Buffer> policy = api.put(
                "/api/v1/organization/sign-in-policy",
                owner,
                new JsonObject()
                        .put("secondFactorRequiredFor", "NOBODY")
                        .put("stepUpMinutes", 30)
                        .put("stepUpPasswordAllowed", true));
        assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(200);
        age(owner, 11);
        assertThat(api.post("/api/v1/api-keys", owner, keyBody("Within 30")).statusCode())
                .isEqualTo(201);
        age(owner, 31);
        problem(api.post("/api/v1/api-keys", owner, keyBody("Past 30")), 403);
    }

    @Test
    @DisplayName("under an ADMINS policy an admin without a factor may only enrol; an employee is not asked")
    void anAdminsPolicy_leadsAdminsThroughEnrolment_only() {
        String ownerEmail = uniqueEmail("policy-owner");
        Session owner = api.signUp("Policy Org", ownerEmail);
        Session employee = api.createSignedInUser(owner, uniqueEmail("policy-employee"), null);
        HttpResponse<Buffer> saved = api.put(
                "/api/v1/organization/sign-in-policy",
                owner,
                new JsonObject()
                        .put("secondFactorRequiredFor", "ADMINS")
                        .put("stepUpMinutes", 10)
                        .put("stepUpPasswordAllowed", true));
        assertThat(saved.statusCode()).isEqualTo(200);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'sign-in-policy.changed' AND details->'fields' = '[\"secondFactorRequiredFor\"]'",
                        owner.organizationId()))
                .isEqualTo(1);

        // the owner's next request: only enrolment answers
        JsonObject me = api.get("/api/v1/me", owner).bodyAsJsonObject();
        assertThat(me.getJsonObject("authentication").getBoolean("secondFactorEnrolmentRequired"))
                .isTrue();
        JsonObject refused = problem(api.post("/api/v1/api-keys", owner, keyBody("Before enrolment")), 403);
        assertThat(refused.getString("type")).endsWith("/second-factor-enrolment-required");
        problem(api.get("/api/v1/users", owner), 403);
        // the employee is not an admin: not asked
        assertThat(api.post("/api/v1/api-keys", employee, keyBody("Employee key"))
                        .statusCode())
                .isEqualTo(201);

        // a fresh sign-in of the owner is a session that must enrol as well
        Session again = api.signInOk(ownerEmail, PASSWORD, null);
        assertThat(again.me().getJsonObject("authentication").getBoolean("secondFactorEnrolmentRequired"))
                .isTrue();
        Enrolled e = enrol(again);
        assertThat(api.post("/api/v1/api-keys", e.session(), keyBody("After enrolment"))
                        .statusCode())
                .isEqualTo(201);
        // the policy keeps the factor on
        JsonObject keep = problem(api.delete("/api/v1/me/totp", e.session()), 409);
        assertThat(keep.getString("type")).endsWith("/second-factor-required");
        assertThat(api.get("/api/v1/me/second-factors", e.session())
                        .bodyAsJsonObject()
                        .getBoolean("required"))
                .isTrue();
    }

    @Test
    @DisplayName("an admin resets a user's factors (audited); nobody else, in no other organization, above nobody")
    void anAdminResetsFactors_butNoWeakerUserNorAnotherOrganization() {
        Session owner = api.signUp("Reset Org", uniqueEmail("reset-owner"));
        String userEmail = uniqueEmail("reset-user");
        Session user = api.createSignedInUser(owner, userEmail, null);
        enrol(user);
        Session fullAdmin = api.createSignedInUser(owner, uniqueEmail("reset-admin"), "FULL_ADMIN");
        enrol(owner);
        Session stranger = api.signUp("Reset Other Org", uniqueEmail("reset-stranger"));

        // another organization: no such user; a weaker user: no permission; a Full Admin: not the Account Owner's
        problem(api.delete("/api/v1/users/" + user.userId() + "/second-factors", stranger), 404);
        JsonObject missing = problem(api.delete("/api/v1/users/" + owner.userId() + "/second-factors", user), 403);
        assertThat(missing.getString("type")).endsWith("/permission-missing");
        problem(api.delete("/api/v1/users/" + owner.userId() + "/second-factors", fullAdmin), 403);
        problem(api.delete("/api/v1/users/" + UUID.randomUUID() + "/second-factors", owner), 404);
        problem(api.delete("/api/v1/users/not-a-uuid/second-factors", owner), 400);
        assertThat(db.count(
                        "SELECT count(*) FROM totp_factors WHERE secret IS NOT NULL AND user_id = ?::uuid",
                        owner.userId()))
                .isEqualTo(1);
        signInForChallenge(userEmail);

        assertThat(api.delete("/api/v1/users/" + user.userId() + "/second-factors", fullAdmin)
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.signIn(userEmail, PASSWORD, null).bodyAsJsonObject().getString("status"))
                .isEqualTo("SIGNED_IN");
        assertThat(db.count("SELECT count(*) FROM recovery_codes WHERE user_id = ?::uuid", user.userId()))
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'user.second-factors-reset' AND target_id = ?::text AND actor_user_id = ?::uuid",
                        owner.organizationId(),
                        user.userId(),
                        fullAdmin.userId()))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("a password-reset link is no second factor: the password is set, but no session starts")
    void aResetLink_doesNotBypassTheSecondFactor() {
        Session owner = api.signUp("Reset Link Org", uniqueEmail("reset-link-owner"));
        String email = uniqueEmail("reset-link");
        Session user = api.createSignedInUser(owner, email, null);
        enrol(user);
        HttpResponse<Buffer> link = api.post("/api/v1/users/" + user.userId() + "/password-reset", owner, null);
        assertThat(link.statusCode()).as(link.bodyAsString()).isEqualTo(201);
        String newPassword = "another horse battery staple";
        HttpResponse<Buffer> accepted =
                api.accept(Api.token(link.bodyAsJsonObject().getString("url")), newPassword);
        JsonObject refused = problem(accepted, 409);
        assertThat(refused.getString("type")).endsWith("/second-factor-required");
        assertThat(Api.cookieValue(accepted)).isNull();
        assertThat(api.get("/api/v1/me", user).statusCode())
                .as("older sessions ended")
                .isEqualTo(401);
        assertThat(api.signIn(email, newPassword, null).bodyAsJsonObject().getString("status"))
                .isEqualTo("SECOND_FACTOR_REQUIRED");
    }

    @Test
    @DisplayName("the sign-in policy: only policies:manage sets it, per organization, within its bounds")
    void theSignInPolicy_isPerOrganization_andOnlyForPolicyManagers() {
        Session owner = api.signUp("Policy Bounds Org", uniqueEmail("bounds"));
        Session employee = api.createSignedInUser(owner, uniqueEmail("bounds-employee"), null);
        Session other = api.signUp("Policy Bounds Other", uniqueEmail("bounds-other"));
        JsonObject everyone = new JsonObject()
                .put("secondFactorRequiredFor", "EVERYONE")
                .put("stepUpMinutes", 5)
                .put("stepUpPasswordAllowed", false);
        problem(api.put("/api/v1/organization/sign-in-policy", employee, everyone), 403);
        problem(
                api.put(
                        "/api/v1/organization/sign-in-policy",
                        owner,
                        everyone.copy().put("stepUpMinutes", 0)),
                400);
        problem(
                api.put(
                        "/api/v1/organization/sign-in-policy",
                        owner,
                        everyone.copy().put("stepUpMinutes", 721)),
                400);
        problem(
                api.put(
                        "/api/v1/organization/sign-in-policy",
                        owner,
                        everyone.copy().put("secondFactorRequiredFor", "SOME")),
                400);
        assertThat(api.get("/api/v1/organization/sign-in-policy", owner)
                        .bodyAsJsonObject()
                        .getString("secondFactorRequiredFor"))
                .isEqualTo("NOBODY");
        assertThat(api.put("/api/v1/organization/sign-in-policy", owner, everyone)
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.get("/api/v1/organization/sign-in-policy", other).bodyAsJsonObject())
                .isEqualTo(new JsonObject()
                        .put("secondFactorRequiredFor", "NOBODY")
                        .put("stepUpMinutes", 10)
                        .put("stepUpPasswordAllowed", true));
        // EVERYONE: the employee must enrol too, and without password step-up a stale session needs a factor
        problem(api.get("/api/v1/users", employee), 403);
        assertThat(api.get("/api/v1/me/second-factors", employee).statusCode()).isEqualTo(200);
    }
}
