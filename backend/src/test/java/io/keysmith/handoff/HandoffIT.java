package io.keysmith.handoff;

import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18 item 1, on the real server and PostgreSQL: a hand-off link stores only what the browser sent (opaque to
 * the server), opening its state consumes nothing, the ciphertext is released once (also under a forced race of two
 * reveals) and deleted, and every other case reveals nothing; only the key's secret holder makes links; another
 * organization and a weaker user find nothing; bad input is refused with nothing stored.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("One-time hand-off links: released once, stored unreadable, bound to the key's holder")
class HandoffIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session admin;
    private static Session otherOrg;
    private static Session employee;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "handoff", KeysApi.manyFailures());
        server = api.server();
        db = new DbProbe(server.database.getDatabase());
        admin = api.signUp("Handoff Org A", uniqueEmail("handoff-a"));
        otherOrg = api.signUp("Handoff Org B", uniqueEmail("handoff-b"));
        employee = api.createSignedInUser(admin, uniqueEmail("handoff-employee"), api.builtinLevel(admin, "EMPLOYEE"));
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** What a browser sends: an opaque ciphertext and a proof. */
    record Sealed(String ciphertext, String proof) {
        JsonObject body() {
            return new JsonObject().put("ciphertext", ciphertext).put("proof", proof);
        }
    }

    private static Sealed sealed() {
        return new Sealed(b64(random(70)), b64(random(32)));
    }

    private static String keyOf(Session s) {
        return api.inheritKey(s, "Partner key " + UUID.randomUUID().toString().substring(0, 6), "PEOPLE")
                .getJsonObject("key")
                .getString("id");
    }

    private static JsonObject created(Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static Reply create(Session s, String keyId, JsonObject body) {
        return api.post("/api/v1/api-keys/" + keyId + "/handoffs", s, body);
    }

    private static Reply reveal(String id, String proof) {
        return api.post("/api/v1/handoffs/" + id + "/reveal", null, new JsonObject().put("proof", proof));
    }

    private static Reply state(String id) {
        return api.get("/api/v1/handoffs/" + id, null);
    }

    private static String stored(String id) {
        return db.text("SELECT encode(ciphertext, 'base64') FROM handoffs WHERE id = ?", id);
    }

    @Test
    @DisplayName("a link's ciphertext is released once on the reveal, then deleted; GETs before it consume nothing")
    void aLinkIsReleasedOnce_andGetsConsumeNothing() throws Exception {
        String keyId = keyOf(admin);
        Sealed s = sealed();
        JsonObject made = created(create(admin, keyId, s.body()));
        String id = made.getJsonObject("handoff").getString("id");
        assertThat(made.getJsonObject("handoff").getString("status")).isEqualTo("PENDING");
        assertThat(made.getString("url")).isEqualTo("http://keysmith.test/handoff/" + id);
        // a link previewer: the page's state (and the page itself) any number of times
        for (int i = 0; i < 3; i++) {
            assertThat(state(id).json().getString("status")).isEqualTo("PENDING");
            assertThat(api.get("/handoff/" + id, null).status()).isEqualTo(200);
        }
        // the server holds exactly what the browser sent and a hash of the proof, never the proof itself
        assertThat(stored(id)).isNotNull();
        assertThat(db.count(
                        "SELECT count(*) FROM handoffs WHERE id = ? AND proof_hash = ?",
                        UUID.fromString(id),
                        MessageDigest.getInstance("SHA-256")
                                .digest(Base64.getUrlDecoder().decode(s.proof()))))
                .isEqualTo(1);

        Reply first = reveal(id, s.proof());
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().getString("ciphertext")).isEqualTo(s.ciphertext());
        assertThat(first.header("Cache-Control")).isEqualTo("no-store");
        assertThat(stored(id)).as("the ciphertext is deleted on release").isNull();

        Reply second = reveal(id, s.proof());
        problem(second, 409);
        assertThat(problemType(second)).isEqualTo("handoff-revealed");
        assertThat(second.body()).doesNotContain(s.ciphertext());
        assertThat(state(id).json().getString("status")).isEqualTo("REVEALED");

        JsonObject listed = api.get("/api/v1/api-keys/" + keyId + "/handoffs", admin)
                .json()
                .getJsonArray("items")
                .getJsonObject(0);
        assertThat(listed.getString("status")).isEqualTo("REVEALED");
        assertThat(listed.getString("revealedFrom")).isEqualTo("127.0.0.1");
        String audit = db.text(
                "SELECT string_agg(action || ' ' || coalesce(source_address, '-') || ' ' || details::text, E'\\n'"
                        + " ORDER BY id) FROM audit_events WHERE target_id = ?::text AND action LIKE 'handoff.%'",
                keyId);
        assertThat(audit)
                .contains("handoff.created 127.0.0.1")
                .contains("handoff.revealed 127.0.0.1")
                .contains(id)
                .contains(admin.userId())
                .doesNotContain(s.ciphertext())
                .doesNotContain(s.proof());
    }

    @Test
    @DisplayName("two reveals held at the row lock and released together: exactly one gets the ciphertext")
    void twoConcurrentReveals_exactlyOneGetsTheCiphertext() throws Exception {
        for (int trial = 0; trial < 10; trial++) {
            String keyId = keyOf(admin);
            Sealed s = sealed();
            String id = created(create(admin, keyId, s.body()))
                    .getJsonObject("handoff")
                    .getString("id");
            List<Future<HttpResponse<Buffer>>> reveals = new ArrayList<>();
            // force the race: hold the link's row, start both reveals (both wait on the lock), then let go
            try (Connection c = db.owner()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM handoffs WHERE id = ? FOR UPDATE")) {
                    ps.setObject(1, UUID.fromString(id));
                    ps.executeQuery();
                }
                for (int i = 0; i < 2; i++) {
                    reveals.add(Api.send(
                            api.http().request(HttpMethod.POST, "/api/v1/handoffs/" + id + "/reveal", null),
                            new JsonObject().put("proof", s.proof())));
                }
                io.keysmith.support.Poll.until(
                        () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                        + " AND query LIKE '%ks_handoff_claim%'")
                                >= 2,
                        Duration.ofSeconds(10),
                        "both reveals waiting on the row lock");
                c.commit();
            }
            List<Integer> statuses = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            for (Future<HttpResponse<Buffer>> f : reveals) {
                HttpResponse<Buffer> r = f.await();
                statuses.add(r.statusCode());
                bodies.add(r.bodyAsString());
            }
            assertThat(statuses).as("trial %d: %s", trial, bodies).containsExactlyInAnyOrder(200, 409);
            assertThat(bodies.stream().filter(b -> b.contains(s.ciphertext()))).hasSize(1);
            assertThat(db.count(
                            "SELECT count(*) FROM audit_events WHERE action = 'handoff.revealed' AND details->>'handoffId' = ?::text",
                            id))
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a wrong proof (a damaged fragment) is 400 naming proof and consumes nothing")
    void aWrongProof_consumesNothing() {
        Sealed s = sealed();
        String id = created(create(admin, keyOf(admin), s.body()))
                .getJsonObject("handoff")
                .getString("id");
        Reply wrong = reveal(id, b64(random(32)));
        assertThat(problem(wrong, 400).getString("field")).isEqualTo("proof");
        assertThat(stored(id)).isNotNull();
        assertThat(reveal(id, s.proof()).status()).isEqualTo(200);
        assertThat(problem(reveal(UUID.randomUUID().toString(), s.proof()), 404).getString("detail"))
                .isEqualTo("No such hand-off link");
    }

    @Test
    @DisplayName("a withdrawn link and an expired one reveal nothing; expiry deletes the ciphertext and is audited")
    void withdrawnAndExpiredLinks_revealNothing() throws Exception {
        String keyId = keyOf(admin);
        Sealed w = sealed();
        String withdrawn =
                created(create(admin, keyId, w.body())).getJsonObject("handoff").getString("id");
        Reply out = api.post("/api/v1/handoffs/" + withdrawn + "/withdraw", admin, null);
        assertThat(out.status()).as(out.toString()).isEqualTo(200);
        assertThat(out.json().getString("status")).isEqualTo("WITHDRAWN");
        assertThat(stored(withdrawn)).isNull();
        assertThat(problemType(reveal(withdrawn, w.proof()))).isEqualTo("handoff-withdrawn");
        assertThat(problemType(api.post("/api/v1/handoffs/" + withdrawn + "/withdraw", admin, null)))
                .isEqualTo("handoff-not-pending");

        Sealed e = sealed();
        String expired =
                created(create(admin, keyId, e.body())).getJsonObject("handoff").getString("id");
        try (Connection c = db.owner();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE handoffs SET expires_at = now() - interval '1 second' WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(expired));
            ps.executeUpdate();
        }
        assertThat(state(expired).json().getString("status")).isEqualTo("EXPIRED");
        Reply late = reveal(expired, e.proof());
        problem(late, 409);
        assertThat(problemType(late)).isEqualTo("handoff-expired");
        assertThat(server.app.expireHandoffs().await()).isGreaterThanOrEqualTo(1);
        assertThat(stored(expired)).isNull();
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE action = 'handoff.expired' AND details->>'handoffId' = ?::text",
                        expired))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("another organization and a weaker user of the same one find nothing; only the holder makes links")
    void isolation_andOnlyTheSecretHolderMakesLinks() {
        String adminsKey = keyOf(admin);
        Sealed s = sealed();
        String id = created(create(admin, adminsKey, s.body()))
                .getJsonObject("handoff")
                .getString("id");
        String before = stored(id);
        long links = db.count("SELECT count(*) FROM handoffs");
        for (Session stranger : List.of(otherOrg, employee)) {
            problem(create(stranger, adminsKey, sealed().body()), 404);
            problem(api.get("/api/v1/api-keys/" + adminsKey + "/handoffs", stranger), 404);
            problem(api.post("/api/v1/handoffs/" + id + "/withdraw", stranger, null), 404);
        }
        assertThat(db.count("SELECT count(*) FROM handoffs")).isEqualTo(links);
        assertThat(stored(id)).isEqualTo(before);

        // the employee's own key: its holder is the employee; an admin who sees it did not receive its secret
        String employeesKey = keyOf(employee);
        Reply notHolder = create(admin, employeesKey, sealed().body());
        assertThat(problem(notHolder, 403).getString("detail")).contains("received this key's current secret");
        assertThat(create(employee, employeesKey, sealed().body()).status()).isEqualTo(201);
        // a revoked key is handed off no more
        api.keyAction(employee, employeesKey, "revoke", null);
        assertThat(problemType(create(employee, employeesKey, sealed().body()))).isEqualTo("api-key-revoked");
    }

    @Test
    @DisplayName("a link lives the organization's policy at most; links point at KEYSMITH_PUBLIC_URL whatever the Host")
    void lifetimeFollowsThePolicy_andLinksNeverUseTheHostHeader() {
        Session org = api.signUp("Handoff Policy Org", uniqueEmail("handoff-policy"));
        Reply policy = api.put(
                "/api/v1/organization/policies",
                org,
                new JsonObject()
                        .put("expiryRequired", false)
                        .put("allowedIpRanges", new JsonArray())
                        .put("handoffLifetimeHours", 2));
        assertThat(policy.json().getInteger("handoffLifetimeHours")).isEqualTo(2);
        String keyId = keyOf(org);
        Reply tooLong = create(org, keyId, sealed().body().put("expiresInHours", 3));
        assertThat(problem(tooLong, 400).getString("field")).isEqualTo("expiresInHours");
        JsonObject made = api.call(
                        HttpMethod.POST,
                        "/api/v1/api-keys/" + keyId + "/handoffs",
                        org,
                        sealed().body(),
                        Map.of("Host", "attacker.example", "X-Forwarded-Host", "attacker.example"))
                .json();
        Instant expires = Instant.parse(made.getJsonObject("handoff").getString("expiresAt"));
        assertThat(expires)
                .isBetween(Instant.now().plusSeconds(7100), Instant.now().plusSeconds(7300));
        assertThat(made.getString("url"))
                .startsWith("http://keysmith.test/handoff/")
                .doesNotContain("attacker");
        // the default is 72 hours
        JsonObject byDefault = created(create(admin, keyOf(admin), sealed().body()));
        assertThat(Instant.parse(byDefault.getJsonObject("handoff").getString("expiresAt")))
                .isAfter(Instant.now().plus(Duration.ofHours(71)))
                .isBefore(Instant.now().plus(Duration.ofHours(73)));
    }

    @Test
    @DisplayName("bad and oversized input is refused with a problem naming the field, and nothing is stored")
    void badInput_isRefused_andNothingIsStored() {
        String keyId = keyOf(admin);
        long links = db.count("SELECT count(*) FROM handoffs");
        Map<String, JsonObject> bad = Map.of(
                "ciphertext", sealed().body().put("ciphertext", "not base64url!"),
                "proof", sealed().body().put("proof", "short"),
                "expiresInHours", sealed().body().put("expiresInHours", 169),
                "unknown", sealed().body().put("secret", "ksk_plaintext"));
        bad.forEach((field, body) -> problem(create(admin, keyId, body), 400));
        JsonObject huge = sealed().body().put("ciphertext", "A".repeat(20_000));
        problem(create(admin, keyId, huge), 413);
        problem(reveal(UUID.randomUUID().toString(), "x"), 400);
        problem(api.get("/api/v1/handoffs/not-a-uuid", null), 400);
        assertThat(db.count("SELECT count(*) FROM handoffs")).isEqualTo(links);
    }
}
