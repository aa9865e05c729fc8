package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.ForwardAuthClient;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20 item 1, black box over real HTTP and PostgreSQL: an organization's approval policy holds new keys (by API
 * type, by permission, when the owner is not an administrator) as PENDING_APPROVAL; such a key's secret is shown once
 * but it authenticates nothing (verify: PENDING_APPROVAL; keyed requests: 403 pending-approval) until another
 * credential administrator approves the revision they read; a denial revokes it with a reason; nobody decides on their
 * own request; every step audited; another organization sees nothing; and a second server on the same database
 * follows the verdict within 1 s.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Approval of keys: pending keys authenticate nothing until another administrator approves them")
class KeyApprovalIT {
    private static final String VERIFY = "/api/v1/api-keys/verify";

    private static TestServer server;
    private static TestServer second;
    private static KeysApi api;
    private static KeysApi api2;
    private static DbProbe db;
    private static Session owner;
    private static Session admin;
    private static Session employee;
    private static Session otherOrg;
    private static String gateway;

    @BeforeAll
    static void start(Vertx vertx) {
        var database = PostgresFixture.get().newDatabase("key_approval");
        JsonObject config = KeysApi.manyFailures();
        server = TestServer.start(database, config);
        second = TestServer.start(database, config);
        api = new KeysApi(vertx, server.port());
        api2 = new KeysApi(vertx, second.port());
        db = new DbProbe(server.database.getDatabase());
        owner = api.signUp("Approvals", uniqueEmail("ap-owner"));
        admin = api.createSignedInUser(owner, uniqueEmail("ap-admin"), api.builtinLevel(owner, "FULL_ADMIN"));
        String level = api.createLevel(
                owner,
                KeysApi.levelBody(
                        "Approval employee " + System.nanoTime(),
                        Map.of("firstName", "VIEW"),
                        "people:read",
                        "keys:create-own"));
        employee = api.createSignedInUser(owner, uniqueEmail("ap-employee"), level);
        otherOrg = api.signUp("Approvals elsewhere", uniqueEmail("ap-other"));
        // the gateway's own key is made before any policy: VERIFICATION keys stay ungated throughout
        gateway = api.inheritKey(owner, "gateway", "VERIFICATION").getString("secret");
        Reply saved = api.put(
                "/api/v1/organization/policies",
                owner,
                new JsonObject()
                        .put("expiryRequired", false)
                        .put("allowedIpRanges", new JsonArray())
                        .put("approvalApiTypes", new JsonArray().add("AUDIT"))
                        .put("approvalPermissions", new JsonArray().add("people:read"))
                        .put("approvalWhenOwnerNotAdmin", false));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().getJsonArray("approvalApiTypes").getList()).containsExactly("AUDIT");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (second != null) {
            second.close();
        }
    }

    private static String verifyCode(KeysApi client, String key) {
        Reply r = client.call(
                HttpMethod.POST,
                VERIFY,
                null,
                new JsonObject().put("key", key),
                Map.of("Authorization", "Bearer " + gateway));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().getBoolean("valid"))
                .isEqualTo("VALID".equals(r.json().getString("code")));
        return r.json().getString("code");
    }

    private static long revision(JsonObject key) {
        return key.getJsonObject("approval").getLong("revision");
    }

    private static Reply approve(Session s, String keyId, long revision) {
        return api.keyAction(s, keyId, "approve", new JsonObject().put("revision", revision));
    }

    private static Reply deny(Session s, String keyId, long revision, String reason) {
        return api.keyAction(
                s, keyId, "deny", new JsonObject().put("revision", revision).put("reason", reason));
    }

    private static long audited(String action, String keyId) {
        return db.count(
                "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action = ? AND target_id = ?::text",
                owner.organizationId(),
                action,
                keyId);
    }

    @Test
    @DisplayName("a key of a gated API type is pending with its secret shown once, refused everywhere, and works"
            + " only once another administrator approved the revision they read")
    void pendingKey_worksOnlyAfterApproval() throws Exception {
        JsonObject created = api.createKey(owner, keyBody("audit export", "AUDIT", "INHERIT"));
        String secret = created.getString("secret");
        JsonObject key = created.getJsonObject("key");
        String id = key.getString("id");
        assertThat(secret).startsWith("ksk_");
        assertThat(key.getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(key.getJsonObject("approval").getJsonArray("reasons").getList())
                .containsExactly("API_TYPE");
        assertThat(key.getJsonObject("approval").getString("requestedBy")).isEqualTo(owner.userId());
        assertThat(key.getJsonObject("approval")
                        .getJsonArray("requestedPermissions")
                        .getList())
                .as("exactly what the INHERIT key would hold: its owner's within the API type")
                .containsExactly("audit:read");
        assertThat(audited("credential.approval_requested", id)).isEqualTo(1);

        assertThat(verifyCode(api, secret)).isEqualTo("PENDING_APPROVAL");
        assertThat(verifyCode(api2, secret)).as("the second server, caching it").isEqualTo("PENDING_APPROVAL");
        Reply keyed = api.withKey("/api/v1/audit-events", secret);
        assertThat(problem(keyed, 403).getString("type")).endsWith("/pending-approval");
        assertThat(keyed.json().getString("detail")).contains("approval");
        Reply forwarded = new ForwardAuthClient(api, gateway).ask("GET", "/api/v1/audit-events", secret);
        assertThat(forwarded.status())
                .as("forward-auth decides as the API: %s", forwarded)
                .isEqualTo(403);
        assertThat(forwarded.json().getString("type")).isEqualTo(keyed.json().getString("type"));

        Reply own = approve(owner, id, revision(key));
        assertThat(problem(own, 403).getString("detail")).contains("own request");
        assertThat(problem(approve(employee, id, revision(key)), 403).getString("detail"))
                .as("the route demands 'manage ALL'")
                .contains("keys:manage-all");
        Reply enable = api.keyAction(owner, id, "enable", null);
        problem(enable, 409);
        assertThat(problemType(enable)).isEqualTo("pending-approval");
        assertThat(enable.json().getString("detail")).contains("awaits approval");
        Reply stale = approve(admin, id, revision(key) + 1);
        assertThat(problem(stale, 409).getString("detail")).contains("revision");
        assertThat(verifyCode(api, secret)).as("nothing was decided").isEqualTo("PENDING_APPROVAL");

        Reply approved = approve(admin, id, revision(key));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().getString("status")).isEqualTo("ACTIVE");
        assertThat(approved.json().getJsonObject("approval").getString("decidedBy"))
                .isEqualTo(admin.userId());
        assertThat(approved.body()).doesNotContain(secret);
        assertThat(verifyCode(api, secret)).isEqualTo("VALID");
        assertThat(api.withKey("/api/v1/audit-events", secret).status()).isEqualTo(200);
        assertThat(new ForwardAuthClient(api, gateway)
                        .ask("GET", "/api/v1/audit-events", secret)
                        .status())
                .isEqualTo(200);
        long deadline = System.nanoTime() + 1_000_000_000L;
        String there = verifyCode(api2, secret);
        while (!there.equals("VALID") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            there = verifyCode(api2, secret);
        }
        assertThat(there).as("the other server follows the approval within 1 s").isEqualTo("VALID");
        assertThat(audited("credential.approved", id)).isEqualTo(1);
        Reply again = approve(admin, id, revision(approved.json()));
        problem(again, 409);
        assertThat(problemType(again))
                .as("an approved key is no longer pending")
                .isEqualTo("not-pending");
        assertThat(db.text(
                        "SELECT details::text FROM audit_events WHERE action = 'credential.approved' AND target_id = ?::text",
                        id))
                .contains(owner.userId())
                .doesNotContain(secret);
    }

    @Test
    @DisplayName("a denial with a reason revokes the pending key, for good, on both servers")
    void denial_revokesWithAReason() throws Exception {
        JsonObject created = api.createKey(employee, keyBody("audit for me", "AUDIT", "SCOPED"));
        String secret = created.getString("secret");
        JsonObject key = created.getJsonObject("key");
        String id = key.getString("id");
        assertThat(key.getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(verifyCode(api2, secret)).isEqualTo("PENDING_APPROVAL");
        assertThat(problem(deny(employee, id, revision(key), "no"), 403).getString("detail"))
                .contains("keys:manage-all");

        Reply denied = deny(owner, id, revision(key), "  Audit keys go through the security team  ");
        assertThat(denied.status()).as(denied.toString()).isEqualTo(200);
        assertThat(denied.json().getString("status")).isEqualTo("REVOKED");
        assertThat(denied.json().getJsonObject("approval").getString("denialReason"))
                .isEqualTo("Audit keys go through the security team");
        assertThat(verifyCode(api, secret)).isEqualTo("REVOKED");
        long deadline = System.nanoTime() + 1_000_000_000L;
        String there = verifyCode(api2, secret);
        while (!there.equals("REVOKED") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            there = verifyCode(api2, secret);
        }
        assertThat(there).isEqualTo("REVOKED");
        assertThat(audited("credential.denied", id)).isEqualTo(1);
        assertThat(db.text(
                        "SELECT details::text FROM audit_events WHERE action = 'credential.denied' AND target_id = ?::text",
                        id))
                .contains("security team");
        assertThat(problem(approve(admin, id, revision(denied.json())), 409).getString("detail"))
                .contains("revoked");
    }

    @Test
    @DisplayName("the SPA's flow (an empty SCOPED key, then its permissions) asks for approval when the change adds"
            + " a gated permission, and the approver sees exactly it")
    void grantingAGatedPermission_asksForApprovalAgain() {
        JsonObject created = api.createKey(
                employee, keyBody("people reader", "PEOPLE", "SCOPED").put("permissions", new JsonArray()));
        String secret = created.getString("secret");
        String id = created.getJsonObject("key").getString("id");
        assertThat(created.getJsonObject("key").getString("status")).isEqualTo("ACTIVE");
        assertThat(created.getJsonObject("key").containsKey("approval")).isFalse();

        Reply patched =
                api.patchKey(employee, id, new JsonObject().put("permissions", new JsonArray().add("people:read")));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().getString("status")).isEqualTo("PENDING_APPROVAL");
        JsonObject approval = patched.json().getJsonObject("approval");
        assertThat(approval.getJsonArray("reasons").getList()).containsExactly("PERMISSION");
        assertThat(approval.getJsonArray("requestedPermissions").getList()).containsExactly("people:read");
        assertThat(verifyCode(api, secret)).isEqualTo("PENDING_APPROVAL");
        assertThat(audited("credential.approval_requested", id)).isEqualTo(1);

        Reply queue = api.get("/api/v1/organization/api-keys?status=PENDING_APPROVAL", admin);
        assertThat(queue.status()).as(queue.toString()).isEqualTo(200);
        assertThat(queue.items().stream().map(k -> ((JsonObject) k).getString("id")))
                .as("the approval queue")
                .contains(id);
        assertThat(queue.items().stream()
                        .map(k -> ((JsonObject) k).getString("status"))
                        .distinct()
                        .toList())
                .containsExactly("PENDING_APPROVAL");

        // changed again while pending: the approver must decide on the new revision
        Reply renamed = api.patchKey(employee, id, new JsonObject().put("name", "people reader 2"));
        assertThat(renamed.json().getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(problem(approve(admin, id, approval.getLong("revision")), 409)
                        .getString("detail"))
                .contains("changed");
        Reply ok = approve(admin, id, renamed.json().getJsonObject("approval").getLong("revision"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(verifyCode(api, secret)).isEqualTo("VALID");
    }

    @Test
    @DisplayName("owner not an administrator: only such owners' keys wait; an organization without policies is"
            + " unchanged")
    void ownerNotAdmin_andNoPolicy() {
        Session solo = api.signUp("No policies", uniqueEmail("ap-solo"));
        JsonObject plain = api.createKey(solo, keyBody("plain", "AUDIT", "INHERIT"));
        assertThat(plain.getJsonObject("key").getString("status")).isEqualTo("ACTIVE");
        assertThat(plain.getJsonObject("key").containsKey("approval")).isFalse();
        assertThat(api.withKey("/api/v1/audit-events", plain.getString("secret"))
                        .status())
                .isEqualTo(200);

        String level = api.createLevel(
                solo, KeysApi.levelBody("Solo employee " + System.nanoTime(), Map.of(), "keys:create-own"));
        Session worker = api.createSignedInUser(solo, uniqueEmail("ap-solo-worker"), level);
        Reply saved = api.put(
                "/api/v1/organization/policies",
                solo,
                new JsonObject()
                        .put("expiryRequired", false)
                        .put("allowedIpRanges", new JsonArray())
                        .put("approvalWhenOwnerNotAdmin", true));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().getJsonArray("approvalApiTypes").getList()).isEmpty();
        JsonObject workers = api.createKey(worker, keyBody("worker's", "PEOPLE", "SCOPED"));
        assertThat(workers.getJsonObject("key").getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(workers.getJsonObject("key")
                        .getJsonObject("approval")
                        .getJsonArray("reasons")
                        .getList())
                .containsExactly("OWNER_NOT_ADMIN");
        JsonObject admins = api.createKey(solo, keyBody("admin's", "PEOPLE", "SCOPED"));
        assertThat(admins.getJsonObject("key").getString("status")).isEqualTo("ACTIVE");
        // a key made for the worker by the admin waits too, and its creator is its requester: another admin decides
        JsonObject forWorker =
                api.createKey(solo, keyBody("for worker", "PEOPLE", "SCOPED").put("ownerUserId", worker.userId()));
        assertThat(forWorker.getJsonObject("key").getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(problem(
                                approve(
                                        solo,
                                        forWorker.getJsonObject("key").getString("id"),
                                        revision(forWorker.getJsonObject("key"))),
                                403)
                        .getString("detail"))
                .contains("own request");
    }

    @Test
    @DisplayName("another organization's administrator gets 404 for a pending key and changes nothing")
    void anotherOrganization_seesNothing() {
        JsonObject created = api.createKey(employee, keyBody("isolated", "AUDIT", "SCOPED"));
        String id = created.getJsonObject("key").getString("id");
        long rev = revision(created.getJsonObject("key"));
        assertThat(problem(approve(otherOrg, id, rev), 404).getString("type")).endsWith("/not-found");
        assertThat(problem(deny(otherOrg, id, rev, "mine now"), 404).getString("type"))
                .endsWith("/not-found");
        assertThat(api.getKey(owner, id).json().getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ?::uuid AND action LIKE 'credential.%'",
                        otherOrg.organizationId()))
                .isZero();
    }

    @Test
    @DisplayName("bad decisions (no revision, an empty, blank or oversized reason, a string revision) are 400 and"
            + " decide nothing")
    void badInput_decidesNothing() {
        JsonObject created = api.createKey(employee, keyBody("bad input", "AUDIT", "SCOPED"));
        String id = created.getJsonObject("key").getString("id");
        long rev = revision(created.getJsonObject("key"));
        for (JsonObject body : List.of(
                new JsonObject(),
                new JsonObject().put("revision", "one"),
                new JsonObject().put("revision", 0),
                new JsonObject().put("revision", rev).put("extra", true))) {
            Reply r = api.keyAction(admin, id, "approve", body);
            assertThat(problem(r, 400).getString("type")).as(r.toString()).endsWith("/invalid-request");
        }
        for (JsonObject body : List.of(
                new JsonObject().put("revision", rev),
                new JsonObject().put("revision", rev).put("reason", ""),
                new JsonObject().put("revision", rev).put("reason", "   "),
                new JsonObject().put("revision", rev).put("reason", "x".repeat(501)))) {
            Reply r = api.keyAction(admin, id, "deny", body);
            assertThat(problem(r, 400).getInteger("status")).as(r.toString()).isEqualTo(400);
        }
        assertThat(api.getKey(owner, id).json().getString("status")).isEqualTo("PENDING_APPROVAL");
        assertThat(audited("credential.approved", id) + audited("credential.denied", id))
                .isZero();
    }
}
