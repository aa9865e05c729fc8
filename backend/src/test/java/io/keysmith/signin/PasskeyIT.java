package io.keysmith.signin;

import static io.keysmith.support.Api.PASSWORD;
import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.SoftAuthenticator;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Passkeys: registration, passwordless and second-factor sign-in, step-up, clones, isolation, bad input")
class PasskeyIT {
    private static final String ORIGIN = "http://keysmith.test"; // TestServer's KEYSMITH_PUBLIC_URL
    private static TestServer server;
    private static Api api;
    private static DbProbe db;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                io.keysmith.support.PostgresFixture.get().newDatabase("passkeys"),
                new JsonObject().put("signin.throttle.address", 100000));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static SoftAuthenticator enrol(Session session, String name) {
        SoftAuthenticator a = new SoftAuthenticator(ORIGIN);
        HttpResponse<Buffer> options = api.post("/api/v1/me/passkeys/options", session, null);
        assertThat(options.statusCode()).as(options.bodyAsString()).isEqualTo(200);
        JsonObject pk = options.bodyAsJsonObject().getJsonObject("publicKey");
        assertThat(pk.getString("attestation")).isEqualTo("none");
        assertThat(pk.getJsonObject("rp").getString("id")).isEqualTo("keysmith.test");
        HttpResponse<Buffer> added = api.post(
                "/api/v1/me/passkeys",
                session,
                new JsonObject().put("name", name).put("credential", a.create(options.bodyAsJsonObject())));
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
        return a;
    }

    private static JsonObject passwordlessOptions() {
        HttpResponse<Buffer> r = api.post("/api/v1/session/passkey/options", null, new JsonObject());
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> signIn(JsonObject credential, String challenge) {
        JsonObject body = new JsonObject().put("credential", credential);
        if (challenge != null) {
            body.put("challenge", challenge);
        }
        return api.post("/api/v1/session/passkey", null, body);
    }

    private static JsonArray passkeys(Session s) {
        return api.get("/api/v1/me/passkeys", s).bodyAsJsonObject().getJsonArray("items");
    }

    private static void age(Session session, int minutes) throws Exception {
        try (var c = db.owner();
                PreparedStatement s = c.prepareStatement("UPDATE sessions SET authenticated_at = now() - (? * interval"
                        + " '1 minute') WHERE user_id = ?::uuid")) {
            s.setInt(1, minutes);
            s.setString(2, session.userId());
            s.executeUpdate();
        }
    }

    private static long audited(String org, String action) {
        return db.count(
                "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action = ?", org, action);
    }

    @Test
    @DisplayName("a passkey signs in without a password (amr hwk+user, audited); each challenge once; UV required")
    void passwordless_signsIn_onceAChallenge_withUserVerification() {
        Session owner = api.signUp("Passkey Org", uniqueEmail("pk"));
        SoftAuthenticator a = enrol(owner, "Laptop");
        assertThat(passkeys(owner)).hasSize(1);
        assertThat(passkeys(owner).getJsonObject(0).getString("name")).isEqualTo("Laptop");
        assertThat(passkeys(owner).getJsonObject(0).containsKey("attested_credential_data"))
                .isFalse();

        JsonObject options = passwordlessOptions();
        assertThat(options.getJsonObject("publicKey").getString("userVerification"))
                .isEqualTo("required");
        JsonObject assertion = a.get(options);
        HttpResponse<Buffer> r = signIn(assertion, null);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(Api.cookieValue(r)).isNotNull();
        JsonObject me = r.bodyAsJsonObject().getJsonObject("me");
        assertThat(me.getJsonObject("user").getString("id")).isEqualTo(owner.userId());
        assertThat(me.getJsonObject("authentication").getJsonArray("amr")).containsExactly("hwk", "user");
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'session.signed-in' AND details->'amr' = '[\"hwk\", \"user\"]'",
                        owner.organizationId()))
                .isEqualTo(1);

        // the same answer again: the challenge was taken
        assertThat(problem(signIn(assertion, null), 401).getString("type")).endsWith("/invalid-second-factor");
        // without user verification a passwordless sign-in is refused
        a.userVerified = false;
        assertThat(problem(signIn(a.get(passwordlessOptions()), null), 401).getString("type"))
                .endsWith("/invalid-second-factor");
        // a challenge the server never issued
        a.userVerified = true;
        JsonObject made = new JsonObject()
                .put("publicKey", new JsonObject().put("challenge", SoftAuthenticator.b64(new byte[32])));
        problem(signIn(a.get(made), null), 401);
        assertThat(passkeys(owner).getJsonObject(0).containsKey("cloneWarningAt"))
                .isFalse();
    }

    @Test
    @DisplayName("another origin or rpId is refused, at registration and at sign-in, and nothing is stored")
    void wrongOriginOrRpId_isRefused() {
        Session owner = api.signUp("Origin Org", uniqueEmail("origin"));
        SoftAuthenticator evil = new SoftAuthenticator("https://keysmith.test.evil.example");
        JsonObject options =
                api.post("/api/v1/me/passkeys/options", owner, null).bodyAsJsonObject();
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", "Evil").put("credential", evil.create(options))),
                400);
        SoftAuthenticator otherRp = new SoftAuthenticator(ORIGIN);
        otherRp.rpIdOverride = "evil.example";
        options = api.post("/api/v1/me/passkeys/options", owner, null).bodyAsJsonObject();
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", "Evil").put("credential", otherRp.create(options))),
                400);
        assertThat(passkeys(owner)).isEmpty();

        SoftAuthenticator a = enrol(owner, "Good");
        a.origin = "http://evil.example";
        problem(signIn(a.get(passwordlessOptions()), null), 401);
        a.origin = ORIGIN;
        a.rpIdOverride = "evil.example";
        problem(signIn(a.get(passwordlessOptions()), null), 401);
        a.rpIdOverride = null;
        assertThat(signIn(a.get(passwordlessOptions()), null).statusCode()).isEqualTo(200);
        assertThat(audited(owner.organizationId(), "session.second-factor-failed"))
                .isEqualTo(2);
    }

    @Test
    @DisplayName("a counter that goes backwards refuses the passkey from then on, audited and shown to its owner")
    void counterRegression_isACloneWarning() {
        Session owner = api.signUp("Clone Org", uniqueEmail("clone"));
        SoftAuthenticator a = enrol(owner, "Key");
        a.counter = 10;
        assertThat(signIn(a.get(passwordlessOptions()), null).statusCode()).isEqualTo(200);
        String challenge = passwordlessOptions().getJsonObject("publicKey").getString("challenge");
        HttpResponse<Buffer> cloned = signIn(a.assertion(challenge, 5), null);
        assertThat(problem(cloned, 401).getString("detail")).contains("copied");
        assertThat(audited(owner.organizationId(), "user.passkey-clone-warning"))
                .isEqualTo(1);
        assertThat(passkeys(owner).getJsonObject(0).getString("cloneWarningAt")).isNotNull();
        // refused from then on, whatever the counter
        a.counter = 100;
        problem(signIn(a.get(passwordlessOptions()), null), 401);
    }

    @Test
    @DisplayName("as a second factor: the password asks for it, only the user's own passkey completes it (pwd+hwk)")
    void secondFactor_completesAPasswordSignIn_onlyWithTheUsersPasskey() {
        String email = uniqueEmail("second");
        Session owner = api.signUp("Second Org", email);
        SoftAuthenticator mine = enrol(owner, "Mine");
        Session other = api.signUp("Other Org", uniqueEmail("other"));
        SoftAuthenticator theirs = enrol(other, "Theirs");

        JsonObject first = api.signIn(email, PASSWORD, null).bodyAsJsonObject();
        assertThat(first.getString("status")).isEqualTo("SECOND_FACTOR_REQUIRED");
        assertThat(first.getJsonArray("methods")).containsExactly("passkey");
        String challenge = first.getString("challenge");
        HttpResponse<Buffer> opts =
                api.post("/api/v1/session/passkey/options", null, new JsonObject().put("challenge", challenge));
        assertThat(opts.statusCode()).as(opts.bodyAsString()).isEqualTo(200);
        JsonObject options = opts.bodyAsJsonObject();
        assertThat(options.getJsonObject("publicKey").getJsonArray("allowCredentials"))
                .extracting(o -> ((JsonObject) o).getString("id"))
                .containsExactly(mine.id());

        // another organization's passkey answering this user's challenge
        problem(signIn(theirs.get(options), challenge), 401);
        // a passwordless ceremony's answer does not complete this sign-in, nor this one a passwordless sign-in
        problem(signIn(mine.get(passwordlessOptions()), challenge), 401);
        options = api.post("/api/v1/session/passkey/options", null, new JsonObject().put("challenge", challenge))
                .bodyAsJsonObject();
        problem(signIn(mine.get(options), null), 401);

        options = api.post("/api/v1/session/passkey/options", null, new JsonObject().put("challenge", challenge))
                .bodyAsJsonObject();
        HttpResponse<Buffer> done = signIn(mine.get(options), challenge);
        assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
        assertThat(done.bodyAsJsonObject()
                        .getJsonObject("me")
                        .getJsonObject("authentication")
                        .getJsonArray("amr"))
                .containsExactly("pwd", "hwk");
        // the sign-in challenge is spent
        problem(api.post("/api/v1/session/passkey/options", null, new JsonObject().put("challenge", challenge)), 401);
    }

    @Test
    @DisplayName("a stale session steps up with a passkey, then creates a key; another session's ceremony does not")
    void stepUp_withAPasskey_allowsCreatingAKey() throws Exception {
        Session owner = api.signUp("Step Org", uniqueEmail("step"));
        SoftAuthenticator a = enrol(owner, "Key");
        JsonObject key = new JsonObject()
                .put("name", "After step-up")
                .put("apiType", "PEOPLE")
                .put("permissionMode", "SCOPED")
                .put("permissions", new JsonArray());
        age(owner, 11);
        assertThat(problem(api.post("/api/v1/api-keys", owner, key), 403).getString("type"))
                .endsWith("/step-up-required");
        // a ceremony of another session (a second sign-in of the same user) does not step this one up
        HttpResponse<Buffer> again = signIn(a.get(passwordlessOptions()), null);
        Session second = Api.session(again, again.bodyAsJsonObject().getJsonObject("me"));
        age(owner, 11);
        JsonObject foreign = api.post("/api/v1/session/step-up/passkey-options", second, null)
                .bodyAsJsonObject();
        problem(api.post("/api/v1/session/step-up", owner, new JsonObject().put("passkey", a.get(foreign))), 401);

        HttpResponse<Buffer> opts = api.post("/api/v1/session/step-up/passkey-options", owner, null);
        assertThat(opts.statusCode()).as(opts.bodyAsString()).isEqualTo(200);
        HttpResponse<Buffer> up = api.post(
                "/api/v1/session/step-up", owner, new JsonObject().put("passkey", a.get(opts.bodyAsJsonObject())));
        assertThat(up.statusCode()).as(up.bodyAsString()).isEqualTo(204);
        HttpResponse<Buffer> created = api.post("/api/v1/api-keys", owner, key);
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action ="
                                + " 'session.stepped-up' AND details->>'method' = 'hwk'",
                        owner.organizationId()))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("passkeys are one's own: a colleague or another organization cannot rename or remove them")
    void anotherUser_cannotRenameOrRemove() {
        Session owner = api.signUp("Own Org", uniqueEmail("own"));
        enrol(owner, "Owner's");
        String id = passkeys(owner).getJsonObject(0).getString("id");
        Session colleague = api.createSignedInUser(owner, uniqueEmail("colleague"), null);
        Session stranger = api.signUp("Stranger Org", uniqueEmail("stranger"));
        for (Session s : new Session[] {colleague, stranger}) {
            problem(api.patch("/api/v1/me/passkeys/" + id, s, new JsonObject().put("name", "Mine now")), 404);
            problem(api.delete("/api/v1/me/passkeys/" + id, s), 404);
            assertThat(passkeys(s)).isEmpty();
        }
        assertThat(passkeys(owner).getJsonObject(0).getString("name")).isEqualTo("Owner's");

        HttpResponse<Buffer> renamed =
                api.patch("/api/v1/me/passkeys/" + id, owner, new JsonObject().put("name", "Desk"));
        assertThat(renamed.statusCode()).as(renamed.bodyAsString()).isEqualTo(200);
        assertThat(renamed.bodyAsJsonObject().getString("name")).isEqualTo("Desk");
        assertThat(audited(owner.organizationId(), "user.passkey-renamed")).isEqualTo(1);
    }

    @Test
    @DisplayName("under a policy requiring a factor, the last passkey cannot be removed; one of two can")
    void lastFactor_underAPolicy_cannotBeRemoved() {
        Session owner = api.signUp("Policy Org", uniqueEmail("policy"));
        enrol(owner, "Only");
        HttpResponse<Buffer> policy = api.put(
                "/api/v1/organization/sign-in-policy",
                owner,
                new JsonObject()
                        .put("secondFactorRequiredFor", "EVERYONE")
                        .put("stepUpMinutes", 10)
                        .put("stepUpPasswordAllowed", true));
        assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(200);
        String only = passkeys(owner).getJsonObject(0).getString("id");
        assertThat(problem(api.delete("/api/v1/me/passkeys/" + only, owner), 409)
                        .getString("type"))
                .endsWith("/second-factor-required");
        enrol(owner, "Second");
        assertThat(api.delete("/api/v1/me/passkeys/" + only, owner).statusCode())
                .isEqualTo(204);
        assertThat(passkeys(owner)).hasSize(1);
        assertThat(audited(owner.organizationId(), "user.second-factor-removed"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("bad and oversized input is a problem+json and changes nothing")
    void badInput_isRefused_andChangesNothing() {
        Session owner = api.signUp("Bad Org", uniqueEmail("bad"));
        JsonObject options =
                api.post("/api/v1/me/passkeys/options", owner, null).bodyAsJsonObject();
        SoftAuthenticator a = new SoftAuthenticator(ORIGIN);
        JsonObject good = a.create(options);
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", "x".repeat(101)).put("credential", good)),
                400);
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", " ").put("credential", good)),
                400);
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject()
                                .put("name", "A")
                                .put("credential", good)
                                .put("extra", 1)),
                400);
        JsonObject garbage = good.copy();
        garbage.getJsonObject("response").put("attestationObject", "AAAA");
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", "A").put("credential", garbage)),
                400);
        JsonObject huge = good.copy();
        huge.getJsonObject("response").put("attestationObject", "A".repeat(13_000));
        HttpResponse<Buffer> tooBig = api.post(
                "/api/v1/me/passkeys", owner, new JsonObject().put("name", "A").put("credential", huge));
        assertThat(tooBig.statusCode()).isIn(400, 413);
        problem(
                api.post(
                        "/api/v1/me/passkeys",
                        owner,
                        new JsonObject().put("name", "A").put("credential", "x".repeat(200_000))),
                413);
        assertThat(passkeys(owner)).isEmpty();
        // the ceremony survived the refusals that never reached it: the good answer still registers
        HttpResponse<Buffer> ok = api.post(
                "/api/v1/me/passkeys", owner, new JsonObject().put("name", "A").put("credential", good));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(201);

        problem(api.patch("/api/v1/me/passkeys/not-a-uuid", owner, new JsonObject().put("name", "B")), 400);
        problem(api.post("/api/v1/session/passkey", null, new JsonObject().put("credential", new JsonObject())), 400);
        problem(
                api.post(
                        "/api/v1/session/passkey",
                        null,
                        new JsonObject().put("credential", new JsonObject().put("id", "x".repeat(20_000)))),
                413);
        problem(api.post("/api/v1/session/passkey/options", null, new JsonObject().put("challenge", "short")), 400);
        JsonObject assertion = a.get(passwordlessOptions());
        assertion.getJsonObject("response").put("signature", "!!");
        problem(signIn(assertion, null), 400);
    }
}
