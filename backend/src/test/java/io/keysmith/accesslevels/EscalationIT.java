package io.keysmith.accesslevels;

import static io.keysmith.support.Api.problem;
import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ContractSchemas;
import io.keysmith.support.DbProbe;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nobody grants what they do not hold: not through a new or changed access level (permission, field right, record
 * scope), not by assigning a level, not by taking over a stronger account. Built-ins never change, a level in use is
 * never deleted, the organization always keeps an Account Owner, and only catalog permissions exist.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Access levels: no escalation, built-ins fixed, levels in use kept, an Account Owner always kept")
class EscalationIT {
    static final List<String> ALL_FIELDS = ContractSchemas.personFields();
    /** Every grantable permission but audit:read. */
    static final List<String> ALL_BUT_AUDIT = List.of(
            "users:read",
            "users:manage",
            "access-levels:read",
            "access-levels:manage",
            "people:read",
            "people:create",
            "people:update",
            "people:delete",
            "keys:create-own",
            "keys:manage-all",
            "policies:manage",
            "partners:manage");

    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session owner;
    /** A custom level: Full Admin's permissions without audit:read; salary VIEW, nationalId NONE; scope ALL. */
    private static String limitedLevelId;

    private static Session limited;
    /** A custom level managing levels and users with record scope OWN. */
    private static Session ownScoped;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("escalation");
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        owner = api.signUp("Escalation Org", uniqueEmail("esc-owner"));
        Map<String, String> fields = fields("EDIT");
        fields.put("salary", "VIEW");
        fields.put("nationalId", "NONE");
        limitedLevelId = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody("Admin without audit", "ALL", fields, ALL_BUT_AUDIT.toArray(String[]::new)))
                .getString("id");
        limited = api.createSignedInUser(owner, uniqueEmail("limited-admin"), limitedLevelId);
        String ownLevel = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody(
                                "Own-scope managers",
                                "OWN",
                                fields("VIEW"),
                                "access-levels:read",
                                "access-levels:manage",
                                "users:read",
                                "users:manage",
                                "people:read"))
                .getString("id");
        ownScoped = api.createSignedInUser(owner, uniqueEmail("own-scoped"), ownLevel);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Map<String, String> fields(String right) {
        Map<String, String> m = new LinkedHashMap<>();
        ALL_FIELDS.forEach(f -> m.put(f, right));
        return m;
    }

    private static String name(String prefix) {
        return prefix + " " + java.util.UUID.randomUUID().toString().substring(0, 6);
    }

    /** Everything stored about access levels and users' levels in the organization, as comparable text. */
    private static String levelsState() {
        return db.text(
                "SELECT jsonb_build_object("
                        + "'levels', (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.id) FROM access_levels a WHERE a.organization_id = ?),"
                        + "'users', (SELECT jsonb_agg(jsonb_build_array(u.id, u.access_level_id, u.status) ORDER BY u.id)"
                        + " FROM users u WHERE u.organization_id = ?))::text",
                owner.organizationId(),
                owner.organizationId());
    }

    /**
     * The request is refused as escalation (403) naming the part it concerns in {@code field} (as the request
     * validator names a part of a body), and no access level or user's level changed.
     */
    private static JsonObject escalation(HttpResponse<Buffer> r, String names, String field, String state) {
        JsonObject p = problem(r, 403);
        assertThat(p.getString("type")).endsWith("/escalation");
        assertThat(p.getString("detail")).contains(names);
        assertThat(p.getString("field")).as("field of %s", p).isEqualTo(field);
        assertThat(levelsState())
                .as("access levels and users' levels after a refused escalation")
                .isEqualTo(state);
        return p;
    }

    @Test
    @DisplayName("a manager cannot create or change a level granting a permission they lack (audit:read)")
    void aPermissionOneLacks_cannotBeGranted() {
        String state = levelsState();
        List<String> withAudit = new ArrayList<>(List.of("people:read", "audit:read"));
        escalation(
                api.post(
                        "/api/v1/access-levels",
                        limited,
                        Api.accessLevelBody(name("Auditors"), "ALL", Map.of(), withAudit.toArray(String[]::new))),
                "audit:read",
                "permissions.1",
                state);

        // what they hold, they may grant
        HttpResponse<Buffer> ok = api.post(
                "/api/v1/access-levels",
                limited,
                Api.accessLevelBody(name("Readers"), "ALL", Map.of("salary", "VIEW"), "people:read", "users:read"));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(201);
        assertThat(ContractSchemas.errors("AccessLevel", ok.bodyAsJsonObject())).isEmpty();
        JsonObject readers = ok.bodyAsJsonObject();
        assertThat(readers.getBoolean("editable")).isTrue();
        assertThat(readers.containsKey("builtin")).isFalse();

        // nor by changing an existing level (theirs or another)
        state = levelsState();
        JsonObject grown = Api.accessLevelBody(
                readers.getString("name"), "ALL", Map.of("salary", "VIEW"), "people:read", "users:read", "audit:read");
        escalation(
                api.put("/api/v1/access-levels/" + readers.getString("id"), limited, grown),
                "audit:read",
                "permissions.2",
                state);
        Map<String, String> own = fields("EDIT");
        own.put("salary", "VIEW");
        own.put("nationalId", "NONE");
        List<String> ownPlusAudit = new ArrayList<>(ALL_BUT_AUDIT);
        ownPlusAudit.add("audit:read");
        escalation(
                api.put(
                        "/api/v1/access-levels/" + limitedLevelId,
                        limited,
                        Api.accessLevelBody("Admin without audit", "ALL", own, ownPlusAudit.toArray(String[]::new))),
                "audit:read",
                "permissions." + ALL_BUT_AUDIT.size(),
                state);
        problem(api.get("/api/v1/audit-events", limited), 403);
    }

    @Test
    @DisplayName("a manager cannot raise a field beyond their own right (VIEW -> EDIT, NONE -> VIEW)")
    void aFieldRightBeyondOnesOwn_cannotBeGranted() {
        String state = levelsState();
        escalation(
                api.post(
                        "/api/v1/access-levels",
                        limited,
                        Api.accessLevelBody(name("Payroll"), "ALL", Map.of("salary", "EDIT"), "people:read")),
                "salary",
                "fieldRights.salary",
                state);
        escalation(
                api.post(
                        "/api/v1/access-levels",
                        limited,
                        Api.accessLevelBody(name("Identity"), "ALL", Map.of("nationalId", "VIEW"), "people:read")),
                "nationalId",
                "fieldRights.nationalId",
                state);
        HttpResponse<Buffer> ok = api.post(
                "/api/v1/access-levels",
                limited,
                Api.accessLevelBody(
                        name("Payroll viewers"), "ALL", Map.of("salary", "VIEW", "nationalId", "NONE"), "people:read"));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(201);
        state = levelsState();
        escalation(
                api.put(
                        "/api/v1/access-levels/" + ok.bodyAsJsonObject().getString("id"),
                        limited,
                        Api.accessLevelBody(name("Payroll editors"), "ALL", Map.of("salary", "EDIT"), "people:read")),
                "salary",
                "fieldRights.salary",
                state);
    }

    @Test
    @DisplayName("a manager with record scope OWN cannot grant record scope ALL")
    void recordScopeAll_cannotBeGrantedFromOwn() {
        String state = levelsState();
        escalation(
                api.post(
                        "/api/v1/access-levels",
                        ownScoped,
                        Api.accessLevelBody(
                                name("Everyone's records"), "ALL", Map.of("firstName", "VIEW"), "people:read")),
                "record scope ALL",
                "recordScope",
                state);
        HttpResponse<Buffer> ok = api.post(
                "/api/v1/access-levels",
                ownScoped,
                Api.accessLevelBody(name("Own records"), "OWN", Map.of("firstName", "VIEW"), "people:read"));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(201);
        // nor assign a level with scope ALL (the built-in Full Admin; a custom one)
        state = levelsState();
        escalation(
                api.post(
                        "/api/v1/users",
                        ownScoped,
                        new JsonObject()
                                .put("email", uniqueEmail("all-scope"))
                                .put("firstName", "A")
                                .put("lastName", "Ll")
                                .put("kind", "EMPLOYEE")
                                .put("accessLevelId", api.accessLevelId(owner, "FULL_ADMIN"))),
                "",
                "accessLevelId",
                state);
    }

    @Test
    @DisplayName("nobody edits or deletes a built-in level, not even the Account Owner (409)")
    void builtins_cannotBeEditedOrDeleted() {
        JsonArray levels = api.accessLevels(owner);
        List<String> builtins = new ArrayList<>();
        for (Object o : levels) {
            JsonObject l = (JsonObject) o;
            assertThat(ContractSchemas.errors("AccessLevel", l)).isEmpty();
            if (l.containsKey("builtin")) {
                builtins.add(l.getString("builtin"));
                assertThat(l.getBoolean("editable")).isFalse();
            }
        }
        assertThat(builtins).containsExactlyInAnyOrder("ACCOUNT_OWNER", "FULL_ADMIN", "EMPLOYEE");
        assertThat(levels.stream().map(o -> ((JsonObject) o).getString("name")))
                .contains("Account Owner", "Full Admin", "Employee");

        for (String builtin : builtins) {
            String id = api.accessLevelId(owner, builtin);
            String state = levelsState();
            JsonObject edit = Api.accessLevelBody("Renamed " + builtin, "OWN", Map.of(), "people:read");
            JsonObject p = problem(api.put("/api/v1/access-levels/" + id, owner, edit), 409);
            assertThat(p.getString("type")).endsWith("/builtin-access-level");
            p = problem(api.delete("/api/v1/access-levels/" + id, owner), 409);
            assertThat(p.getString("type")).endsWith("/builtin-access-level");
            problem(api.delete("/api/v1/access-levels/" + id, limited), 409);
            assertThat(levelsState()).as("after trying to change %s", builtin).isEqualTo(state);
        }
    }

    @Test
    @DisplayName("the last active Account Owner cannot be demoted or deactivated (409)")
    void theLastAccountOwner_cannotBeDemotedOrDeactivated() {
        Session soleOwner = api.signUp("Sole Owner Org", uniqueEmail("sole-owner"));
        String state = db.userState(soleOwner.userId());
        for (String level : List.of("FULL_ADMIN", "EMPLOYEE")) {
            JsonObject p = problem(
                    api.patch(
                            "/api/v1/users/" + soleOwner.userId(),
                            soleOwner,
                            new JsonObject().put("accessLevelId", api.accessLevelId(soleOwner, level))),
                    409);
            assertThat(p.getString("type")).endsWith("/last-account-owner");
        }
        String custom = api.createAccessLevel(
                        soleOwner,
                        Api.accessLevelBody(
                                "Everything custom", "ALL", fields("EDIT"), ALL_BUT_AUDIT.toArray(String[]::new)))
                .getString("id");
        problem(
                api.patch(
                        "/api/v1/users/" + soleOwner.userId(),
                        soleOwner,
                        new JsonObject().put("accessLevelId", custom)),
                409);
        JsonObject p = problem(api.post("/api/v1/users/" + soleOwner.userId() + "/deactivate", soleOwner, null), 409);
        assertThat(p.getString("type")).endsWith("/last-account-owner");
        assertThat(db.userState(soleOwner.userId())).isEqualTo(state);
        assertThat(api.get("/api/v1/me", soleOwner)
                        .bodyAsJsonObject()
                        .getJsonObject("user")
                        .getJsonObject("accessLevel")
                        .getString("builtin"))
                .isEqualTo("ACCOUNT_OWNER");
    }

    @Test
    @DisplayName("a user cannot assign themselves (or anyone) a level beyond their own, nor the Account Owner level")
    void nobodyAssignsALevelBeyondTheirOwn() {
        String state = levelsState();
        String fullAdmin = api.accessLevelId(owner, "FULL_ADMIN");
        String accountOwner = api.accessLevelId(owner, "ACCOUNT_OWNER");
        escalation(
                api.patch(
                        "/api/v1/users/" + limited.userId(), limited, new JsonObject().put("accessLevelId", fullAdmin)),
                "audit:read",
                "accessLevelId",
                state);
        JsonObject p = problem(
                api.patch(
                        "/api/v1/users/" + limited.userId(),
                        limited,
                        new JsonObject().put("accessLevelId", accountOwner)),
                403);
        assertThat(p.getString("detail")).contains("Account Owner");
        assertThat(p.getString("field")).isEqualTo("accessLevelId");
        assertThat(levelsState()).isEqualTo(state);

        long users = db.users(owner.organizationId());
        escalation(
                api.post(
                        "/api/v1/users",
                        limited,
                        new JsonObject()
                                .put("email", uniqueEmail("sidekick"))
                                .put("firstName", "Side")
                                .put("lastName", "Kick")
                                .put("kind", "EMPLOYEE")
                                .put("accessLevelId", fullAdmin)),
                "audit:read",
                "accessLevelId",
                state);
        assertThat(db.users(owner.organizationId())).isEqualTo(users);

        // a user whose level is within the manager's rights (the built-in Employee can VIEW nationalId, which
        // limited cannot: such a user is out of limited's reach altogether, see WeakerUserManagerIT)
        String readers = api.createAccessLevel(
                        owner, Api.accessLevelBody(name("Readers"), "OWN", Map.of("firstName", "VIEW"), "people:read"))
                .getString("id");
        String employee = api.createUser(owner, uniqueEmail("to-promote"), "EMPLOYEE", readers)
                .getJsonObject("user")
                .getString("id");
        state = levelsState();
        escalation(
                api.patch("/api/v1/users/" + employee, limited, new JsonObject().put("accessLevelId", fullAdmin)),
                "audit:read",
                "accessLevelId",
                state);
        assertThat(problem(
                                api.patch(
                                        "/api/v1/users/" + employee,
                                        limited,
                                        new JsonObject().put("accessLevelId", accountOwner)),
                                403)
                        .getString("field"))
                .isEqualTo("accessLevelId");
        assertThat(levelsState()).isEqualTo(state);

        // what they hold, they may assign
        assertThat(api.patch(
                                "/api/v1/users/" + employee,
                                limited,
                                new JsonObject().put("accessLevelId", limitedLevelId))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.get("/api/v1/me", limited)
                        .bodyAsJsonObject()
                        .getJsonArray("permissions")
                        .getList())
                .doesNotContain("audit:read");
    }

    @Test
    @DisplayName(
            "the default level (Employee) is an assignment like any other: a manager it exceeds cannot create users on it")
    void theDefaultLevel_isNoWayAroundEscalation() {
        // ownScoped lacks people:update and keys:create-own and holds no EDIT; limited cannot VIEW nationalId:
        // the built-in Employee level grants each of these
        for (Session manager : List.of(ownScoped, limited)) {
            String state = levelsState();
            long users = db.users(owner.organizationId());
            HttpResponse<Buffer> r = api.post(
                    "/api/v1/users",
                    manager,
                    new JsonObject()
                            .put("email", uniqueEmail("default-level"))
                            .put("firstName", "De")
                            .put("lastName", "Fault")
                            .put("kind", "EMPLOYEE"));
            // the body names no level, but the level is what to change: choose one within the manager's rights
            escalation(r, "", "accessLevelId", state);
            assertThat(db.users(owner.organizationId()))
                    .as("users after a refused default assignment")
                    .isEqualTo(users);
        }
    }

    @Test
    @DisplayName("a manager without a right cannot take over an account holding it with a password-reset link (403)")
    void aPasswordResetLink_isNoWayAroundEscalation() {
        Session fullAdmin = api.createSignedInUser(owner, uniqueEmail("strong-admin"), "FULL_ADMIN");
        HttpResponse<Buffer> link = api.post("/api/v1/users/" + fullAdmin.userId() + "/password-reset", limited, null);
        if (link.statusCode() == 201) {
            // demonstrate the consequence before failing: the limited manager signs in as the Full Admin
            HttpResponse<Buffer> taken =
                    api.accept(Api.token(link.bodyAsJsonObject().getString("url")), "the limited admin's password");
            assertThat(taken.statusCode() == 200
                            && taken.bodyAsJsonObject()
                                    .getJsonArray("permissions")
                                    .contains("audit:read"))
                    .as(
                            "a manager without audit:read signed in as a Full Admin (holding audit:read) through a reset link they issued")
                    .isFalse();
        }
        assertThat(problem(link, 403).containsKey("field"))
                .as("a reset has no body: no field")
                .isFalse();
        // changing the e-mail (where reset links go) is refused the same way, naming the e-mail
        String before = db.userState(fullAdmin.userId());
        JsonObject email = problem(
                api.patch(
                        "/api/v1/users/" + fullAdmin.userId(),
                        limited,
                        new JsonObject().put("email", uniqueEmail("hijacked"))),
                403);
        assertThat(email.getString("type")).endsWith("/escalation");
        assertThat(email.getString("field")).isEqualTo("email");
        assertThat(db.userState(fullAdmin.userId())).isEqualTo(before);
        assertThat(api.get("/api/v1/me", fullAdmin).statusCode())
                .as("the Full Admin's session survives")
                .isEqualTo(200);
    }

    @Test
    @DisplayName("a level in use cannot be deleted (409); once unused it can, and the change is audited")
    void aLevelInUse_cannotBeDeleted() {
        JsonObject level = api.createAccessLevel(
                owner, Api.accessLevelBody(name("Temporary"), "OWN", Map.of("firstName", "VIEW"), "people:read"));
        String id = level.getString("id");
        String user = api.createUser(owner, uniqueEmail("temp-member"), "EMPLOYEE", id)
                .getJsonObject("user")
                .getString("id");
        assertThat(api.get("/api/v1/access-levels/" + id, owner)
                        .bodyAsJsonObject()
                        .getInteger("userCount"))
                .isEqualTo(1);
        String state = levelsState();
        JsonObject p = problem(api.delete("/api/v1/access-levels/" + id, owner), 409);
        assertThat(p.getString("type")).endsWith("/access-level-in-use");
        assertThat(levelsState()).isEqualTo(state);
        // a deactivated member still holds it
        assertThat(api.post("/api/v1/users/" + user + "/deactivate", owner, null)
                        .statusCode())
                .isEqualTo(200);
        problem(api.delete("/api/v1/access-levels/" + id, owner), 409);

        assertThat(api.patch(
                                "/api/v1/users/" + user,
                                owner,
                                new JsonObject().put("accessLevelId", api.accessLevelId(owner, "EMPLOYEE")))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.delete("/api/v1/access-levels/" + id, owner).statusCode())
                .isEqualTo(204);
        problem(api.get("/api/v1/access-levels/" + id, owner), 404);

        JsonArray events = api.get("/api/v1/audit-events?action=access-level.deleted", owner)
                .bodyAsJsonObject()
                .getJsonArray("items");
        assertThat(events.stream().map(o -> ((JsonObject) o).getString("targetId")))
                .contains(id);
        JsonArray created = api.get("/api/v1/audit-events?action=access-level.created", owner)
                .bodyAsJsonObject()
                .getJsonArray("items");
        JsonObject createdEvent = created.stream()
                .map(o -> (JsonObject) o)
                .filter(e -> id.equals(e.getString("targetId")))
                .findFirst()
                .orElseThrow();
        assertThat(createdEvent
                        .getJsonObject("details")
                        .getJsonObject("after")
                        .getJsonArray("permissions")
                        .getList())
                .containsExactly("people:read");
    }

    @Test
    @DisplayName("a change to a level is audited with before and after")
    void aLevelChange_isAuditedWithBeforeAndAfter() {
        JsonObject level = api.createAccessLevel(
                owner, Api.accessLevelBody(name("Changing"), "OWN", Map.of("firstName", "VIEW"), "people:read"));
        HttpResponse<Buffer> r = api.put(
                "/api/v1/access-levels/" + level.getString("id"),
                owner,
                Api.accessLevelBody(
                        level.getString("name"), "ALL", Map.of("firstName", "EDIT"), "people:read", "people:update"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("recordScope")).isEqualTo("ALL");
        JsonObject e = api
                .get("/api/v1/audit-events?action=access-level.updated", owner)
                .bodyAsJsonObject()
                .getJsonArray("items")
                .stream()
                .map(o -> (JsonObject) o)
                .filter(x -> level.getString("id").equals(x.getString("targetId")))
                .findFirst()
                .orElseThrow();
        JsonObject details = e.getJsonObject("details");
        assertThat(details.getJsonObject("before").getString("recordScope")).isEqualTo("OWN");
        assertThat(details.getJsonObject("after").getString("recordScope")).isEqualTo("ALL");
        assertThat(details.getJsonObject("before").getJsonArray("permissions").getList())
                .containsExactly("people:read");
        assertThat(details.getJsonObject("after").getJsonArray("permissions").getList())
                .containsExactly("people:read", "people:update");
        assertThat(details.getJsonObject("after").getJsonObject("fieldRights").getString("firstName"))
                .isEqualTo("EDIT");
    }

    @Test
    @DisplayName(
            "a manager cannot delete or change a level granting more than they hold (403 naming the part), only one within their own")
    void aLevelBeyondOnesOwn_cannotBeDeleted() {
        // unused levels, so only escalation stands in the way; each grants one thing the manager lacks
        String withAudit = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody(
                                name("Auditing"), "OWN", Map.of(), "audit:read", "people:read", "users:read"))
                .getString("id");
        String salaryEditors = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody(name("Salary editors"), "OWN", Map.of("salary", "EDIT"), "people:read"))
                .getString("id");
        String allRecords = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody(name("All first names"), "ALL", Map.of("firstName", "VIEW"), "people:read"))
                .getString("id");
        String state = levelsState();
        // the level as GET answers it: the field is the permission's index in its permissions
        JsonArray auditPermissions = api.get("/api/v1/access-levels/" + withAudit, owner)
                .bodyAsJsonObject()
                .getJsonArray("permissions");
        escalation(
                api.delete("/api/v1/access-levels/" + withAudit, limited),
                "audit:read",
                "permissions." + auditPermissions.getList().indexOf("audit:read"),
                state);
        escalation(
                api.delete("/api/v1/access-levels/" + salaryEditors, limited), "salary", "fieldRights.salary", state);
        escalation(
                api.delete("/api/v1/access-levels/" + allRecords, ownScoped), "record scope ALL", "recordScope", state);
        for (String id : List.of(withAudit, salaryEditors, allRecords)) {
            assertThat(api.get("/api/v1/access-levels/" + id, owner).statusCode())
                    .as("still there")
                    .isEqualTo(200);
        }
        assertThat(api
                        .get("/api/v1/audit-events?action=access-level.deleted", owner)
                        .bodyAsJsonObject()
                        .getJsonArray("items")
                        .stream()
                        .map(o -> ((JsonObject) o).getString("targetId")))
                .as("no deletion audited")
                .doesNotContain(withAudit, salaryEditors, allRecords);

        // nor change it, not even to shrink it within their own rights: that would take rights from its holders
        String auditingName = api.get("/api/v1/access-levels/" + withAudit, owner)
                .bodyAsJsonObject()
                .getString("name");
        escalation(
                api.put(
                        "/api/v1/access-levels/" + withAudit,
                        limited,
                        Api.accessLevelBody(auditingName, "OWN", Map.of(), "people:read")),
                "audit:read",
                "permissions." + auditPermissions.getList().indexOf("audit:read"),
                state);

        // within their own rights they may delete it; the owner may delete the rest
        assertThat(api.delete("/api/v1/access-levels/" + allRecords, limited).statusCode())
                .isEqualTo(204);
        assertThat(api.delete("/api/v1/access-levels/" + withAudit, owner).statusCode())
                .isEqualTo(204);
        assertThat(api.delete("/api/v1/access-levels/" + salaryEditors, owner).statusCode())
                .isEqualTo(204);
    }

    @Test
    @DisplayName("a taken name is 409 naming the field 'name', whatever the case")
    void aTakenName_is409NamingTheName() {
        String taken = name("Taken");
        String id = api.createAccessLevel(owner, Api.accessLevelBody(taken, "OWN", Map.of(), "people:read"))
                .getString("id");
        String state = levelsState();
        JsonObject p = problem(
                api.post(
                        "/api/v1/access-levels",
                        owner,
                        Api.accessLevelBody(taken.toUpperCase(java.util.Locale.ROOT), "OWN", Map.of(), "people:read")),
                409);
        assertThat(p.getString("type")).endsWith("/name-taken");
        assertThat(p.getString("field")).isEqualTo("name");
        assertThat(levelsState()).isEqualTo(state);
        String other = api.createAccessLevel(owner, Api.accessLevelBody(name("Other"), "OWN", Map.of(), "people:read"))
                .getString("id");
        state = levelsState();
        p = problem(
                api.put(
                        "/api/v1/access-levels/" + other,
                        owner,
                        Api.accessLevelBody(taken, "OWN", Map.of(), "people:read")),
                409);
        assertThat(p.getString("type")).endsWith("/name-taken");
        assertThat(p.getString("field")).isEqualTo("name");
        assertThat(levelsState()).isEqualTo(state);
        assertThat(id).isNotEqualTo(other);
    }

    @Test
    @DisplayName("an unknown or non-grantable permission is 400 naming it, for everyone")
    void anUnknownPermission_is400() {
        String state = levelsState();
        for (String permission : List.of("people:fly", "platform:manage-organizations")) {
            JsonObject p = problem(
                    api.post(
                            "/api/v1/access-levels",
                            owner,
                            Api.accessLevelBody(name("Bogus"), "ALL", Map.of(), "people:read", permission)),
                    400);
            assertThat(p.getString("detail")).contains(permission);
            assertThat(p.getString("field"))
                    .as("the item, as the request validator names it")
                    .isEqualTo("permissions.1");
            assertThat(levelsState()).isEqualTo(state);
        }
    }
}
