package io.keysmith.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractOperations;
import io.keysmith.support.ContractOperations.Op;
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
 * Generated from openapi.yaml: every write operation with a JSON body refuses malformed JSON, a body of the wrong
 * type, a body missing a required property and a body with an unknown property, with 400 problem+json naming the
 * problem, and stores nothing. Every write operation needs a valid body fixture here, or the build fails.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Every write operation refuses bad input with 400 and stores nothing")
class BadInputIT {
    private static final String OPERATOR_TOKEN = "operator-token-for-bad-input-tests-0123456789";

    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session admin;
    private static String userId;
    private static String employeeLevelId;
    private static String accessLevelId;
    private static String personId;
    private static String keyId;
    private static String gatewayKey;
    private static String endpointId;
    /** The admin's registered passkey (a software authenticator for TestServer's public URL). */
    private static io.keysmith.support.SoftAuthenticator passkey;

    private static String passkeyId;
    private static final String ORIGIN = "http://keysmith.test";
    /** Operations where an empty object is a meaningful request (a passwordless sign-in starts from nothing). */
    private static final java.util.Set<String> EMPTY_BODY_MEANS_SOMETHING = java.util.Set.of("startPasskeySignIn");

    /** operationId -> a valid body (fresh on every call, so e-mails and names do not collide). */
    private static final Map<String, Supplier<JsonObject>> BODIES = Map.ofEntries(
            Map.entry("checkKeyFormat", () -> new JsonObject().put("key", "ksk_candidate")),
            Map.entry(
                    "signUp",
                    () -> new JsonObject()
                            .put("organizationName", "Bad Input Org")
                            .put("firstName", "Bob")
                            .put("lastName", "Tables")
                            .put("email", Api.uniqueEmail("signup"))
                            .put("password", Api.PASSWORD)),
            Map.entry(
                    "createOrganizationAsOperator",
                    () -> new JsonObject()
                            .put("organizationName", "Operator Org")
                            .put(
                                    "owner",
                                    new JsonObject()
                                            .put("firstName", "Olga")
                                            .put("lastName", "Operator")
                                            .put("email", Api.uniqueEmail("operator-owner")))),
            Map.entry(
                    "signIn",
                    () -> new JsonObject()
                            .put("email", Api.uniqueEmail("nobody"))
                            .put("password", "whatever-password")),
            Map.entry("confirmSignUp", () -> new JsonObject().put("token", "not-a-real-token-0123456789abcdef")),
            Map.entry(
                    "acceptInvitation",
                    () -> new JsonObject()
                            .put("token", "not-a-real-token-0123456789abcdef")
                            .put("password", Api.PASSWORD)),
            Map.entry(
                    "createUser",
                    () -> new JsonObject()
                            .put("email", Api.uniqueEmail("created"))
                            .put("firstName", "Carl")
                            .put("lastName", "Created")
                            .put("kind", "EMPLOYEE")
                            .put("accessLevelId", employeeLevelId)),
            Map.entry(
                    "updateUser",
                    () -> new JsonObject().put("firstName", "Renamed").put("kind", "NON_EMPLOYEE")),
            Map.entry("createAccessLevel", () -> levelBody("Created level")),
            Map.entry("updateAccessLevel", () -> levelBody("Updated level")),
            Map.entry(
                    "createPerson",
                    () -> new JsonObject()
                            .put("firstName", "Paula")
                            .put("lastName", "Person")
                            .put("jobTitle", "Engineer")
                            .put("salary", 50000)),
            Map.entry("updatePerson", () -> new JsonObject().put("jobTitle", "Senior Engineer")),
            Map.entry(
                    "createApiKey",
                    () -> new JsonObject()
                            .put("name", "Created key")
                            .put("apiType", "PEOPLE")
                            .put("permissionMode", "SCOPED")
                            .put("permissions", new JsonArray())),
            Map.entry("updateApiKey", () -> new JsonObject().put("name", "Renamed key")),
            Map.entry("rotateApiKey", () -> new JsonObject().put("gracePeriodSeconds", 0)),
            Map.entry("transferApiKey", () -> new JsonObject().put("ownerUserId", admin.userId())),
            Map.entry("approveApiKey", () -> new JsonObject().put("revision", 1)),
            Map.entry("denyApiKey", () -> new JsonObject().put("revision", 1).put("reason", "Not this one")),
            Map.entry(
                    "bulkChangeApiKeys",
                    () -> new JsonObject()
                            .put("action", "DISABLE")
                            // an id of no key: even the valid body changes nothing the counts compare
                            .put("keyIds", new JsonArray().add(UUID.randomUUID().toString()))),
            Map.entry(
                    "createPartner",
                    () -> new JsonObject()
                            .put(
                                    "name",
                                    "Partner " + UUID.randomUUID().toString().substring(0, 8))
                            .put("website", "https://partner.example")),
            Map.entry(
                    "updateOrganizationPolicies",
                    () -> new JsonObject().put("expiryRequired", false).put("allowedIpRanges", new JsonArray())),
            Map.entry("verifyApiKey", () -> new JsonObject().put("key", "ksk_candidate")),
            Map.entry(
                    "createWebhookEndpoint",
                    () -> new JsonObject()
                            .put("url", "https://hooks.example.com/keysmith")
                            .put("eventTypes", new JsonArray().add("key.expiring"))),
            Map.entry("updateWebhookEndpoint", () -> new JsonObject().put("description", "Renamed endpoint")),
            Map.entry("rotateWebhookEndpointSecret", () -> new JsonObject().put("overlapSeconds", 0)),
            Map.entry("markNotificationsRead", () -> new JsonObject().put("upToId", "1")),
            Map.entry("shadowApiKeyPermissions", () -> new JsonObject().put("permissions", new JsonArray())),
            // a set the key was not shown to have used: 409 stale, so the fixture never shrinks the shared key
            Map.entry(
                    "reduceApiKeyToUsed",
                    () -> new JsonObject().put("permissions", new JsonArray().add("people:delete"))),
            Map.entry(
                    "undoApiKeyReduction",
                    () -> new JsonObject().put("reductionId", UUID.randomUUID().toString())),
            // issue 18: a hand-off link's ciphertext and proof (opaque to the server), a reveal of a link that does
            // not exist (404), a public revocation of a string that is no secret (202, nothing changes)
            Map.entry(
                    "createHandoff",
                    () -> new JsonObject()
                            .put("ciphertext", "A".repeat(94))
                            .put("proof", "B".repeat(43))
                            .put("expiresInHours", 1)),
            Map.entry("revealHandoff", () -> new JsonObject().put("proof", "C".repeat(43))),
            Map.entry(
                    "revokeCredentials",
                    () -> new JsonObject().put("credentials", new JsonArray().add("ksk_candidate"))),
            Map.entry(
                    "completeSignIn",
                    () -> new JsonObject()
                            .put("challenge", "not-a-real-challenge-0123456789abcdef")
                            .put("code", "123456")),
            Map.entry("stepUp", () -> new JsonObject().put("password", Api.PASSWORD)),
            // no enrolment is pending (starting one has no body): the valid body is a 409, never a 400
            Map.entry("confirmTotpEnrolment", () -> new JsonObject().put("code", "123456")),
            Map.entry(
                    "updateSignInPolicy",
                    () -> new JsonObject()
                            .put("secondFactorRequiredFor", "NOBODY")
                            .put("stepUpMinutes", 10)
                            .put("stepUpPasswordAllowed", true)),
            Map.entry("startSso", () -> new JsonObject().put("email", Api.uniqueEmail("sso-nobody"))),
            Map.entry(
                    "completeSso",
                    () -> new JsonObject().put("code", "not-a-real-code").put("state", "not-a-real-state-0123456789")),
            Map.entry(
                    "updateSsoSettings",
                    () -> new JsonObject()
                            .put("enabled", false)
                            .put("issuer", "https://idp.example")
                            .put("clientId", "keysmith")
                            .put("clientSecret", "bad-input-client-secret")
                            .put("allowedDomains", new JsonArray().add("example.org"))),
            Map.entry("startPasskeySignIn", JsonObject::new),
            Map.entry(
                    "signInWithPasskey",
                    () -> new JsonObject()
                            .put(
                                    "credential",
                                    passkey.assertion(io.keysmith.support.SoftAuthenticator.b64(new byte[32]), 1))),
            // registers a passkey of the admin's when valid: stepUp's fixture (a password) comes before it in the
            // contract's order, which is the order of the valid-fixture tests
            Map.entry(
                    "registerPasskey",
                    () -> new JsonObject()
                            .put("name", "Spare key")
                            .put(
                                    "credential",
                                    new io.keysmith.support.SoftAuthenticator(ORIGIN).create(passkeyOptions(admin)))),
            Map.entry("renamePasskey", () -> new JsonObject().put("name", "Renamed passkey")));

    private static JsonObject passkeyOptions(Session session) {
        HttpResponse<Buffer> options = api.post("/api/v1/me/passkeys/options", session, null);
        assertThat(options.statusCode()).as(options.bodyAsString()).isEqualTo(200);
        return options.bodyAsJsonObject();
    }

    /** Path parameter -> the id to use (an object of the admin's organization). */
    private static final Map<String, Supplier<String>> PATH_IDS = Map.of(
            "userId", () -> userId,
            "accessLevelId", () -> accessLevelId,
            "personId", () -> personId,
            "keyId", () -> keyId,
            "endpointId", () -> endpointId,
            "handoffId", () -> UUID.randomUUID().toString(),
            "passkeyId", () -> passkeyId);

    private static JsonObject levelBody(String name) {
        return Api.accessLevelBody(
                        name + " " + UUID.randomUUID().toString().substring(0, 8),
                        "ALL",
                        Map.of("firstName", "VIEW", "lastName", "VIEW", "jobTitle", "EDIT"),
                        "people:read",
                        "people:update")
                .put("description", "A level for bad-input tests");
    }

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                PostgresFixture.get().newDatabase("bad_input"),
                new JsonObject()
                        .put("operator.token", OPERATOR_TOKEN)
                        // no usage flush mid-test: its first-use audit events would change the counts compared here
                        .put("usage.flush.seconds", 300));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        admin = api.signUp("Bad Input Admin Org", Api.uniqueEmail("bad-input-admin"));
        userId = api.createUser(admin, Api.uniqueEmail("bad-input-user"), "EMPLOYEE", null)
                .getJsonObject("user")
                .getString("id");
        employeeLevelId = api.accessLevelId(admin, "EMPLOYEE");
        accessLevelId = api.createAccessLevel(admin, levelBody("Path level")).getString("id");
        personId = api.createPerson(
                        admin,
                        new JsonObject()
                                .put("firstName", "Pat")
                                .put("lastName", "Path")
                                .put("salary", 12345.67)
                                .put("nationalId", "PATH-1"))
                .getString("id");
        keyId = api.call(
                        HttpMethod.POST,
                        "/api/v1/api-keys",
                        admin,
                        BODIES.get("createApiKey").get())
                .bodyAsJsonObject()
                .getJsonObject("key")
                .getString("id");
        gatewayKey = api.call(
                        HttpMethod.POST,
                        "/api/v1/api-keys",
                        admin,
                        new JsonObject()
                                .put("name", "Gateway")
                                .put("apiType", "VERIFICATION")
                                .put("permissionMode", "INHERIT"))
                .bodyAsJsonObject()
                .getString("secret");
        endpointId = api.call(
                        HttpMethod.POST,
                        "/api/v1/webhook-endpoints",
                        admin,
                        BODIES.get("createWebhookEndpoint").get())
                .bodyAsJsonObject()
                .getJsonObject("endpoint")
                .getString("id");
        // someone else's passkey (a second factor of the admin's would change what step-up asks of the admin);
        // renaming it is 404 for the admin, after the body's validation
        Session holder = api.signUp("Bad Input Passkey Org", Api.uniqueEmail("bad-input-passkey"));
        passkey = new io.keysmith.support.SoftAuthenticator(ORIGIN);
        HttpResponse<Buffer> added = api.post(
                "/api/v1/me/passkeys",
                holder,
                new JsonObject()
                        .put("name", "Holder's phone")
                        .put("credential", passkey.create(passkeyOptions(holder))));
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
        passkeyId = api.get("/api/v1/me/passkeys", holder)
                .bodyAsJsonObject()
                .getJsonArray("items")
                .getJsonObject(0)
                .getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /**
     * Write operations whose body is an object. GitHub's secret-scanning call takes GitHub's array, refused unsigned
     * before anything is read: its bad bodies are tested in GitHubSecretScanningIT.
     */
    private static List<Op> writeOperationsWithJsonBodies() {
        return ContractOperations.all().stream()
                .filter(Op::isWrite)
                .filter(op -> op.jsonBodySchema() != null)
                .filter(op -> !"array".equals(op.jsonBodySchema().getString("type")))
                .toList();
    }

    @Test
    @DisplayName("every write operation with a JSON body has a valid body fixture, and every path parameter an id")
    void everyWriteOperation_hasAFixture() {
        List<Op> ops = writeOperationsWithJsonBodies();
        assertThat(ops).isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (Op op : ops) {
            if (!BODIES.containsKey(op.id())) {
                missing.add(op.id() + ": no valid body fixture");
            }
            op.pathParameters().stream()
                    .filter(p -> !PATH_IDS.containsKey(p))
                    .forEach(p -> missing.add(op.id() + ": no id for {" + p + "}"));
            if (!op.securitySchemes().isEmpty()
                    && !op.securitySchemes().contains("session")
                    && !op.securitySchemes().contains("operator")
                    && !op.securitySchemes().contains("keyBearer")) {
                missing.add(op.id() + ": no way to authenticate " + op.securitySchemes());
            }
        }
        assertThat(missing).as("write operations without a bad-input fixture").isEmpty();
    }

    @TestFactory
    @DisplayName("malformed JSON, a JSON array, a missing required property and an unknown property are each 400")
    Stream<DynamicTest> badBodies_are400_andStoreNothing() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : writeOperationsWithJsonBodies()) {
            String name = op.method().toUpperCase() + " " + op.path() + " (" + op.id() + ")";
            if (!BODIES.containsKey(op.id())) {
                tests.add(DynamicTest.dynamicTest(name + " has no fixture", () -> {
                    throw new AssertionError(op.id() + " has no body fixture");
                }));
                continue;
            }
            Map<String, Supplier<Object>> cases = new LinkedHashMap<>();
            cases.put("malformed JSON", () -> BODIES.get(op.id()).get().encode().replaceFirst("}$", ""));
            cases.put("a truncated document", () -> "{\"");
            cases.put(
                    "a JSON array",
                    () -> new JsonArray().add(BODIES.get(op.id()).get()));
            cases.put("a JSON string", () -> "\"just a string\"");
            cases.put("JSON null", () -> "null");
            JsonObject schema = op.jsonBodySchema();
            JsonArray required = schema.getJsonArray("required", new JsonArray());
            if (required.isEmpty() && !EMPTY_BODY_MEANS_SOMETHING.contains(op.id())) {
                // a rule of the contract, checked per operation so one offender does not hide the others' results
                tests.add(DynamicTest.dynamicTest(
                        name + " declares required properties or minProperties",
                        () -> assertThat(schema.getInteger("minProperties", 0))
                                .as(
                                        "%s: a body with no required property must at least need one (minProperties)",
                                        op.id())
                                .isPositive()));
                cases.put("an empty object (minProperties)", JsonObject::new);
            }
            for (Object property : required) {
                cases.put("no '" + property + "'", () -> {
                    JsonObject body = BODIES.get(op.id()).get();
                    assertThat(body.containsKey((String) property))
                            .as("fixture of %s has %s", op.id(), property)
                            .isTrue();
                    body.remove((String) property);
                    return body;
                });
            }
            cases.put("an unknown property", () -> BODIES.get(op.id()).get().put("isAdmin", true));
            cases.forEach((what, body) -> tests.add(DynamicTest.dynamicTest(name + " with " + what, () -> {
                JsonObject problem = assertRefused(op, body.get());
                if (what.equals("an unknown property")) {
                    assertThat(problem.getString("field")).isEqualTo("isAdmin");
                    assertThat(problem.getString("detail")).contains("isAdmin");
                } else if (what.startsWith("no '")) {
                    assertThat(problem.getString("detail")).contains(what.substring(4, what.length() - 1));
                }
            })));
        }
        return tests.stream();
    }

    @TestFactory
    @DisplayName("the valid fixtures themselves pass validation (so the refusals above are about the bad part)")
    Stream<DynamicTest> validFixtures_passValidation() {
        return writeOperationsWithJsonBodies().stream()
                .filter(op -> BODIES.containsKey(op.id()))
                .map(op -> DynamicTest.dynamicTest(op.id(), () -> {
                    HttpResponse<Buffer> r = call(op, BODIES.get(op.id()).get());
                    assertThat(r.statusCode())
                            .as("%s with its fixture: %s", op.id(), r.bodyAsString())
                            .isNotIn(400, 413, 415)
                            .isLessThan(500);
                    if (!op.securitySchemes().isEmpty()) {
                        assertThat(r.statusCode())
                                .as("%s is authenticated: %s", op.id(), r.bodyAsString())
                                .isNotIn(401, 403);
                    }
                }));
    }

    private static HttpResponse<Buffer> call(Op op, Object body) {
        String path = op.pathWith(p -> PATH_IDS.get(p).get());
        HttpMethod method = HttpMethod.valueOf(op.method().toUpperCase());
        if (op.securitySchemes().contains("session")) {
            return api.call(method, path, admin, body);
        }
        if (op.securitySchemes().contains("keyBearer")) {
            return api.call(method, path, null, body, Map.of("Authorization", "Bearer " + gatewayKey));
        }
        if (op.securitySchemes().contains("operator")) {
            return api.call(method, path, null, body, Map.of("Authorization", "Bearer " + OPERATOR_TOKEN));
        }
        return api.call(method, path, null, body);
    }

    private static JsonObject assertRefused(Op op, Object body) {
        String org = admin.organizationId();
        long users = db.users(org);
        long audit = db.auditEvents(org);
        long allUsers = db.count("SELECT count(*) FROM users");
        long organizations = db.count("SELECT count(*) FROM organizations");
        long allAudit = db.count("SELECT count(*) FROM audit_events");
        String userState = db.userState(userId);
        long levels = db.count("SELECT count(*) FROM access_levels");
        long people = db.count("SELECT count(*) FROM people");
        String levelState = db.rowState("access_levels", accessLevelId);
        String personState = db.rowState("people", personId);

        HttpResponse<Buffer> r = call(op, body);

        JsonObject problem = Api.problem(r, 400);
        assertThat(problem.getString("detail"))
                .as("detail of %s", r.bodyAsString())
                .isNotBlank();
        assertThat(db.users(org)).as("users of the admin's organization").isEqualTo(users);
        assertThat(db.auditEvents(org))
                .as("audit events of the admin's organization")
                .isEqualTo(audit);
        assertThat(db.count("SELECT count(*) FROM users")).as("users anywhere").isEqualTo(allUsers);
        assertThat(db.count("SELECT count(*) FROM organizations"))
                .as("organizations")
                .isEqualTo(organizations);
        assertThat(db.count("SELECT count(*) FROM audit_events"))
                .as("audit events anywhere")
                .isEqualTo(allAudit);
        assertThat(db.userState(userId)).as("the user the path names").isEqualTo(userState);
        assertThat(db.count("SELECT count(*) FROM access_levels"))
                .as("access levels anywhere")
                .isEqualTo(levels);
        assertThat(db.count("SELECT count(*) FROM people"))
                .as("people anywhere")
                .isEqualTo(people);
        assertThat(db.rowState("access_levels", accessLevelId))
                .as("the access level the path names")
                .isEqualTo(levelState);
        assertThat(db.rowState("people", personId))
                .as("the person the path names")
                .isEqualTo(personState);
        return problem;
    }
}
