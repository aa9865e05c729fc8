package io.keysmith.people;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Field-level rights on people records, over real HTTP and PostgreSQL: a field the caller may not view is absent
 * (not null) from every answer; a write touching a field the caller may not edit is 403 naming it and changes
 * nothing; record scope OWN reaches only the caller's own record; every answer conforms to the contract's Person;
 * audit records name the changed fields, never their values.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("People: field rights hide and protect fields, record scope OWN confines, audit names fields only")
class FieldRightsIT {
    static final List<String> ALL_FIELDS = ContractSchemas.personFields();
    static final List<String> SENSITIVE = List.of("salary", "dateOfBirth", "nationalId", "homeAddress");

    /** Stored values, distinctive enough to search any text for. */
    private static final Map<String, Object> STORED = Map.of(
            "salary", 987654.32,
            "dateOfBirth", "1961-07-13",
            "nationalId", "NID-7731-SECRET",
            "homeAddress", "17 Hidden Orchard Road");
    /** What each write tries to set. */
    private static final Map<String, Object> ATTEMPTED = Map.of(
            "salary", 1234.5,
            "dateOfBirth", "1999-12-31",
            "nationalId", "NID-FORGED-0001",
            "homeAddress", "1 Forged Street");

    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("field_rights");
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        owner = api.signUp("Field Rights Org", uniqueEmail("fr-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** A person with every field set, as the owner creates it. */
    private static JsonObject fullPerson(String lastName) {
        JsonObject body = new JsonObject()
                .put("firstName", "Fiona")
                .put("lastName", lastName)
                .put("workEmail", uniqueEmail("fiona"))
                .put("jobTitle", "Controller")
                .put("department", "Finance")
                .put("hireDate", "2015-03-01")
                .put("employmentStatus", "ACTIVE")
                .put("location", "Lisbon");
        STORED.forEach(body::put);
        return api.createPerson(owner, body);
    }

    /** A signed-in user on a new custom level: people:read/update, scope ALL, every field VIEW but jobTitle EDIT and {@code field} as given. */
    private static Session memberWith(String field, String right) {
        Map<String, String> rights = new LinkedHashMap<>();
        ALL_FIELDS.forEach(f -> rights.put(f, "VIEW"));
        rights.put("jobTitle", "EDIT");
        rights.put(field, right);
        JsonObject level = api.createAccessLevel(
                owner, Api.accessLevelBody(field + " " + right, "ALL", rights, "people:read", "people:update"));
        return api.createSignedInUser(
                owner, uniqueEmail(field.toLowerCase() + "-" + right.toLowerCase()), level.getString("id"));
    }

    /** Asserts the record conforms to the contract's Person (no unknown key, no null) and returns it. */
    private static JsonObject conforming(JsonObject person) {
        assertThat(ContractSchemas.errors("Person", person))
                .as("%s against the contract's Person", person.encode())
                .isEmpty();
        person.forEach(e -> assertThat(e.getValue())
                .as("value of %s in %s", e.getKey(), person.encode())
                .isNotNull());
        return person;
    }

    private static JsonObject get(Session s, String id) {
        HttpResponse<Buffer> r = api.get("/api/v1/people/" + id, s);
        assertThat(r.statusCode()).as("GET person: %s", r.bodyAsString()).isEqualTo(200);
        return conforming(r.bodyAsJsonObject());
    }

    /** The listed record with {@code id}, after checking every listed record conforms. */
    private static JsonObject listed(Session s, String id) {
        HttpResponse<Buffer> r = api.get("/api/v1/people?limit=200", s);
        assertThat(r.statusCode()).as("GET people: %s", r.bodyAsString()).isEqualTo(200);
        assertThat(ContractSchemas.errors("PersonPage", r.bodyAsJsonObject())).isEmpty();
        JsonObject found = null;
        for (Object o : r.bodyAsJsonObject().getJsonArray("items")) {
            JsonObject p = conforming((JsonObject) o);
            if (p.getString("id").equals(id)) {
                found = p;
            }
        }
        assertThat(found).as("record %s listed", id).isNotNull();
        return found;
    }

    /** The PATCH is refused naming {@code field}, and the stored record (row and owner's view) is unchanged. */
    private static void refusedNaming(Session s, String id, JsonObject patch, String field) {
        String row = db.rowState("people", id);
        JsonObject ownersView = get(owner, id);
        long audit = db.auditEvents(owner.organizationId());

        JsonObject p = problem(api.patch("/api/v1/people/" + id, s, patch), 403);
        assertThat(p.getString("type")).endsWith("/field-not-editable");
        assertThat(p.getString("field")).isEqualTo(field);
        assertThat(p.getString("detail")).contains(field);

        assertThat(db.rowState("people", id))
                .as("stored row after a refused PATCH")
                .isEqualTo(row);
        assertThat(get(owner, id)).as("owner's view after a refused PATCH").isEqualTo(ownersView);
        assertThat(db.auditEvents(owner.organizationId())).as("nothing audited").isEqualTo(audit);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"salary", "dateOfBirth", "nationalId", "homeAddress"})
    @DisplayName(
            "a sensitive field: NONE hides it and refuses writes, VIEW shows it and refuses writes, EDIT writes it")
    void eachSensitiveField_followsItsRight(String field) {
        String id = fullPerson("Sensitive-" + field).getString("id");
        Object stored = STORED.get(field);
        JsonObject patch = new JsonObject().put(field, ATTEMPTED.get(field));
        JsonObject mixed =
                new JsonObject().put("jobTitle", "Changed by " + field).put(field, ATTEMPTED.get(field));

        // NONE: absent from get and list (the key, not just the value), writes refused naming it
        Session none = memberWith(field, "NONE");
        for (JsonObject seen : List.of(get(none, id), listed(none, id))) {
            assertThat(seen.containsKey(field))
                    .as("%s present for NONE: %s", field, seen.encode())
                    .isFalse();
            assertThat(seen.encode()).doesNotContain(String.valueOf(stored));
            assertThat(seen.getString("jobTitle"))
                    .as("other fields still shown")
                    .isEqualTo("Controller");
        }
        assertThat(api.get("/api/v1/people", none).bodyAsString())
                .doesNotContain(String.valueOf(stored))
                .doesNotContain("\"" + field + "\"");
        refusedNaming(none, id, patch, field);
        refusedNaming(none, id, mixed, field); // an editable field alongside changes nothing either
        assertThat(get(owner, id).getValue(field)).isEqualTo(stored);
        assertThat(get(owner, id).getString("jobTitle")).isEqualTo("Controller");

        // VIEW: shown as stored, writes still refused
        Session view = memberWith(field, "VIEW");
        assertThat(get(view, id).getValue(field)).isEqualTo(stored);
        assertThat(listed(view, id).getValue(field)).isEqualTo(stored);
        refusedNaming(view, id, patch, field);
        refusedNaming(view, id, mixed, field);
        assertThat(get(owner, id).getValue(field)).isEqualTo(stored);

        // EDIT: the write goes through, and everyone sees the new value as their rights allow
        Session edit = memberWith(field, "EDIT");
        HttpResponse<Buffer> r = api.patch("/api/v1/people/" + id, edit, mixed);
        assertThat(r.statusCode()).as("PATCH with EDIT: %s", r.bodyAsString()).isEqualTo(200);
        assertThat(conforming(r.bodyAsJsonObject()).getValue(field)).isEqualTo(ATTEMPTED.get(field));
        assertThat(get(owner, id).getValue(field)).isEqualTo(ATTEMPTED.get(field));
        assertThat(get(owner, id).getString("jobTitle")).isEqualTo("Changed by " + field);
        assertThat(get(view, id).getValue(field)).isEqualTo(ATTEMPTED.get(field));
        assertThat(get(none, id).containsKey(field)).isFalse();

        // clearing it (null) is a write as well: refused without EDIT, done with it; a cleared field is absent
        refusedNaming(view, id, new JsonObject().putNull(field), field);
        assertThat(api.patch("/api/v1/people/" + id, edit, new JsonObject().putNull(field))
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(owner, id).containsKey(field))
                .as("a cleared field is absent, not null")
                .isFalse();
    }

    @Test
    @DisplayName("creating a record with a field one may not edit is 403 naming it, and creates nothing")
    void creatingWithANonEditableField_isRefused() {
        Map<String, String> rights = new LinkedHashMap<>();
        ALL_FIELDS.forEach(f -> rights.put(f, "EDIT"));
        rights.put("nationalId", "VIEW");
        JsonObject level = api.createAccessLevel(
                owner, Api.accessLevelBody("Creators", "ALL", rights, "people:read", "people:create"));
        Session creator = api.createSignedInUser(owner, uniqueEmail("creator"), level.getString("id"));
        long people = db.people(owner.organizationId());
        JsonObject p = problem(
                api.post(
                        "/api/v1/people",
                        creator,
                        new JsonObject()
                                .put("firstName", "Nadia")
                                .put("lastName", "Nope")
                                .put("nationalId", "NID-NEW")),
                403);
        assertThat(p.getString("type")).endsWith("/field-not-editable");
        assertThat(p.getString("field")).isEqualTo("nationalId");
        assertThat(db.people(owner.organizationId())).isEqualTo(people);

        HttpResponse<Buffer> ok = api.post(
                "/api/v1/people",
                creator,
                new JsonObject()
                        .put("firstName", "Nadia")
                        .put("lastName", "Yes")
                        .put("salary", 10));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(201);
        conforming(ok.bodyAsJsonObject());
    }

    @Test
    @DisplayName(
            "record scope OWN: an Employee lists and reads only the record linked to them; others are 404 and untouched")
    void recordScopeOwn_reachesOnlyTheLinkedRecord() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("own-employee"), "EMPLOYEE");
        assertThat(employee.me().getString("recordScope")).isEqualTo("OWN");
        String mine = api.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Olive")
                                .put("lastName", "Own")
                                .put("userId", employee.userId())
                                .put("salary", 55555.5)
                                .put("homeAddress", "3 Own Way"))
                .getString("id");
        String other = fullPerson("Other").getString("id");

        HttpResponse<Buffer> list = api.get("/api/v1/people", employee);
        assertThat(list.statusCode()).isEqualTo(200);
        JsonArray items = list.bodyAsJsonObject().getJsonArray("items");
        assertThat(items.stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly(mine);
        assertThat(list.bodyAsString()).doesNotContain(other).doesNotContain(String.valueOf(STORED.get("salary")));
        items.forEach(o -> conforming((JsonObject) o));
        // the filters and the cursor do not widen the scope
        assertThat(api.get("/api/v1/people?department=Finance", employee)
                        .bodyAsJsonObject()
                        .getJsonArray("items"))
                .isEmpty();
        HttpResponse<Buffer> after = api.get("/api/v1/people?limit=1&after=" + cursorOf(other), employee);
        assertThat(after.bodyAsString()).doesNotContain(other);

        JsonObject own = get(employee, mine);
        assertThat(own.getDouble("salary"))
                .as("the Employee views their own salary")
                .isEqualTo(55555.5);

        problem(api.get("/api/v1/people/" + other, employee), 404);
        String row = db.rowState("people", other);
        JsonObject p = problem(
                api.patch("/api/v1/people/" + other, employee, new JsonObject().put("homeAddress", "9 Intruder Rd")),
                404);
        assertThat(p.getString("type")).endsWith("/not-found");
        assertThat(db.rowState("people", other)).isEqualTo(row);

        // their own record: homeAddress is EDIT for Employees, salary only VIEW, the link not theirs to move
        HttpResponse<Buffer> moved =
                api.patch("/api/v1/people/" + mine, employee, new JsonObject().put("homeAddress", "4 New Way"));
        assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
        assertThat(conforming(moved.bodyAsJsonObject()).getString("homeAddress"))
                .isEqualTo("4 New Way");
        refusedNaming(employee, mine, new JsonObject().put("salary", 999999), "salary");
        refusedNaming(employee, mine, new JsonObject().put("userId", owner.userId()), "userId");
        assertThat(get(owner, mine).getDouble("salary")).isEqualTo(55555.5);

        // and no record may be created or deleted with scope OWN / the Employee's permissions
        long people = db.people(owner.organizationId());
        problem(
                api.post(
                        "/api/v1/people",
                        employee,
                        new JsonObject().put("firstName", "X").put("lastName", "Y")),
                403);
        problem(api.delete("/api/v1/people/" + other, employee), 403);
        assertThat(db.people(owner.organizationId())).isEqualTo(people);
    }

    @Test
    @DisplayName(
            "list filters on a field one may not view reveal nothing of it (refused, or the same answer for any value)")
    void filtersOnAHiddenField_revealNothing() {
        String finance = fullPerson("Filtered").getString("id"); // department Finance, status ACTIVE
        for (String field : List.of("department", "employmentStatus")) {
            Session blind = memberWith(field, "NONE");
            String real = field.equals("department") ? "Finance" : "ACTIVE";
            String other = field.equals("department") ? "Nowhere" : "TERMINATED";
            HttpResponse<Buffer> hit = api.get("/api/v1/people?limit=200&" + field + "=" + real, blind);
            HttpResponse<Buffer> miss = api.get("/api/v1/people?limit=200&" + field + "=" + other, blind);
            if (hit.statusCode() == 200 || miss.statusCode() == 200) {
                assertThat(hit.bodyAsString())
                        .as(
                                "filtering on %s, which the caller may not view, tells %s's value apart (record %s)",
                                field, field, finance)
                        .isEqualTo(miss.bodyAsString());
            } else {
                assertThat(hit.statusCode()).isBetween(400, 499);
                assertThat(miss.statusCode()).isEqualTo(hit.statusCode());
            }
        }
    }

    /** The list cursor that would follow {@code id} (the list's cursor is an encoded record id). */
    private static String cursorOf(String id) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("audit records of person changes name the fields, never a value")
    void auditRecords_nameFields_neverValues() {
        long before = db.auditEvents(owner.organizationId());
        String id = fullPerson("Audited").getString("id");
        assertThat(api.patch(
                                "/api/v1/people/" + id,
                                owner,
                                new JsonObject()
                                        .put("salary", 876543.21)
                                        .put("nationalId", "NID-AUDIT-SECRET")
                                        .put("jobTitle", "Auditor"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.delete("/api/v1/people/" + id, owner).statusCode()).isEqualTo(204);
        problem(api.get("/api/v1/people/" + id, owner), 404);
        assertThat(db.auditEvents(owner.organizationId())).isEqualTo(before + 3);

        Map<String, JsonObject> byAction = new LinkedHashMap<>();
        for (String action : List.of("person.created", "person.updated", "person.deleted")) {
            HttpResponse<Buffer> r = api.get("/api/v1/audit-events?action=" + action, owner);
            assertThat(r.statusCode()).isEqualTo(200);
            r.bodyAsJsonObject().getJsonArray("items").forEach(o -> {
                JsonObject e = (JsonObject) o;
                if (id.equals(e.getString("targetId"))) {
                    byAction.putIfAbsent(action, e);
                }
            });
        }
        assertThat(byAction).containsOnlyKeys("person.created", "person.updated", "person.deleted");
        assertThat(byAction.get("person.updated")
                        .getJsonObject("details")
                        .getJsonArray("fields")
                        .getList())
                .containsExactly("jobTitle", "nationalId", "salary");
        assertThat(byAction.get("person.created")
                        .getJsonObject("details")
                        .getJsonArray("fields")
                        .getList())
                .contains("salary", "nationalId", "homeAddress", "dateOfBirth", "firstName");
        assertThat(byAction.get("person.updated").getString("actorUserId")).isEqualTo(owner.userId());

        String stored = db.text(
                "SELECT coalesce(jsonb_agg(to_jsonb(a)), '[]'::jsonb)::text FROM audit_events a"
                        + " WHERE a.organization_id = ?",
                owner.organizationId());
        String listed = api.get("/api/v1/audit-events?limit=200", owner).bodyAsString();
        for (String text : List.of(stored, listed)) {
            assertThat(text)
                    .contains("person.updated")
                    .doesNotContain("987654")
                    .doesNotContain("876543")
                    .doesNotContain("NID-7731-SECRET")
                    .doesNotContain("NID-AUDIT-SECRET")
                    .doesNotContain("17 Hidden Orchard Road")
                    .doesNotContain("1961-07-13");
        }
    }
}
