package io.keysmith.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractOperations;
import io.keysmith.support.ContractOperations.Op;
import io.keysmith.support.DbProbe;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Generated from openapi.yaml: every operation that takes an id in its path, called by organization B with
 * organization A's ids, answers 404 (never 403: another organization's objects do not exist for B) and changes
 * nothing of A's. The fixtures are explicit; an id-taking operation without one fails the build.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Organization B cannot see or touch organization A's objects through any id-taking operation")
class IsolationMatrixIT {
    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session a;
    private static Session b;
    private static String aUserId;
    private static String aLevelId;
    private static String aBuiltinLevelId;
    private static String aPersonId;
    private static String aLinkedPersonId;
    private static String aKeyId;
    private static String aHandoffId;
    private static String aEndpointId;
    private static String aDeliveryId;
    private static String aPasskeyId;

    /** Path parameter name -> A's ids to try with B's session (each one is a real object of A). */
    private static final Map<String, Supplier<List<String>>> A_IDS = Map.of(
            "userId", () -> List.of(aUserId, a.userId()),
            "accessLevelId", () -> List.of(aLevelId, aBuiltinLevelId),
            "personId", () -> List.of(aPersonId, aLinkedPersonId),
            "keyId", () -> List.of(aKeyId),
            "handoffId", () -> List.of(aHandoffId),
            "endpointId", () -> List.of(aEndpointId),
            "deliveryId", () -> List.of(aDeliveryId),
            "passkeyId", () -> List.of(aPasskeyId));

    /** operationId -> a valid request body (valid for B: B's own ids), for operations that take one. */
    private static final Map<String, Supplier<JsonObject>> BODIES = merged(
            Map.of(
                    "updateUser",
                            () -> new JsonObject()
                                    .put("firstName", "Mallory")
                                    .put("email", "mallory@example.com")
                                    .put("accessLevelId", api.accessLevelId(b, "EMPLOYEE")),
                    "updateAccessLevel",
                            () -> Api.accessLevelBody(
                                    "Mallory's level",
                                    "ALL",
                                    Map.of("salary", "EDIT", "nationalId", "VIEW"),
                                    "people:read",
                                    "people:update",
                                    "audit:read"),
                    "updatePerson",
                            () -> new JsonObject()
                                    .put("firstName", "Mallory")
                                    .put("salary", 1)
                                    .put("homeAddress", "Mallory's place"),
                    "updateApiKey",
                            () -> new JsonObject()
                                    .put("name", "Mallory's key")
                                    .put("permissions", new io.vertx.core.json.JsonArray()),
                    "rotateApiKey", () -> new JsonObject().put("gracePeriodSeconds", 0),
                    "transferApiKey", () -> new JsonObject().put("ownerUserId", b.userId()),
                    "shadowApiKeyPermissions",
                            () -> new JsonObject().put("permissions", new io.vertx.core.json.JsonArray()),
                    "reduceApiKeyToUsed", () -> new JsonObject().put("permissions", new io.vertx.core.json.JsonArray()),
                    "undoApiKeyReduction",
                            () -> new JsonObject()
                                    .put("reductionId", UUID.randomUUID().toString()),
                    "createHandoff",
                            () -> new JsonObject()
                                    .put("ciphertext", "A".repeat(94))
                                    .put("proof", "B".repeat(43))),
            Map.of(
                    "approveApiKey",
                    () -> new JsonObject().put("revision", 1),
                    "updateWebhookEndpoint",
                    () -> new JsonObject().put("description", "Mallory's endpoint"),
                    "rotateWebhookEndpointSecret",
                    () -> new JsonObject().put("overlapSeconds", 0),
                    "denyApiKey",
                    () -> new JsonObject().put("revision", 1).put("reason", "Mallory says no"),
                    "renamePasskey",
                    () -> new JsonObject().put("name", "Mallory's passkey")));

    /** Map.of takes at most ten pairs. */
    private static <K, V> Map<K, V> merged(Map<K, V> a, Map<K, V> b) {
        Map<K, V> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return Map.copyOf(m);
    }

    @BeforeAll
    static void start(Vertx vertx) {
        // webhook endpoints on loopback (nothing listens there: A's endpoint only has to exist, with a delivery)
        server = TestServer.start(
                io.keysmith.support.PostgresFixture.get().newDatabase("isolation_matrix"),
                new JsonObject().put("webhooks.allow.http", true).put("webhooks.allow.private", true));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        a = api.signUp("Organization A", Api.uniqueEmail("owner-a"));
        b = api.signUp("Organization B", Api.uniqueEmail("owner-b"));
        aUserId = api.createUser(a, Api.uniqueEmail("employee-a"), "EMPLOYEE", "FULL_ADMIN")
                .getJsonObject("user")
                .getString("id");
        aLevelId = api.createAccessLevel(
                        a,
                        Api.accessLevelBody(
                                "Payroll",
                                "ALL",
                                Map.of("firstName", "VIEW", "lastName", "VIEW", "salary", "EDIT"),
                                "people:read",
                                "people:update"))
                .getString("id");
        aBuiltinLevelId = api.accessLevelId(a, "EMPLOYEE");
        aPersonId = api.createPerson(
                        a,
                        new JsonObject()
                                .put("firstName", "Alice")
                                .put("lastName", "Payroll")
                                .put("salary", 98765.43)
                                .put("nationalId", "A-SECRET-1")
                                .put("homeAddress", "1 A Street"))
                .getString("id");
        aLinkedPersonId = api.createPerson(
                        a,
                        new JsonObject()
                                .put("firstName", "Aaron")
                                .put("lastName", "Linked")
                                .put("userId", aUserId)
                                .put("department", "Engineering"))
                .getString("id");
        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                a,
                new JsonObject()
                        .put("name", "Payroll key")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new io.vertx.core.json.JsonArray()));
        assertThat(key.statusCode()).as(key.bodyAsString()).isEqualTo(201);
        aKeyId = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        HttpResponse<Buffer> handoff = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/" + aKeyId + "/handoffs",
                a,
                new JsonObject().put("ciphertext", "A".repeat(94)).put("proof", "B".repeat(43)));
        assertThat(handoff.statusCode()).as(handoff.bodyAsString()).isEqualTo(201);
        aHandoffId = handoff.bodyAsJsonObject().getJsonObject("handoff").getString("id");
        HttpResponse<Buffer> endpoint = api.post(
                "/api/v1/webhook-endpoints",
                a,
                new JsonObject()
                        .put("url", "http://127.0.0.1:9/hook")
                        .put("eventTypes", new io.vertx.core.json.JsonArray().add("api-key.created")));
        assertThat(endpoint.statusCode()).as(endpoint.bodyAsString()).isEqualTo(201);
        aEndpointId = endpoint.bodyAsJsonObject().getJsonObject("endpoint").getString("id");
        HttpResponse<Buffer> sent = api.post("/api/v1/webhook-endpoints/" + aEndpointId + "/test", a, null);
        assertThat(sent.statusCode() / 100).as(sent.bodyAsString()).isEqualTo(2);
        io.keysmith.support.Poll.until(
                () -> !deliveries(aEndpointId).isEmpty(), java.time.Duration.ofSeconds(10), "A's test delivery");
        aDeliveryId = deliveries(aEndpointId).getJsonObject(0).getString("id");
        // A's owner registers a passkey (a software authenticator for TestServer's public URL)
        HttpResponse<Buffer> options = api.post("/api/v1/me/passkeys/options", a, null);
        assertThat(options.statusCode()).as(options.bodyAsString()).isEqualTo(200);
        HttpResponse<Buffer> added = api.post(
                "/api/v1/me/passkeys",
                a,
                new JsonObject()
                        .put("name", "A's phone")
                        .put(
                                "credential",
                                new io.keysmith.support.SoftAuthenticator("http://keysmith.test")
                                        .create(options.bodyAsJsonObject())));
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
        aPasskeyId = api.get("/api/v1/me/passkeys", a)
                .bodyAsJsonObject()
                .getJsonArray("items")
                .getJsonObject(0)
                .getString("id");
    }

    private static io.vertx.core.json.JsonArray deliveries(String endpointId) {
        return api.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", a)
                .bodyAsJsonObject()
                .getJsonArray("items");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static List<Op> idTakingOperations() {
        // a public operation has no organization to isolate: a hand-off link's id is the partner's capability
        // (HandoffIT shows what it reveals: its state, and its ciphertext once with the fragment's proof)
        return ContractOperations.all().stream()
                .filter(Op::hasPathParameters)
                .filter(op -> !op.securitySchemes().isEmpty())
                .toList();
    }

    @Test
    @DisplayName("every id-taking operation of the contract has a fixture (new operations cannot slip by)")
    void everyIdTakingOperation_hasAFixture() {
        List<Op> ops = idTakingOperations();
        assertThat(ops).as("the contract has id-taking operations").isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (Op op : ops) {
            for (String p : op.pathParameters()) {
                if (!A_IDS.containsKey(p)) {
                    missing.add(op.id() + ": path parameter {" + p + "} has no id of organization A");
                }
            }
            if (op.jsonBodySchema() != null && !BODIES.containsKey(op.id())) {
                missing.add(op.id() + ": takes a request body but has no valid body fixture");
            }
        }
        assertThat(missing).as("operations without an isolation fixture").isEmpty();
    }

    @TestFactory
    @DisplayName("B's session with A's ids or an unknown id gets 404 problem+json, and A's objects are unchanged")
    Stream<DynamicTest> everyIdTakingOperation_is404ForAnotherOrganizationsIds() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : idTakingOperations()) {
            for (String p : op.pathParameters()) {
                if (!A_IDS.containsKey(p)) {
                    tests.add(DynamicTest.dynamicTest(op.id() + " has no fixture", () -> {
                        throw new AssertionError(op.id() + ": no fixture for {" + p + "}");
                    }));
                }
            }
            if (!op.pathParameters().stream().allMatch(A_IDS::containsKey)) {
                continue;
            }
            // every combination is overkill with one parameter per path today; try each of A's ids in every slot
            int variants = op.pathParameters().stream()
                    .mapToInt(p -> A_IDS.get(p).get().size())
                    .max()
                    .orElse(0);
            for (int i = 0; i < variants; i++) {
                int index = i;
                Map<String, String> ids = new LinkedHashMap<>();
                for (String p : op.pathParameters()) {
                    List<String> candidates = A_IDS.get(p).get();
                    ids.put(p, candidates.get(Math.min(index, candidates.size() - 1)));
                }
                tests.add(DynamicTest.dynamicTest(
                        op.method().toUpperCase() + " " + op.path() + " with A's " + ids,
                        () -> assertIsolated(op, ids)));
            }
            Map<String, String> random = new LinkedHashMap<>();
            op.pathParameters().forEach(p -> random.put(p, UUID.randomUUID().toString()));
            tests.add(DynamicTest.dynamicTest(
                    op.method().toUpperCase() + " " + op.path() + " with a random id",
                    () -> assertIsolated(op, random)));
        }
        return tests.stream();
    }

    private static void assertIsolated(Op op, Map<String, String> ids) {
        Map<String, String> before = snapshotOfA();
        long bAuditBefore = db.auditEvents(b.organizationId());

        String path = op.pathWith(ids::get);
        Supplier<JsonObject> body = BODIES.get(op.id());
        HttpResponse<Buffer> r =
                api.call(HttpMethod.valueOf(op.method().toUpperCase()), path, b, body == null ? null : body.get());

        JsonObject problem = Api.problem(r, 404);
        assertThat(r.bodyAsString())
                .as("the answer reveals nothing of A's")
                .doesNotContain(a.email())
                .doesNotContain("98765")
                .doesNotContain("A-SECRET-1")
                .doesNotContain("Payroll");
        assertThat(problem.getString("type")).endsWith("/not-found");
        assertThat(snapshotOfA())
                .as("A's objects after %s %s", op.method(), path)
                .isEqualTo(before);
        assertThat(db.auditEvents(b.organizationId()))
                .as("nothing audited in B either")
                .isEqualTo(bAuditBefore);
    }

    /** A's users as A's owner sees them through the API and as stored, and A's audit count. */
    private static Map<String, String> snapshotOfA() {
        Map<String, String> s = new LinkedHashMap<>();
        for (String id : List.of(aUserId, a.userId())) {
            HttpResponse<Buffer> r = api.get("/api/v1/users/" + id, a);
            assertThat(r.statusCode()).as("A can read its own user").isEqualTo(200);
            s.put("api:" + id, r.bodyAsJsonObject().encode());
            s.put("db:" + id, db.userState(id));
        }
        for (String id : List.of(aLevelId, aBuiltinLevelId)) {
            HttpResponse<Buffer> r = api.get("/api/v1/access-levels/" + id, a);
            assertThat(r.statusCode()).as("A can read its own access level").isEqualTo(200);
            s.put("api:" + id, r.bodyAsJsonObject().encode());
            s.put("db:" + id, db.rowState("access_levels", id));
        }
        for (String id : List.of(aPersonId, aLinkedPersonId)) {
            HttpResponse<Buffer> r = api.get("/api/v1/people/" + id, a);
            assertThat(r.statusCode()).as("A can read its own person").isEqualTo(200);
            s.put("api:" + id, r.bodyAsJsonObject().encode());
            s.put("db:" + id, db.rowState("people", id));
        }
        HttpResponse<Buffer> key = api.get("/api/v1/api-keys/" + aKeyId, a);
        assertThat(key.statusCode()).as("A can read its own key").isEqualTo(200);
        s.put("api:" + aKeyId, key.bodyAsJsonObject().encode());
        s.put("db:" + aKeyId, db.rowState("api_keys", aKeyId));
        s.put("db:" + aHandoffId, db.rowState("handoffs", aHandoffId));
        s.put("audit", Long.toString(db.auditEvents(a.organizationId())));
        s.put("users", Long.toString(db.users(a.organizationId())));
        s.put("accessLevels", Long.toString(db.accessLevels(a.organizationId())));
        s.put("people", Long.toString(db.people(a.organizationId())));
        return s;
    }

    @Test
    @DisplayName("A's own session still works on the same ids (the fixture ids are real)")
    void theFixtureIds_areRealObjectsOfA() {
        assertThat(api.get("/api/v1/users/" + aUserId, a).statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/users/" + aUserId, b).statusCode()).isEqualTo(404);
        assertThat(api.get("/api/v1/access-levels/" + aLevelId, a).statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/access-levels/" + aLevelId, b).statusCode()).isEqualTo(404);
        assertThat(api.get("/api/v1/people/" + aPersonId, a).bodyAsJsonObject().getDouble("salary"))
                .isEqualTo(98765.43);
        assertThat(api.get("/api/v1/people/" + aPersonId, b).statusCode()).isEqualTo(404);
        // B's lists hold none of A's access levels or people either
        String bLevels = api.get("/api/v1/access-levels", b).bodyAsString();
        assertThat(bLevels)
                .doesNotContain(aLevelId)
                .doesNotContain(aBuiltinLevelId)
                .doesNotContain("Payroll");
        assertThat(api.get("/api/v1/people", b).bodyAsJsonObject().getJsonArray("items"))
                .isEmpty();
        assertThat(api.get("/api/v1/me", a)
                        .bodyAsJsonObject()
                        .getJsonObject("organization")
                        .getString("id"))
                .isNotEqualTo(b.organizationId());
    }
}
