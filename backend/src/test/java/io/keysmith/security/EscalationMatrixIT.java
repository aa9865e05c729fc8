package io.keysmith.security;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.auth.Rights;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractOperations;
import io.keysmith.support.ContractOperations.Op;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, item 9 (ADR 0009): an escalation matrix generated from the contract. Every session operation that
 * creates, rotates, transfers or grants (keys, users, access levels, policies: the write operations of those tags) is
 * called by each weaker principal of the organization and by another organization's Account Owner, with the
 * attacks the issue found (a key for the Account Owner, rotating or transferring into a stronger owner, a stronger
 * level, acting on stronger users, lifting an admin's disable). Whatever each call answers: no secret handed out is
 * worth more than its caller, no user or level it made grants more than its caller holds, the stronger users, levels
 * and policies are untouched, the caller's own rights did not grow, and an admin's disable stays. An operation of
 * those tags without an entry here fails the build, so a new way to grant cannot slip by.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Escalation matrix: no operation that grants hands a weaker caller more than they hold")
class EscalationMatrixIT {
    private static final Set<String> TAGS = Set.of("Keys", "Users", "Access levels");
    /** Writes of those tags that take no session (public) are not grants: their own suites cover them. */
    private static final Set<String> NOT_GRANTS = Set.of("checkKeyFormat", "verifyApiKey");

    private static final String MARKER = "Zedmarker";

    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session owner;
    private static Session other;
    private static String fullAdminId;
    private static String deactivatedOwnerId;
    private static String strongLevelId;
    private static String fullAdminLevel;
    private static String accountOwnerLevel;
    /** Weaker principals of the organization, by label. */
    private static final Map<String, Session> WEAK = new LinkedHashMap<>();

    /** One attack: a request, made by {@code caller}, with the ids of the organization under attack. */
    private record Attempt(HttpMethod method, String path, JsonObject body) {}

    private record Fixture(Function<Session, List<Attempt>> attempts) {}

    private static final Map<String, Fixture> FIXTURES = new LinkedHashMap<>();
    /** Secrets weaker callers received while a fixture was set up, by key id. */
    private static final Map<String, String> SECRETS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonObject policies;

    @BeforeAll
    static void start(io.vertx.core.Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "escalation_matrix", KeysApi.manyFailures());
        server = api.server();
        db = new DbProbe(server.database.getDatabase());
        owner = api.signUp("Matrix Org", uniqueEmail("matrix-owner"));
        other = api.signUp("Matrix Other Org", uniqueEmail("matrix-other"));
        api.createPerson(
                owner, KeysApi.person("Pat", MARKER).put("salary", 99999.5).put("nationalId", "NID-" + MARKER));
        fullAdminLevel = api.builtinLevel(owner, "FULL_ADMIN");
        accountOwnerLevel = api.builtinLevel(owner, "ACCOUNT_OWNER");
        fullAdminId = api.createSignedInUser(owner, uniqueEmail("matrix-fa"), fullAdminLevel)
                .userId();
        deactivatedOwnerId = api.createSignedInUser(owner, uniqueEmail("matrix-ao2"), accountOwnerLevel)
                .userId();
        api.deactivate(owner, deactivatedOwnerId);
        strongLevelId = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "Strong unused level")
                        .put("recordScope", "ALL")
                        .put(
                                "fieldRights",
                                new JsonObject().put("salary", "EDIT").put("nationalId", "EDIT"))
                        .put(
                                "permissions",
                                new JsonArray(List.of(
                                        "people:read",
                                        "audit:read",
                                        "keys:create-own",
                                        "keys:manage-all",
                                        "users:manage",
                                        "access-levels:manage"))));
        weak("key manager", "OWN", new JsonObject(), "keys:create-own", "keys:manage-all");
        weak("user manager", "OWN", new JsonObject(), "users:read", "users:manage");
        weak(
                "level manager",
                "OWN",
                new JsonObject().put("firstName", "VIEW"),
                "access-levels:read",
                "access-levels:manage",
                "users:read",
                "users:manage",
                "keys:create-own");
        weak(
                "people key admin",
                "ALL",
                new JsonObject().put("firstName", "VIEW"),
                "people:read",
                "keys:create-own",
                "keys:manage-all");
        weak("policy manager", "OWN", new JsonObject(), "policies:manage", "keys:create-own");
        WEAK.put("employee", api.createSignedInUser(owner, uniqueEmail("matrix-employee"), null));

        FIXTURES.put(
                "createApiKey",
                new Fixture(c -> List.of(
                        post(
                                "/api/v1/api-keys",
                                keyBody("inherit", "PEOPLE", "INHERIT").put("ownerUserId", owner.userId())),
                        post(
                                "/api/v1/api-keys",
                                keyBody("audit", "AUDIT", "INHERIT").put("ownerUserId", owner.userId())),
                        post(
                                "/api/v1/api-keys",
                                keyBody("scoped", "PEOPLE", "SCOPED")
                                        .put("ownerUserId", owner.userId())
                                        .put("permissions", new JsonArray(List.of("people:read")))
                                        .put("fieldRights", new JsonObject().put("salary", "VIEW"))),
                        post("/api/v1/api-keys", keyBody("own", "PEOPLE", "INHERIT")))));
        FIXTURES.put("updateApiKey", new Fixture(c -> {
            String k = ownersKey();
            String empty = emptyKeyForOwnerBy(c);
            return List.of(
                    patch("/api/v1/api-keys/" + k, new JsonObject().put("permissionMode", "INHERIT")),
                    patch("/api/v1/api-keys/" + empty, new JsonObject().put("permissionMode", "INHERIT")),
                    patch(
                            "/api/v1/api-keys/" + empty,
                            new JsonObject()
                                    .put("permissionMode", "SCOPED")
                                    .put("permissions", new JsonArray(List.of("people:read")))
                                    .put(
                                            "fieldRights",
                                            new JsonObject()
                                                    .put("salary", "VIEW")
                                                    .put("nationalId", "VIEW"))));
        }));
        FIXTURES.put(
                "rotateApiKey",
                new Fixture(c -> List.of(post(
                        "/api/v1/api-keys/" + ownersKey() + "/rotate",
                        new JsonObject().put("gracePeriodSeconds", 0)))));
        FIXTURES.put("transferApiKey", new Fixture(c -> {
            String id = createdBy(c, keyBody("to hand over", "PEOPLE", "INHERIT"));
            return List.of(
                    post("/api/v1/api-keys/" + id + "/transfer", new JsonObject().put("ownerUserId", owner.userId())),
                    post("/api/v1/api-keys/" + id + "/transfer", new JsonObject().put("ownerUserId", fullAdminId)));
        }));
        FIXTURES.put("enableApiKey", new Fixture(c -> {
            String id = createdBy(c, keyBody("disabled by admin", "PEOPLE", "INHERIT"));
            assertThat(api.keyAction(owner, id, "disable", null).status()).isEqualTo(200);
            return List.of(post("/api/v1/api-keys/" + id + "/enable", null));
        }));
        FIXTURES.put("bulkChangeApiKeys", new Fixture(c -> {
            String disabled = createdBy(c, keyBody("bulk disabled by admin", "PEOPLE", "INHERIT"));
            assertThat(api.keyAction(owner, disabled, "disable", null).status()).isEqualTo(200);
            return List.of(
                    post(
                            "/api/v1/organization/api-keys/bulk",
                            new JsonObject().put("action", "ENABLE").put("keyIds", new JsonArray(List.of(disabled)))),
                    post(
                            "/api/v1/organization/api-keys/bulk",
                            new JsonObject()
                                    .put("action", "DISABLE")
                                    .put("keyIds", new JsonArray(List.of(ownersKey(), ownersKey())))));
        }));
        FIXTURES.put(
                "disableApiKey", new Fixture(c -> List.of(post("/api/v1/api-keys/" + ownersKey() + "/disable", null))));
        FIXTURES.put(
                "revokeApiKey", new Fixture(c -> List.of(post("/api/v1/api-keys/" + ownersKey() + "/revoke", null))));
        // least privilege (issue 20): a reduction only shrinks, but an INHERIT key's reduction writes its working
        // field rights down, and an undo restores rights: neither may be done by someone who lacks them
        FIXTURES.put(
                "reduceApiKeyToUsed",
                new Fixture(c -> List.of(post(
                        "/api/v1/api-keys/" + ownersKey() + "/least-privilege/reduce",
                        new JsonObject().put("permissions", new JsonArray())))));
        FIXTURES.put("undoApiKeyReduction", new Fixture(c -> {
            String id = api.createKey(
                            owner,
                            keyBody("reduced " + System.nanoTime(), "PEOPLE", "SCOPED")
                                    .put("permissions", new JsonArray(List.of("people:read")))
                                    .put("fieldRights", new JsonObject().put("salary", "VIEW")))
                    .getJsonObject("key")
                    .getString("id");
            Reply reduced = api.post(
                    "/api/v1/api-keys/" + id + "/least-privilege/reduce",
                    owner,
                    new JsonObject().put("permissions", new JsonArray()));
            assertThat(reduced.status()).as(reduced.toString()).isEqualTo(200);
            String reduction = reduced.json().getJsonObject("reduction").getString("id");
            return List.of(post(
                    "/api/v1/api-keys/" + id + "/least-privilege/undo",
                    new JsonObject().put("reductionId", reduction)));
        }));
        FIXTURES.put(
                "createUser",
                new Fixture(c -> List.of(
                        post("/api/v1/users", userBody(fullAdminLevel)),
                        post("/api/v1/users", userBody(accountOwnerLevel)),
                        post("/api/v1/users", userBody(strongLevelId)),
                        post("/api/v1/users", userBody(null)))));
        FIXTURES.put(
                "updateUser",
                new Fixture(c -> List.of(
                        patch("/api/v1/users/" + fullAdminId, new JsonObject().put("accessLevelId", levelOf(c))),
                        patch("/api/v1/users/" + fullAdminId, new JsonObject().put("email", uniqueEmail("hijack"))),
                        patch("/api/v1/users/" + c.userId(), new JsonObject().put("accessLevelId", fullAdminLevel)),
                        patch("/api/v1/users/" + c.userId(), new JsonObject().put("accessLevelId", strongLevelId)))));
        FIXTURES.put(
                "deactivateUser",
                new Fixture(c -> List.of(
                        post("/api/v1/users/" + fullAdminId + "/deactivate", null),
                        post("/api/v1/users/" + owner.userId() + "/deactivate", null))));
        FIXTURES.put(
                "reactivateUser",
                new Fixture(c -> List.of(post("/api/v1/users/" + deactivatedOwnerId + "/reactivate", null))));
        FIXTURES.put(
                "createPasswordReset",
                new Fixture(c -> List.of(
                        post("/api/v1/users/" + fullAdminId + "/password-reset", null),
                        post("/api/v1/users/" + owner.userId() + "/password-reset", null))));
        FIXTURES.put(
                "createAccessLevel",
                new Fixture(c -> List.of(post(
                        "/api/v1/access-levels",
                        KeysApi.levelBody(
                                "Mine " + System.nanoTime(),
                                Map.of("salary", "VIEW"),
                                "people:read",
                                "audit:read",
                                "keys:manage-all")))));
        FIXTURES.put(
                "updateAccessLevel",
                new Fixture(c -> List.of(
                        put(
                                "/api/v1/access-levels/" + levelOf(c),
                                KeysApi.levelBody(
                                        "Raised " + System.nanoTime(), Map.of("salary", "EDIT"), "audit:read")),
                        put(
                                "/api/v1/access-levels/" + strongLevelId,
                                KeysApi.levelBody("Shrunk " + System.nanoTime(), Map.of())),
                        put(
                                "/api/v1/access-levels/" + fullAdminLevel,
                                KeysApi.levelBody("Builtin " + System.nanoTime(), Map.of())))));
        FIXTURES.put(
                "deleteAccessLevel",
                new Fixture(
                        c -> List.of(new Attempt(HttpMethod.DELETE, "/api/v1/access-levels/" + strongLevelId, null))));
        policies = api.get("/api/v1/organization/policies", owner).json();
        FIXTURES.put(
                "updateOrganizationPolicies",
                new Fixture(c -> List.of(put(
                        "/api/v1/organization/policies",
                        policies.copy().put("rateLimitCeilingPerMinute", 10_000_000)))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static void weak(String label, String scope, JsonObject fields, String... permissions) {
        String level = api.createLevel(
                owner,
                new JsonObject()
                        .put("name", "Matrix " + label)
                        .put("recordScope", scope)
                        .put("fieldRights", fields)
                        .put("permissions", new JsonArray(List.of(permissions))));
        WEAK.put(label, api.createSignedInUser(owner, uniqueEmail(label.replace(' ', '-')), level));
    }

    private static Attempt post(String path, JsonObject body) {
        return new Attempt(HttpMethod.POST, path, body);
    }

    private static Attempt patch(String path, JsonObject body) {
        return new Attempt(HttpMethod.PATCH, path, body);
    }

    private static Attempt put(String path, JsonObject body) {
        return new Attempt(HttpMethod.PUT, path, body);
    }

    private static JsonObject userBody(String level) {
        JsonObject b = new JsonObject()
                .put("email", uniqueEmail("matrix-new"))
                .put("firstName", "New")
                .put("lastName", "User")
                .put("kind", "EMPLOYEE");
        return level == null ? b : b.put("accessLevelId", level);
    }

    /** A fresh INHERIT PEOPLE key of the Account Owner (created by the Account Owner). */
    private static String ownersKey() {
        return api.createKey(owner, keyBody("owner's " + System.nanoTime(), "PEOPLE", "INHERIT"))
                .getJsonObject("key")
                .getString("id");
    }

    /** The seeds' flow: an empty SCOPED key for the Account Owner made by the caller (or by the owner if refused). */
    private static String emptyKeyForOwnerBy(Session c) {
        JsonObject body = keyBody("empty " + System.nanoTime(), "PEOPLE", "SCOPED")
                .put("permissions", new JsonArray())
                .put("ownerUserId", owner.userId());
        return createdBy(c, body);
    }

    /** A key the caller makes (its secret remembered), or the Account Owner's when the caller may not. */
    private static String createdBy(Session c, JsonObject body) {
        Reply r = api.createKeyReply(c, body);
        if (r.status() != 201) {
            return ownersKey();
        }
        String id = r.json().getJsonObject("key").getString("id");
        SECRETS.put(id, r.json().getString("secret"));
        return id;
    }

    private static String levelOf(Session c) {
        return me(c).getJsonObject("user").getJsonObject("accessLevel").getString("id");
    }

    private static JsonObject me(Session c) {
        Reply r = api.get("/api/v1/me", c);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static Rights rightsOf(JsonObject me) {
        return Rights.fromJson(me);
    }

    /** The operations this matrix must cover: the session writes of keys, users, access levels and policies. */
    static List<Op> grantingOperations() {
        return ContractOperations.all().stream()
                .filter(Op::isWrite)
                .filter(op ->
                        op.spec().getJsonArray("tags", new JsonArray()).stream().anyMatch(TAGS::contains))
                .filter(op -> op.securitySchemes().contains("session"))
                .filter(op -> !NOT_GRANTS.contains(op.id()))
                .toList();
    }

    /** What must not move when a weaker caller acts: stronger users, levels, and (unless theirs to set) policies. */
    private static String protectedState(Rights caller) {
        String org = owner.organizationId();
        return db.text(
                "SELECT jsonb_build_object("
                        + "'users', (SELECT jsonb_agg(jsonb_build_array(u.id, u.access_level_id, u.status, u.email)"
                        + " ORDER BY u.id) FROM users u WHERE u.organization_id = ? AND u.id IN (?::uuid, ?::uuid, ?::uuid)),"
                        + "'levels', (SELECT jsonb_agg(jsonb_build_array(a.id, a.name, a.record_scope, a.field_rights,"
                        + " a.permissions) ORDER BY a.id) FROM access_levels a WHERE a.organization_id = ?"
                        + " AND (a.builtin IS NOT NULL OR a.id = ?::uuid)),"
                        + "'policies', (SELECT to_jsonb(p) - 'updated_at' FROM organization_policies p"
                        + " WHERE p.organization_id = ? AND NOT ?))::text",
                org,
                owner.userId(),
                fullAdminId,
                deactivatedOwnerId,
                org,
                strongLevelId,
                org,
                caller.has("policies:manage"));
    }

    @Test
    @DisplayName(
            "every session write of keys, users, access levels and policies has an entry (new ones cannot slip by)")
    void everyGrantingOperation_hasAFixture() {
        Set<String> ops = grantingOperations().stream().map(Op::id).collect(Collectors.toCollection(TreeSet::new));
        assertThat(ops).as("the matrix selects something").contains("createApiKey", "rotateApiKey", "createUser");
        assertThat(FIXTURES.keySet()).containsExactlyInAnyOrderElementsOf(ops);
    }

    @Test
    @DisplayName("each weaker principal, on every granting operation: no secret above them, nothing made above them,"
            + " stronger users, levels and policies untouched, their own rights not grown, an admin's disable kept")
    void weakerPrincipals_neverGainThroughAnyGrantingOperation() {
        List<String> violations = new ArrayList<>();
        int calls = 0;
        for (Map.Entry<String, Session> w : WEAK.entrySet()) {
            Session caller = w.getValue();
            JsonObject before = me(caller);
            Rights rights = rightsOf(before);
            for (Op op : grantingOperations()) {
                for (Attempt a : FIXTURES.get(op.id()).attempts().apply(caller)) {
                    String state = protectedState(rights);
                    Reply r = api.call(a.method(), a.path(), caller, a.body());
                    calls++;
                    String where = w.getKey() + " " + op.id() + " " + a.method() + " " + a.path() + " "
                            + (a.body() == null ? "" : a.body().encode()) + " -> " + r.status();
                    check(where, caller, rights, op, a, r, violations);
                    if (!protectedState(rights).equals(state)) {
                        violations.add(where + ": a stronger user, level or the policies changed");
                    }
                }
            }
            Rights after = rightsOf(me(caller));
            if (rights.firstNotCovered(after) != null) {
                violations.add(w.getKey() + ": their own rights grew: "
                        + rights.firstNotCovered(after).description());
            }
        }
        assertThat(violations).as("escalations found in %d calls", calls).isEmpty();
    }

    @Test
    @DisplayName(
            "another organization's Account Owner, on every granting operation with this organization's ids: never 2xx"
                    + " on them, never a secret that reads this organization, nothing here changed")
    void anotherOrganization_gainsNothingHere() {
        List<String> violations = new ArrayList<>();
        Rights theirs = rightsOf(me(other));
        String state = protectedState(new Rights(null, "OWN", Map.of(), Set.of()));
        for (Op op : grantingOperations()) {
            for (Attempt a : FIXTURES.get(op.id()).attempts().apply(owner)) {
                Reply r = api.call(a.method(), a.path(), other, a.body());
                String where =
                        "other organization " + op.id() + " " + a.method() + " " + a.path() + " -> " + r.status();
                boolean ownOrganization = !a.path().matches(".*/[0-9a-f-]{36}(/.*)?")
                        && (a.body() == null || !a.body().encode().contains(owner.userId()));
                if (r.status() / 100 == 2 && !ownOrganization) {
                    violations.add(where + ": acted on this organization's object");
                }
                if (r.status() / 100 == 2 && op.id().equals("bulkChangeApiKeys")) {
                    r.json().getJsonArray("items").forEach(i -> {
                        if (((JsonObject) i).getBoolean("ok")) {
                            violations.add(where + ": changed this organization's key " + i);
                        }
                    });
                }
                String secret = r.status() / 100 == 2 && r.body().startsWith("{")
                        ? r.json().getString("secret")
                        : null;
                if (secret != null) {
                    for (String path : List.of("/api/v1/people?limit=200", "/api/v1/audit-events")) {
                        Reply used = api.withKey(path, secret);
                        if (used.body().contains(MARKER) || used.body().contains(owner.userId())) {
                            violations.add(where + ": its secret reads this organization at " + path);
                        }
                    }
                }
                if (ownOrganization && r.status() == 201 && op.id().equals("createUser")) {
                    checkLevelCovered(where, theirs, r.json().getJsonObject("user"), other, violations);
                }
            }
        }
        assertThat(protectedState(new Rights(null, "OWN", Map.of(), Set.of())))
                .as("this organization's users, levels and policies")
                .isEqualTo(state);
        assertThat(violations).isEmpty();
    }

    /** The invariants for one answer to a weaker caller. */
    private static void check(
            String where, Session caller, Rights rights, Op op, Attempt a, Reply r, List<String> violations) {
        if (r.status() >= 500) {
            violations.add(where + ": server error " + r.body());
            return;
        }
        JsonObject body = r.status() / 100 == 2 && r.body().startsWith("{") ? r.json() : null;
        if (body != null && body.getString("secret") != null) {
            reach(where, rights, body.getString("secret"), violations);
        }
        if (body != null && op.id().equals("createPasswordReset")) {
            violations.add(where + ": a reset link for a stronger user");
        }
        if (r.status() == 201 && op.id().equals("createUser")) {
            checkLevelCovered(where, rights, body.getJsonObject("user"), owner, violations);
        }
        if (r.status() / 100 == 2 && op.id().equals("createAccessLevel")) {
            Rights made = Rights.fromJson(body);
            if (rights.firstNotCovered(made) != null) {
                violations.add(where + ": made a level granting "
                        + rights.firstNotCovered(made).description());
            }
        }
        if (r.status() / 100 == 2 && op.id().equals("enableApiKey") && !rights.has("keys:manage-all")) {
            violations.add(where + ": lifted an administrator's disable");
        }
        if (r.status() / 100 == 2 && op.id().equals("bulkChangeApiKeys") && !rights.has("keys:manage-all")) {
            violations.add(where + ": changed keys in bulk without manage ALL");
        }
        if (r.status() / 100 == 2) {
            // a key whose secret the caller got earlier (made in the fixture), changed or handed on by this call
            SECRETS.forEach((keyId, secret) -> {
                if (a.path().contains(keyId)
                        || (op.id().equals("bulkChangeApiKeys")
                                && a.body().encode().contains(keyId))) {
                    reach(where + " (the secret they already held)", rights, secret, violations);
                }
            });
        }
    }

    private static void checkLevelCovered(
            String where, Rights rights, JsonObject user, Session admin, List<String> violations) {
        String levelId = user.getJsonObject("accessLevel").getString("id");
        Reply level = api.get("/api/v1/access-levels/" + levelId, admin);
        Rights given = Rights.fromJson(level.json());
        if (rights.firstNotCovered(given) != null) {
            violations.add(where + ": made a user on a level granting "
                    + rights.firstNotCovered(given).description());
        }
    }

    /** What the secret reads must be within its caller's rights: the people fields they view, the audit log. */
    private static void reach(String where, Rights rights, String secret, List<String> violations) {
        Reply people = api.withKey("/api/v1/people?limit=200", secret);
        if (people.status() == 200) {
            if (!rights.has("people:read")) {
                violations.add(where + ": its secret reads people without people:read");
            }
            Set<String> shown = new HashSet<>();
            people.items().forEach(o -> shown.addAll(((JsonObject) o).fieldNames()));
            for (String f : shown) {
                if (!f.equals("id") && !f.equals("userId") && !rights.canView(f)) {
                    violations.add(where + ": its secret reads field " + f);
                }
            }
            if (!rights.allRecords() && people.body().contains(MARKER)) {
                violations.add(where + ": its secret reads records beyond the caller's own");
            }
        }
        Reply audit = api.withKey("/api/v1/audit-events", secret);
        if (audit.status() == 200 && !rights.has("audit:read")) {
            violations.add(where + ": its secret reads the audit log without audit:read");
        }
    }
}
