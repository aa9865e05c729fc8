package io.keysmith.audit;

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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17 item 1: the audit log showed raw UUIDs and codes. Events now carry the names a sentence needs (actor,
 * target, API type, address, changed field names), filter by who, action, target and date range, and export as CSV;
 * all behind the organization fence and audit:read.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Audit log: readable events, filters, export, the organization fence and the permission")
class AuditLogIT {
    private static final String FROM_ADDRESS = "203.0.113.7";
    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session owner;
    private static Session other;
    private static String keyId;

    @BeforeAll
    static void start(Vertx vertx) {
        // the test client is a trusted proxy, so X-Forwarded-For is the recorded address
        server = TestServer.start(
                io.keysmith.support.PostgresFixture.get().newDatabase("audit_log"),
                new JsonObject().put("trusted.proxies", "127.0.0.1/32"));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        owner = api.signUp("Audit Org", uniqueEmail("audit-owner"));
        other = api.signUp("Other Org", uniqueEmail("other-owner"));
        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "Payroll sync")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
        assertThat(key.statusCode()).as(key.bodyAsString()).isEqualTo(201);
        keyId = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        HttpResponse<Buffer> revoke = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/" + keyId + "/revoke",
                owner,
                null,
                Map.of("X-Forwarded-For", FROM_ADDRESS));
        assertThat(revoke.statusCode()).as(revoke.bodyAsString()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static JsonArray items(String query, Session s) {
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events" + query, s);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(ContractSchemas.errors("AuditEventPage", r.bodyAsJsonObject()))
                .as("the page conforms to the contract")
                .isEmpty();
        return r.bodyAsJsonObject().getJsonArray("items");
    }

    private static JsonObject first(String query) {
        JsonArray items = items(query, owner);
        assertThat(items).as("events for %s", query).isNotEmpty();
        return items.getJsonObject(0);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aRevokedKeysEvent_namesTheActorTheKeyItsApiTypeAndTheAddress() {
        JsonObject e = first("?action=api-key.revoked");
        assertThat(e.getString("actorUserId")).isEqualTo(owner.userId());
        assertThat(e.getString("actorName")).isEqualTo("Ada Owner");
        assertThat(e.getString("targetType")).isEqualTo("api-key");
        assertThat(e.getString("targetId")).isEqualTo(keyId);
        assertThat(e.getString("targetName")).isEqualTo("Payroll sync");
        assertThat(e.getString("apiType")).isEqualTo("PEOPLE");
        assertThat(e.getString("apiTypeTitle")).isEqualTo("People API");
        assertThat(e.getString("sourceAddress")).isEqualTo(FROM_ADDRESS);
        assertThat(e.getJsonArray("changedFields")).isEmpty();
    }

    @Test
    void updatesOfUsersKeysAccessLevelsAndPolicies_recordTheChangedFieldNames_neverTheirValues() {
        JsonObject user = api.createUser(owner, uniqueEmail("renamed"), "EMPLOYEE", null);
        String userId = user.getJsonObject("user", user).getString("id");
        HttpResponse<Buffer> r =
                api.patch("/api/v1/users/" + userId, owner, new JsonObject().put("firstName", "Augusta"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject userEvent = first("?action=user.updated&targetId=" + userId);
        assertThat(userEvent.getJsonArray("changedFields").getList()).containsExactly("firstName");
        assertThat(userEvent.getString("targetName")).isEqualTo("Augusta User");
        // a field sent with the value it already has is not a change
        r = api.patch(
                "/api/v1/users/" + userId,
                owner,
                new JsonObject().put("firstName", "Augusta").put("lastName", "Byron"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(first("?action=user.updated&targetId=" + userId)
                        .getJsonArray("changedFields")
                        .getList())
                .containsExactly("lastName");

        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "Reporting")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
        String reporting = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        r = api.patch("/api/v1/api-keys/" + reporting, owner, new JsonObject().put("description", "quarterly figures"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject keyEvent = first("?action=api-key.updated&targetId=" + reporting);
        assertThat(keyEvent.getJsonArray("changedFields").getList()).containsExactly("description");
        assertThat(keyEvent.encode()).doesNotContain("quarterly figures");

        JsonObject level = api.createAccessLevel(owner, Api.accessLevelBody("Readers", "OWN", Map.of(), "audit:read"));
        r = api.put(
                "/api/v1/access-levels/" + level.getString("id"),
                owner,
                Api.accessLevelBody("Log readers", "OWN", Map.of(), "audit:read"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject levelEvent = first("?action=access-level.updated&targetId=" + level.getString("id"));
        assertThat(levelEvent.getJsonArray("changedFields").getList()).containsExactly("name");
        assertThat(levelEvent.getString("targetName")).isEqualTo("Log readers");

        JsonObject policies = api.get("/api/v1/organization/policies", owner).bodyAsJsonObject();
        int cap = policies.getInteger("maxKeysPerUser");
        r = api.put("/api/v1/organization/policies", owner, policies.copy().put("maxKeysPerUser", cap - 1));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject policyEvent = first("?action=policy.changed");
        assertThat(policyEvent.getJsonArray("changedFields").getList()).containsExactly("maxKeysPerUser");
        assertThat(policyEvent.getString("targetName")).isEqualTo("Audit Org");
    }

    @Test
    @DisplayName("the idle-key reminder (unusedKeyDays): bounds refused and nothing changed, a weaker user refused,"
            + " another organization untouched, the change audited by its field name")
    void unusedKeyDays_isBounded_guarded_isolated_andAudited() {
        JsonObject before = api.get("/api/v1/organization/policies", owner).bodyAsJsonObject();
        assertThat(before.getInteger("unusedKeyDays")).isEqualTo(90);
        for (Object bad : new Object[] {0, -5, 3651, "thirty", 1.5}) {
            HttpResponse<Buffer> r = api.put(
                    "/api/v1/organization/policies", owner, before.copy().put("unusedKeyDays", bad));
            assertThat(Api.problem(r, 400).getString("field")).as("%s", bad).isEqualTo("unusedKeyDays");
        }
        Session employee = api.createSignedInUser(owner, uniqueEmail("idle-employee"), "EMPLOYEE");
        HttpResponse<Buffer> refused =
                api.put("/api/v1/organization/policies", employee, before.copy().put("unusedKeyDays", 1));
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(403);
        assertThat(api.get("/api/v1/organization/policies", owner)
                        .bodyAsJsonObject()
                        .getInteger("unusedKeyDays"))
                .isEqualTo(90);

        HttpResponse<Buffer> r =
                api.put("/api/v1/organization/policies", owner, before.copy().put("unusedKeyDays", 30));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(api.get("/api/v1/organization/policies", owner)
                        .bodyAsJsonObject()
                        .getInteger("unusedKeyDays"))
                .isEqualTo(30);
        assertThat(api.get("/api/v1/organization/policies", other)
                        .bodyAsJsonObject()
                        .getInteger("unusedKeyDays"))
                .as("another organization's policy")
                .isEqualTo(90);
        JsonObject event = first("?action=policy.changed");
        assertThat(event.getJsonArray("changedFields").getList()).containsExactly("unusedKeyDays");
        // a save without the field keeps it
        JsonObject without = before.copy();
        without.remove("unusedKeyDays");
        r = api.put("/api/v1/organization/policies", owner, without);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(api.get("/api/v1/organization/policies", owner)
                        .bodyAsJsonObject()
                        .getInteger("unusedKeyDays"))
                .isEqualTo(30);
    }

    @Test
    @DisplayName("an event about a person record names the person for a reader who may view the names, never otherwise")
    void aPersonEvent_namesThePerson_onlyForAReaderWhoMayViewTheNames() {
        String person = api.createPerson(
                        owner,
                        new JsonObject()
                                .put("firstName", "Grace")
                                .put("lastName", "Hopper")
                                .put("workEmail", uniqueEmail("grace")))
                .getString("id");
        HttpResponse<Buffer> r =
                api.patch("/api/v1/people/" + person, owner, new JsonObject().put("jobTitle", "Rear admiral"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject e = first("?action=person.updated&targetId=" + person);
        assertThat(e.getString("targetName")).isEqualTo("Grace Hopper");
        assertThat(e.encode()).doesNotContain("Rear admiral");
        assertThat(e.getJsonArray("changedFields").getList()).containsExactly("jobTitle");
        // a field sent with the value it already has is not a change
        r = api.patch(
                "/api/v1/people/" + person,
                owner,
                new JsonObject().put("jobTitle", "Rear admiral").put("department", "Navy"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(first("?action=person.updated&targetId=" + person)
                        .getJsonArray("changedFields")
                        .getList())
                .containsExactly("department");

        // a log reader whose level hides the last name (field-protected data) reads no name, in the list or the CSV
        String blind = api.createAccessLevel(
                        owner,
                        Api.accessLevelBody(
                                "Log readers without names",
                                "ALL",
                                Map.of("firstName", "VIEW", "lastName", "NONE"),
                                "audit:read"))
                .getString("id");
        Session reader = api.createSignedInUser(owner, uniqueEmail("blind-reader"), blind);
        JsonArray seen = items("?action=person.updated&targetId=" + person, reader);
        assertThat(seen).hasSize(2);
        assertThat(seen.getJsonObject(0).containsKey("targetName")).isFalse();
        assertThat(seen.getJsonObject(1).containsKey("targetName")).isFalse();
        HttpResponse<Buffer> csv = api.get("/api/v1/audit-events/export?targetId=" + person, reader);
        assertThat(csv.statusCode()).as(csv.bodyAsString()).isEqualTo(200);
        assertThat(csv.bodyAsString()).doesNotContain("Hopper");
        // a deleted record is never named (no event records a person's name)
        assertThat(api.delete("/api/v1/people/" + person, owner).statusCode()).isIn(200, 204);
        assertThat(first("?action=person.deleted&targetId=" + person).containsKey("targetName"))
                .isFalse();
    }

    @Test
    @DisplayName("a transfer names the key's new owner")
    void aTransfer_namesTheNewOwner() {
        JsonObject user = api.createUser(owner, uniqueEmail("new-owner"), "EMPLOYEE", null);
        String to = user.getJsonObject("user", user).getString("id");
        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "Handed on")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
        String id = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        HttpResponse<Buffer> r =
                api.post("/api/v1/api-keys/" + id + "/transfer", owner, new JsonObject().put("ownerUserId", to));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        JsonObject e = first("?action=api-key.transferred&targetId=" + id);
        assertThat(e.getString("subjectUserId")).isEqualTo(to);
        assertThat(e.getString("subjectName"))
                .isEqualTo(user.getJsonObject("user", user).getString("firstName") + " "
                        + user.getJsonObject("user", user).getString("lastName"));
        HttpResponse<Buffer> csv =
                api.get("/api/v1/audit-events/export?action=api-key.transferred&targetId=" + id, owner);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.bodyAsString().trim()).endsWith("," + to + "," + e.getString("subjectName"));
    }

    @Test
    void aDeletedAccessLevel_isStillNamed_fromTheNameRecordedInTheEvent() {
        JsonObject level =
                api.createAccessLevel(owner, Api.accessLevelBody("Short lived", "OWN", Map.of(), "audit:read"));
        HttpResponse<Buffer> r = api.delete("/api/v1/access-levels/" + level.getString("id"), owner);
        assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 204);
        JsonObject e = first("?action=access-level.deleted&targetId=" + level.getString("id"));
        assertThat(e.getString("targetName")).isEqualTo("Short lived");
    }

    @Test
    void filtersByWhoWhatTargetAndDateRange_returnOnlyMatchingEvents() {
        Instant now = Instant.now();
        assertThat(items("?targetId=" + keyId, owner))
                .isNotEmpty()
                .allSatisfy(
                        o -> assertThat(((JsonObject) o).getString("targetId")).isEqualTo(keyId));
        assertThat(items("?targetType=api-key&actorUserId=" + owner.userId(), owner))
                .isNotEmpty()
                .allSatisfy(o ->
                        assertThat(((JsonObject) o).getString("targetType")).isEqualTo("api-key"));
        String from = enc(now.minus(1, ChronoUnit.HOURS).toString());
        String to = enc(now.plus(1, ChronoUnit.HOURS).toString());
        assertThat(items("?action=api-key.revoked&from=" + from + "&to=" + to, owner))
                .hasSize(1);
        String past = enc(now.minus(2, ChronoUnit.HOURS).toString());
        assertThat(items("?action=api-key.revoked&from=" + past + "&to=" + from, owner))
                .isEmpty();
        assertThat(items("?from=" + to, owner)).isEmpty();
    }

    @Test
    void anotherOrganizationsEvents_neverAppear_inTheListOrTheExport_evenWhenFilteredByItsIds() {
        assertThat(items("", other))
                .isNotEmpty()
                .allSatisfy(o ->
                        assertThat(((JsonObject) o).getString("actorUserId")).isIn(other.userId(), null));
        assertThat(items("?targetId=" + keyId, other)).isEmpty();
        assertThat(items("?actorUserId=" + owner.userId(), other)).isEmpty();
        HttpResponse<Buffer> csv = api.get("/api/v1/audit-events/export", other);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.bodyAsString())
                .doesNotContain(keyId)
                .doesNotContain(owner.userId())
                .doesNotContain("Payroll sync");
        assertThat(api.get("/api/v1/audit-events/export?targetId=" + keyId, other)
                        .bodyAsString()
                        .split("\r\n"))
                .hasSize(1); // the header only
    }

    @Test
    void aUserWithoutTheAuditPermission_gets403_forTheListAndTheExport() {
        Session employee = api.createSignedInUser(owner, uniqueEmail("employee"), null);
        long before = db.auditEvents(owner.organizationId());
        JsonObject p = problem(api.get("/api/v1/audit-events", employee), 403);
        assertThat(p.getString("detail")).contains("audit:read");
        problem(api.get("/api/v1/audit-events/export", employee), 403);
        assertThat(db.auditEvents(owner.organizationId())).isEqualTo(before);
        problem(api.get("/api/v1/audit-events/export", null), 401);
    }

    @Test
    void badParameters_areClearProblems_forTheListAndTheExport() {
        for (String path : List.of("/api/v1/audit-events", "/api/v1/audit-events/export")) {
            JsonObject reversed =
                    problem(api.get(path + "?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", owner), 400);
            assertThat(reversed.getString("detail")).contains("'from'").contains("before");
            assertThat(problem(api.get(path + "?from=yesterday", owner), 400).getString("detail"))
                    .contains("from");
            assertThat(problem(api.get(path + "?to=2026-13-45T99:00:00Z", owner), 400)
                            .getString("detail"))
                    .contains("to");
            assertThat(problem(api.get(path + "?from=2026-12-01T00:00:00" + "0".repeat(60) + "Z", owner), 400)
                            .getString("detail"))
                    .contains("from");
            // past the HTTP server's URI limit the decoder answers before any route (not problem+json: see report)
            assertThat(api.get(path + "?from=" + "2".repeat(9000), owner).statusCode())
                    .isEqualTo(414);
            assertThat(problem(api.get(path + "?action=api-key.exploded", owner), 400)
                            .getString("detail"))
                    .contains("action");
            assertThat(problem(api.get(path + "?targetType=spaceship", owner), 400)
                            .getString("detail"))
                    .contains("targetType");
            assertThat(problem(api.get(path + "?targetId=not-a-uuid", owner), 400)
                            .getString("detail"))
                    .contains("targetId");
            assertThat(problem(api.get(path + "?actorUserId=" + "a".repeat(300), owner), 400)
                            .getString("detail"))
                    .contains("actorUserId");
        }
    }

    @Test
    void theExport_isCsvOfTheFilteredEvents_withNamesAndFormulaSafeCells() {
        // a key whose name a spreadsheet would run
        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "=HYPERLINK(\"http://evil.example\",\"x\")")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
        assertThat(key.statusCode()).as(key.bodyAsString()).isEqualTo(201);
        String evil = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events/export?targetType=api-key", owner);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.getHeader("content-type")).startsWith("text/csv");
        assertThat(r.getHeader("content-disposition")).startsWith("attachment; filename=\"audit-events-");
        String[] lines = r.bodyAsString().split("\r\n");
        assertThat(lines[0]).isEqualTo(String.join(",", AuditCsv.COLUMNS));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l)
                        .contains(keyId)
                        .contains("api-key.revoked,")
                        .contains(",Ada Owner,")
                        .contains(",Payroll sync,People API," + FROM_ADDRESS));
        assertThat(lines)
                .filteredOn(l -> l.contains(evil))
                .singleElement()
                .satisfies(l -> assertThat(l).contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\","));
        assertThat(List.of(lines).subList(1, lines.length))
                .allSatisfy(l -> assertThat(l).contains(",api-key,"));
        long expected = db.count(
                "SELECT count(*) FROM audit_events WHERE organization_id = ? AND target_type = 'api-key'",
                owner.organizationId());
        assertThat(lines.length - 1L).isEqualTo(expected);
    }

    @Test
    void anAuditLogKey_exportsTheSameEvents_whileAKeyOfAnotherApiTypeIsRefused() {
        HttpResponse<Buffer> audit = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "SIEM")
                        .put("apiType", "AUDIT")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray().add("audit:read")));
        assertThat(audit.statusCode()).as(audit.bodyAsString()).isEqualTo(201);
        String secret = audit.bodyAsJsonObject().getString("secret");
        HttpResponse<Buffer> byKey = api.call(
                HttpMethod.GET,
                "/api/v1/audit-events/export?action=api-key.revoked",
                null,
                null,
                Map.of("Authorization", "Bearer " + secret));
        HttpResponse<Buffer> bySession = api.get("/api/v1/audit-events/export?action=api-key.revoked", owner);
        assertThat(byKey.statusCode()).as(byKey.bodyAsString()).isEqualTo(200);
        assertThat(byKey.bodyAsString()).isEqualTo(bySession.bodyAsString());

        HttpResponse<Buffer> people = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "People only")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "INHERIT"));
        assertThat(people.statusCode()).as(people.bodyAsString()).isEqualTo(201);
        HttpResponse<Buffer> refused = api.call(
                HttpMethod.GET,
                "/api/v1/audit-events/export",
                null,
                null,
                Map.of("Authorization", "Bearer " + people.bodyAsJsonObject().getString("secret")));
        assertThat(refused.statusCode()).isEqualTo(403);
    }
}
