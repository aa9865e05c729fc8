package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("API keys: shown once, never beyond the owner, governed to the letter")
class KeyLifecycleIT {
    private static TestServer server;
    private static Api api;
    private static Session owner;
    private static String personId;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("key_lifecycle");
        api = new Api(vertx, server.port());
        owner = api.signUp("Key Org", Api.uniqueEmail("key-owner"));
        personId = api.createPerson(owner, new JsonObject().put("firstName", "Grace").put("lastName", "Hopper")
                .put("department", "Engineering").put("salary", 123456)).getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static JsonObject create(Session who, JsonObject body) {
        HttpResponse<Buffer> r = api.post("/api/v1/api-keys", who, body);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    static JsonObject scoped(String name) {
        return new JsonObject().put("name", name).put("apiType", "PEOPLE").put("permissionMode", "SCOPED")
                .put("permissions", new JsonArray());
    }

    static HttpResponse<Buffer> people(String key) {
        return api.call(HttpMethod.GET, "/api/v1/people", null, null, Map.of("Authorization", "Bearer " + key));
    }

    static HttpResponse<Buffer> peopleBasic(String key) {
        String basic = Base64.getEncoder().encodeToString((key + ":x").getBytes());
        return api.call(HttpMethod.GET, "/api/v1/people", null, null, Map.of("Authorization", "Basic " + basic));
    }

    @Test
    void theSecret_isShownOnce_andNeverReadBack() {
        JsonObject created = create(owner, scoped("Once"));
        String secret = created.getString("secret");
        assertThat(secret).matches("ksk_[0-9A-Za-z]{38}");
        String id = created.getJsonObject("key").getString("id");
        assertThat(api.get("/api/v1/api-keys/" + id, owner).bodyAsString()).doesNotContain(secret).doesNotContainPattern("[0-9A-Za-z]{30,}");
        assertThat(api.get("/api/v1/api-keys", owner).bodyAsString()).doesNotContain(secret);
        assertThat(api.get("/api/v1/organization/api-keys", owner).bodyAsString()).doesNotContain(secret);
        assertThat(api.get("/api/v1/audit-events", owner).bodyAsString()).doesNotContain(secret);
    }

    @Test
    void anEmptyKey_grantsNothing_untilPermissionsAreSaved_andShowsOnlyGrantedFields() {
        JsonObject created = create(owner, scoped("Payroll"));
        String secret = created.getString("secret");
        Api.problem(people(secret), 403);
        HttpResponse<Buffer> patched = api.patch("/api/v1/api-keys/" + created.getJsonObject("key").getString("id"), owner,
                new JsonObject().put("permissions", new JsonArray().add("people:read"))
                        .put("fieldRights", new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW")));
        assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
        JsonObject person = people(secret).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
        assertThat(person.fieldNames()).containsExactlyInAnyOrder("id", "firstName", "lastName");
        assertThat(peopleBasic(secret).statusCode()).isEqualTo(200);
    }

    @Test
    void aKey_neverExceedsItsOwner_evenAfterTheOwnersLevelShrinks() {
        String levelId = api.createAccessLevel(owner, Api.accessLevelBody("Shrinking", "ALL",
                Map.of("firstName", "VIEW", "salary", "VIEW"), "people:read", "keys:create-own")).getString("id");
        Session member = api.createSignedInUser(owner, Api.uniqueEmail("member"), levelId);
        // beyond the owner: refused
        Api.problem(api.post("/api/v1/api-keys", member, scoped("Too much").put("permissions", new JsonArray().add("people:delete"))), 403);
        Api.problem(api.post("/api/v1/api-keys", member, scoped("Too much").put("permissions", new JsonArray().add("people:read"))
                .put("fieldRights", new JsonObject().put("salary", "EDIT"))), 403);
        String scopedKey = create(member, scoped("Scoped").put("permissions", new JsonArray().add("people:read"))
                .put("fieldRights", new JsonObject().put("firstName", "VIEW").put("salary", "VIEW"))).getString("secret");
        String inheritKey = create(member, new JsonObject().put("name", "Inherit").put("apiType", "PEOPLE")
                .put("permissionMode", "INHERIT")).getString("secret");
        assertThat(people(scopedKey).bodyAsJsonObject().getJsonArray("items").getJsonObject(0).containsKey("salary")).isTrue();
        assertThat(people(inheritKey).bodyAsJsonObject().getJsonArray("items").getJsonObject(0).containsKey("salary")).isTrue();

        // the owner's level loses salary: both keys lose it on their next request
        assertThat(api.put("/api/v1/access-levels/" + levelId, owner, Api.accessLevelBody("Shrinking", "ALL",
                Map.of("firstName", "VIEW"), "people:read", "keys:create-own")).statusCode()).isEqualTo(200);
        assertThat(people(scopedKey).bodyAsJsonObject().getJsonArray("items").getJsonObject(0).containsKey("salary")).isFalse();
        assertThat(people(inheritKey).bodyAsJsonObject().getJsonArray("items").getJsonObject(0).containsKey("salary")).isFalse();
        // ... and people:read: both refused
        assertThat(api.put("/api/v1/access-levels/" + levelId, owner, Api.accessLevelBody("Shrinking", "ALL",
                Map.of("firstName", "VIEW"), "keys:create-own")).statusCode()).isEqualTo(200);
        Api.problem(people(scopedKey), 403);
        Api.problem(people(inheritKey), 403);
    }

    @Test
    void disable_enable_revoke_rotate_transfer() throws Exception {
        JsonObject created = create(owner, new JsonObject().put("name", "Lifecycle").put("apiType", "PEOPLE").put("permissionMode", "INHERIT"));
        String id = created.getJsonObject("key").getString("id");
        String secret = created.getString("secret");
        assertThat(people(secret).statusCode()).isEqualTo(200);

        assertThat(api.post("/api/v1/api-keys/" + id + "/disable", owner, null).bodyAsJsonObject().getString("status")).isEqualTo("DISABLED");
        Api.problem(people(secret), 401);
        api.post("/api/v1/api-keys/" + id + "/enable", owner, null);
        assertThat(people(secret).statusCode()).isEqualTo(200);

        JsonObject rotated = api.post("/api/v1/api-keys/" + id + "/rotate", owner, new JsonObject().put("gracePeriodSeconds", 60)).bodyAsJsonObject();
        String second = rotated.getString("secret");
        assertThat(second).isNotEqualTo(secret);
        assertThat(people(secret).statusCode()).as("old secret in its grace period").isEqualTo(200);
        assertThat(people(second).statusCode()).isEqualTo(200);
        String third = api.post("/api/v1/api-keys/" + id + "/rotate", owner, new JsonObject().put("gracePeriodSeconds", 0))
                .bodyAsJsonObject().getString("secret");
        Api.problem(people(second), 401);
        assertThat(people(third).statusCode()).isEqualTo(200);

        String other = api.createUser(owner, Api.uniqueEmail("heir"), "EMPLOYEE", null).getJsonObject("user").getString("id");
        HttpResponse<Buffer> transferred = api.post("/api/v1/api-keys/" + id + "/transfer", owner, new JsonObject().put("ownerUserId", other));
        assertThat(transferred.bodyAsJsonObject().getJsonObject("owner").getString("id")).isEqualTo(other);

        api.post("/api/v1/api-keys/" + id + "/revoke", owner, null);
        Api.problem(people(third), 401);
        Api.problem(api.post("/api/v1/api-keys/" + id + "/enable", owner, null), 409);
        Api.problem(api.patch("/api/v1/api-keys/" + id, owner, new JsonObject().put("name", "again")), 409);
    }

    @Test
    void aDeactivatedOwner_suspendsTheKey_andReactivationRestoresIt() {
        Session member = api.createSignedInUser(owner, Api.uniqueEmail("suspended"), "EMPLOYEE");
        JsonObject created = create(member, new JsonObject().put("name", "Own").put("apiType", "PEOPLE").put("permissionMode", "INHERIT"));
        String secret = created.getString("secret");
        assertThat(people(secret).statusCode()).isEqualTo(200);
        api.post("/api/v1/users/" + member.userId() + "/deactivate", owner, null);
        Api.problem(people(secret), 401);
        assertThat(api.get("/api/v1/organization/api-keys?ownerUserId=" + member.userId(), owner).bodyAsJsonObject()
                .getJsonArray("items").getJsonObject(0).getString("status")).isEqualTo("OWNER_INACTIVE");
        api.post("/api/v1/users/" + member.userId() + "/reactivate", owner, null);
        assertThat(people(secret).statusCode()).isEqualTo(200);
    }

    @Test
    void expiry_allowlists_types_andManagementStayOutOfReach() throws Exception {
        String expiring = create(owner, new JsonObject().put("name", "Short").put("apiType", "PEOPLE").put("permissionMode", "INHERIT")
                .put("expiresAt", Instant.now().plusSeconds(2).toString())).getString("secret");
        assertThat(people(expiring).statusCode()).isEqualTo(200);
        Thread.sleep(2500);
        Api.problem(people(expiring), 401);

        String fenced = create(owner, new JsonObject().put("name", "Fenced").put("apiType", "PEOPLE").put("permissionMode", "INHERIT")
                .put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))).getString("secret");
        Api.problem(people(fenced), 401);

        String audit = create(owner, new JsonObject().put("name", "Audit").put("apiType", "AUDIT").put("permissionMode", "INHERIT")).getString("secret");
        Api.problem(people(audit), 403);
        String peopleKey = create(owner, new JsonObject().put("name", "People").put("apiType", "PEOPLE").put("permissionMode", "INHERIT")).getString("secret");
        Api.problem(api.call(HttpMethod.GET, "/api/v1/audit-events", null, null, Map.of("Authorization", "Bearer " + peopleKey)), 403);
        assertThat(api.call(HttpMethod.GET, "/api/v1/audit-events", null, null, Map.of("Authorization", "Bearer " + audit)).statusCode()).isEqualTo(200);

        // a key is no session: management operations stay closed to it
        for (String path : new String[] {"/api/v1/users", "/api/v1/api-keys", "/api/v1/me", "/api/v1/access-levels"}) {
            Api.problem(api.call(HttpMethod.GET, path, null, null, Map.of("Authorization", "Bearer " + peopleKey)), 401);
        }
        Api.problem(api.call(HttpMethod.POST, "/api/v1/api-keys", null, scoped("minted"), Map.of("Authorization", "Bearer " + peopleKey)), 401);

        HttpResponse<Buffer> inUrl = api.call(HttpMethod.GET, "/api/v1/people?api_key=" + peopleKey, null, null, Map.of());
        Api.problem(inUrl, 400);
        assertThat(inUrl.bodyAsString()).doesNotContain(peopleKey);
        assertThat(people("ksk_nope").getHeader("WWW-Authenticate")).isNull();
        assertThat(peopleBasic("ksk_nope").getHeader("WWW-Authenticate")).startsWith("Basic");
    }

    @Test
    void policies_holdOnCreate() {
        assertThat(api.put("/api/v1/organization/policies", owner, new JsonObject().put("expiryRequired", true)
                .put("maxKeyLifetimeDays", 30).put("allowedIpRanges", new JsonArray().add("10.0.0.0/8"))).statusCode()).isEqualTo(200);
        try {
            JsonObject base = new JsonObject().put("name", "Policy").put("apiType", "PEOPLE").put("permissionMode", "INHERIT");
            Api.problem(api.post("/api/v1/api-keys", owner, base.copy()), 400);
            Api.problem(api.post("/api/v1/api-keys", owner, base.copy().put("expiresAt", Instant.now().plusSeconds(40L * 86400).toString())
                    .put("ipAllowlist", new JsonArray().add("10.1.0.0/16"))), 400);
            Api.problem(api.post("/api/v1/api-keys", owner, base.copy().put("expiresAt", Instant.now().plusSeconds(86400).toString())
                    .put("ipAllowlist", new JsonArray().add("192.168.0.0/16"))), 400);
            assertThat(api.post("/api/v1/api-keys", owner, base.copy().put("expiresAt", Instant.now().plusSeconds(86400).toString())
                    .put("ipAllowlist", new JsonArray().add("10.1.0.0/16"))).statusCode()).isEqualTo(201);
        } finally {
            api.put("/api/v1/organization/policies", owner, new JsonObject().put("expiryRequired", false).put("allowedIpRanges", new JsonArray()));
        }
    }

    @Test
    void partners_platformWideAndOwn_neverAnotherOrganizations() {
        JsonArray partners = api.get("/api/v1/partners", owner).bodyAsJsonObject().getJsonArray("items");
        assertThat(partners.stream().filter(p -> ((JsonObject) p).getBoolean("platformWide")).count()).isGreaterThanOrEqualTo(3);
        Session other = api.signUp("Other Org", Api.uniqueEmail("other"));
        String theirs = api.post("/api/v1/partners", other, new JsonObject().put("name", "Their partner")).bodyAsJsonObject().getString("id");
        assertThat(api.get("/api/v1/partners", owner).bodyAsString()).doesNotContain(theirs);
        Api.problem(api.post("/api/v1/api-keys", owner, scoped("Borrowed").put("partnerId", theirs)), 400);
    }
}
