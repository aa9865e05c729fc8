package io.keysmith.leastprivilege;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeyTraffic.Key;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 5 over real traffic and the real roll-up: a key's unused permissions with evidence (recent minutes
 * and rolled-up days alike), the organization's report, shadow mode, reduce to what it used and its undo (exact,
 * audited, refused when the owner's level no longer allows it or the rights changed since), isolation (another
 * organization, a weaker user, own key vs manage ALL) and bad input. Every answer is checked against openapi.yaml by
 * the test client.
 */
@DisplayName("Least privilege: unused permissions with evidence, shadow mode, reduce and undo, isolation")
class LeastPrivilegeIT {
    private static final String PEOPLE = "/api/v1/people";

    private static Vertx vertx;
    private static TestServer server;
    private static Api api;
    private static KeyTraffic traffic;
    private static DbProbe probe;
    private static Api.Session a;
    private static Api.Session b;
    private static Api.Session employee;
    /** SCOPED people:read + people:update + people:delete; read by traffic, update by rolled-up usage. */
    private static Key scoped;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        PgConnectOptions db = PostgresFixture.get().newDatabase("least_privilege");
        probe = new DbProbe(db.getDatabase());
        server = TestServer.start(db, new JsonObject().put("usage.flush.seconds", 1));
        api = new Api(vertx, server.port());
        traffic = new KeyTraffic(vertx, server.port());
        a = api.signUp("Least Org A", Api.uniqueEmail("lp-a"));
        b = api.signUp("Least Org B", Api.uniqueEmail("lp-b"));
        employee = api.createSignedInUser(a, Api.uniqueEmail("lp-employee"), "EMPLOYEE");
        scoped = KeyTraffic.createKey(
                api,
                a,
                "Payroll sync",
                "PEOPLE",
                new JsonArray(List.of("people:read", "people:update", "people:delete")),
                1_000_000);
        Map<Integer, Integer> statuses = traffic.burst(3, 1, () -> traffic.get(PEOPLE, scoped.secret(), Map.of()));
        assertThat(statuses).isEqualTo(Map.of(200, 3));
        long stored = KeyTraffic.poll(
                () -> probe.count(
                        "SELECT coalesce(sum(count), 0) FROM key_usage_minutes WHERE key_id = ?", scoped.id()),
                n -> n >= 3,
                Duration.ofSeconds(15));
        assertThat(stored).as("the traffic was metered").isEqualTo(3);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // older than the minute retention (48 h): the roll-up moves it into hours and days
        minuteRow(a.organizationId(), scoped.id(), now.minusHours(60), "updatePerson", "ALLOWED", 5);
        // a gateway's verification of the key names no permission
        minuteRow(a.organizationId(), scoped.id(), now.minusHours(1), "verify", "ALLOWED", 2);
        // refused requests are not uses
        minuteRow(a.organizationId(), scoped.id(), now.minusHours(2), "deletePerson", "DENIED", 9);
        // outside the 30-day window
        dayRow(a.organizationId(), scoped.id(), now.minusDays(40), "deletePerson", 4);
        assertThat(server.app
                        .rollUpUsage()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get())
                .as("minute rows rolled up")
                .isGreaterThanOrEqualTo(1);
        assertThat(probe.count(
                        "SELECT coalesce(sum(count), 0) FROM key_usage_days WHERE key_id = ? AND operation = 'updatePerson'",
                        scoped.id()))
                .as("the roll-up filled the day table")
                .isEqualTo(5);
    }

    @AfterAll
    static void stop() throws Exception {
        traffic.close();
        server.close();
        vertx.close().await();
    }

    private static void minuteRow(String org, String key, OffsetDateTime at, String op, String outcome, long n)
            throws Exception {
        try (Connection c = probe.owner();
                PreparedStatement ps = c.prepareStatement("INSERT INTO key_usage_minutes (organization_id, key_id,"
                        + " minute, operation, outcome, replica_id, count) VALUES (?, ?, date_trunc('minute', ?), ?,"
                        + " ?, ?, ?)")) {
            ps.setObject(1, UUID.fromString(org));
            ps.setObject(2, UUID.fromString(key));
            ps.setObject(3, at);
            ps.setString(4, op);
            ps.setString(5, outcome);
            ps.setObject(6, UUID.randomUUID());
            ps.setLong(7, n);
            ps.executeUpdate();
        }
    }

    private static void dayRow(String org, String key, OffsetDateTime at, String op, long n) throws Exception {
        try (Connection c = probe.owner();
                PreparedStatement ps = c.prepareStatement("INSERT INTO key_usage_days (organization_id, key_id, day,"
                        + " operation, outcome, count, last_at) VALUES (?, ?, (? AT TIME ZONE 'UTC')::date, ?,"
                        + " 'ALLOWED', ?, ?)")) {
            ps.setObject(1, UUID.fromString(org));
            ps.setObject(2, UUID.fromString(key));
            ps.setObject(3, at);
            ps.setString(4, op);
            ps.setLong(5, n);
            ps.setObject(6, at);
            ps.executeUpdate();
        }
    }

    private static String path(String keyId, String tail) {
        return "/api/v1/api-keys/" + keyId + "/least-privilege" + tail;
    }

    private static JsonObject ok(HttpResponse<Buffer> r) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static JsonObject permission(JsonObject report, String name) {
        return report.getJsonArray("permissions").stream()
                .map(JsonObject.class::cast)
                .filter(p -> name.equals(p.getString("permission")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + report.encode()));
    }

    private static JsonObject key(Api.Session s, String id) {
        return ok(api.get("/api/v1/api-keys/" + id, s));
    }

    /**
     * The organization's audit events but "used from a new address": those come from the usage flush, after earlier
     * tests' traffic, at a moment of their own (seen arriving during this test's refused calls).
     */
    private static long eventsOtherThanFirstUse(String org) {
        return probe.count(
                "SELECT count(*) FROM audit_events WHERE organization_id = ? AND action <> 'api-key.used-from-new-address'",
                org);
    }

    private static long audit(String org, String action, String keyId) {
        return probe.count(
                "SELECT count(*) FROM audit_events WHERE organization_id = ? AND action = ? AND target_id = CAST(? AS text)",
                org,
                action,
                keyId);
    }

    @Test
    @DisplayName("a key's report shows each unused permission, and each used one with its count and last use")
    void keyReport_showsUnusedPermissions_withEvidence() {
        JsonObject r = ok(api.get(path(scoped.id(), ""), a));
        assertThat(r.getInteger("days")).isEqualTo(30);
        assertThat(r.getJsonArray("unusedPermissions").getList()).containsExactly("people:delete");
        assertThat(r.getJsonArray("suggestedPermissions").getList()).containsExactly("people:read", "people:update");
        assertThat(r.getBoolean("reducible")).isTrue();
        assertThat(r.getBoolean("fieldRightsMetered")).isFalse();
        JsonObject read = permission(r, "people:read");
        assertThat(read.getLong("count")).isEqualTo(3);
        assertThat(read.getString("lastUsedAt")).isNotNull();
        assertThat(read.getJsonArray("operations").getJsonObject(0).getString("operationId"))
                .isEqualTo("listPeople");
        JsonObject update = permission(r, "people:update");
        assertThat(update.getLong("count")).as("from the day roll-up").isEqualTo(5);
        JsonObject delete = permission(r, "people:delete");
        assertThat(delete.getBoolean("used")).isFalse();
        assertThat(delete.getLong("count"))
                .as("denied and out-of-window uses do not count")
                .isZero();
        assertThat(r.getLong("unattributedRequests"))
                .as("verify names no permission")
                .isEqualTo(2);
        assertThat(r.getLong("requests")).isEqualTo(10);
        JsonObject week = ok(api.get(path(scoped.id(), "?days=1"), a));
        assertThat(week.getJsonArray("unusedPermissions").getList())
                .as("a one-day window misses the update of 60 hours ago")
                .containsExactlyInAnyOrder("people:update", "people:delete");
    }

    @Test
    @DisplayName(
            "shadow mode counts what a smaller set would have refused, per permission and operation, and changes nothing")
    void shadow_countsWhatASmallerSetWouldRefuse() {
        String before = key(a, scoped.id()).encode();
        long events = probe.auditEvents(a.organizationId());
        JsonObject s = ok(api.post(
                path(scoped.id(), "/shadow"),
                a,
                new JsonObject().put("permissions", new JsonArray().add("people:read"))));
        assertThat(s.getLong("wouldRefuse")).isEqualTo(5);
        JsonObject refused = s.getJsonArray("refusedByPermission").getJsonObject(0);
        assertThat(refused.getString("permission")).isEqualTo("people:update");
        assertThat(refused.getJsonArray("operations").getJsonObject(0).getString("operationId"))
                .isEqualTo("updatePerson");
        JsonObject none =
                ok(api.post(path(scoped.id(), "/shadow"), a, new JsonObject().put("permissions", new JsonArray())));
        assertThat(none.getLong("wouldRefuse")).isEqualTo(8);
        assertThat(key(a, scoped.id()).encode())
                .as("shadow mode changes nothing")
                .isEqualTo(before);
        assertThat(probe.auditEvents(a.organizationId())).isEqualTo(events);

        JsonObject wider = Api.problem(
                api.post(
                        path(scoped.id(), "/shadow"),
                        a,
                        new JsonObject().put("permissions", new JsonArray().add("audit:read"))),
                400);
        assertThat(wider.getString("field")).isEqualTo("permissions.0");
    }

    @Test
    @DisplayName("reduce to what it used is one audited click; undo restores the previous rights exactly, once")
    void reduce_thenUndo_restoresExactly() {
        Key k = KeyTraffic.createKey(
                api, a, "Reduce me", "PEOPLE", new JsonArray(List.of("people:read", "people:delete")), 1_000_000);
        assertThat(traffic.burst(1, 1, () -> traffic.get(PEOPLE, k.secret(), Map.of())))
                .isEqualTo(Map.of(200, 1));
        KeyTraffic.poll(
                () -> probe.count("SELECT coalesce(sum(count), 0) FROM key_usage_minutes WHERE key_id = ?", k.id()),
                n -> n >= 1,
                Duration.ofSeconds(15));
        JsonObject before = key(a, k.id());

        // what the person was shown must be what is applied
        Api.problem(
                api.post(
                        path(k.id(), "/reduce"),
                        a,
                        new JsonObject().put("permissions", new JsonArray().add("people:delete"))),
                409);
        assertThat(key(a, k.id()).encode()).isEqualTo(before.encode());

        JsonObject reduced = ok(api.post(
                path(k.id(), "/reduce"), a, new JsonObject().put("permissions", new JsonArray().add("people:read"))));
        assertThat(reduced.getJsonObject("key").getJsonArray("permissions").getList())
                .containsExactly("people:read");
        String reductionId = reduced.getJsonObject("reduction").getString("id");
        assertThat(audit(a.organizationId(), "api-key.reduced-to-used", k.id())).isEqualTo(1);
        assertThat(probe.text(
                        "SELECT details::text FROM audit_events WHERE action = 'api-key.reduced-to-used' AND target_id = CAST(? AS text)",
                        k.id()))
                .contains("people:delete")
                .contains(reductionId);
        assertThat(probe.text(
                        "SELECT details::text FROM audit_events WHERE action = 'api-key.reduced-to-used' AND target_id = CAST(? AS text)",
                        k.id()))
                .doesNotContain(k.secret());
        Api.problem(
                api.post(
                        path(k.id(), "/reduce"),
                        a,
                        new JsonObject().put("permissions", new JsonArray().add("people:read"))),
                409);
        assertThat(ok(api.get(path(k.id(), ""), a))
                        .getJsonObject("lastReduction")
                        .getBoolean("undoable"))
                .isTrue();

        JsonObject undone = ok(api.post(path(k.id(), "/undo"), a, new JsonObject().put("reductionId", reductionId)));
        JsonObject after = key(a, k.id());
        assertThat(after.getString("permissionMode")).isEqualTo(before.getString("permissionMode"));
        assertThat(after.getJsonArray("permissions")).isEqualTo(before.getJsonArray("permissions"));
        assertThat(after.getJsonObject("fieldRights")).isEqualTo(before.getJsonObject("fieldRights"));
        assertThat(undone.getJsonObject("reduction").getString("undoneAt")).isNotNull();
        assertThat(audit(a.organizationId(), "api-key.reduction-undone", k.id()))
                .isEqualTo(1);
        Api.problem(api.post(path(k.id(), "/undo"), a, new JsonObject().put("reductionId", reductionId)), 409);
        Api.problem(
                api.post(
                        path(k.id(), "/undo"),
                        a,
                        new JsonObject().put("reductionId", UUID.randomUUID().toString())),
                404);
        assertThat(audit(a.organizationId(), "api-key.reduction-undone", k.id()))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("an INHERIT key reduced becomes SCOPED with its working field rights; undo makes it INHERIT again")
    void inheritKey_reducedAndUndone() {
        Key k = KeyTraffic.createKey(api, a, "Inherit unused", "PEOPLE", null, 1_000_000);
        JsonObject before = key(a, k.id());
        JsonObject report = ok(api.get(path(k.id(), ""), a));
        assertThat(report.getJsonArray("unusedPermissions").getList()).containsExactly("people:read");
        JsonObject reduced =
                ok(api.post(path(k.id(), "/reduce"), a, new JsonObject().put("permissions", new JsonArray())));
        assertThat(reduced.getJsonObject("key").getString("permissionMode")).isEqualTo("SCOPED");
        assertThat(reduced.getJsonObject("key").getJsonArray("permissions")).isEmpty();
        assertThat(traffic.burst(1, 1, () -> traffic.get(PEOPLE, k.secret(), Map.of())))
                .as("the reduced key is refused at once")
                .isEqualTo(Map.of(403, 1));
        ok(api.post(
                path(k.id(), "/undo"),
                a,
                new JsonObject()
                        .put("reductionId", reduced.getJsonObject("reduction").getString("id"))));
        JsonObject after = key(a, k.id());
        assertThat(after.getString("permissionMode")).isEqualTo("INHERIT");
        assertThat(after.getJsonArray("permissions")).isEqualTo(before.getJsonArray("permissions"));
        assertThat(after.getJsonObject("fieldRights")).isEqualTo(before.getJsonObject("fieldRights"));
        assertThat(traffic.burst(1, 1, () -> traffic.get(PEOPLE, k.secret(), Map.of())))
                .as("works again after the undo")
                .isEqualTo(Map.of(200, 1));
    }

    @Test
    @DisplayName("undo is refused when the owner's level no longer allows the old rights, or the rights changed since")
    void undo_isRefused_whenTheOwnerLostTheRights_orTheRightsChanged() {
        String level = api.createAccessLevel(
                        a,
                        Api.accessLevelBody(
                                "Writers " + UUID.randomUUID(),
                                "ALL",
                                Map.of(),
                                "people:read",
                                "people:update",
                                "keys:create-own"))
                .getString("id");
        Api.Session writer = api.createSignedInUser(a, Api.uniqueEmail("lp-writer"), level);
        Key k = KeyTraffic.createKey(
                api, writer, "Writer key", "PEOPLE", new JsonArray(List.of("people:read", "people:update")), null);
        JsonObject reduced =
                ok(api.post(path(k.id(), "/reduce"), writer, new JsonObject().put("permissions", new JsonArray())));
        String reductionId = reduced.getJsonObject("reduction").getString("id");
        HttpResponse<Buffer> lowered = api.put(
                "/api/v1/access-levels/" + level,
                a,
                Api.accessLevelBody(
                        "Writers lowered " + UUID.randomUUID(), "ALL", Map.of(), "people:read", "keys:create-own"));
        assertThat(lowered.statusCode()).as(lowered.bodyAsString()).isEqualTo(200);
        Api.problem(api.post(path(k.id(), "/undo"), writer, new JsonObject().put("reductionId", reductionId)), 403);
        assertThat(key(writer, k.id()).getJsonArray("permissions"))
                .as("unchanged")
                .isEmpty();
        assertThat(audit(a.organizationId(), "api-key.reduction-undone", k.id()))
                .isZero();

        // rights changed after a reduction: the undo would overwrite that change
        Key other = KeyTraffic.createKey(
                api, a, "Changed since", "PEOPLE", new JsonArray(List.of("people:read", "people:delete")), null);
        String second = ok(api.post(
                        path(other.id(), "/reduce"), a, new JsonObject().put("permissions", new JsonArray())))
                .getJsonObject("reduction")
                .getString("id");
        ok(api.patch(
                "/api/v1/api-keys/" + other.id(),
                a,
                new JsonObject().put("permissions", new JsonArray().add("people:read"))));
        JsonObject changed =
                Api.problem(api.post(path(other.id(), "/undo"), a, new JsonObject().put("reductionId", second)), 409);
        assertThat(changed.getString("detail")).contains("changed");
        assertThat(key(a, other.id()).getJsonArray("permissions").getList()).containsExactly("people:read");
    }

    @Test
    @DisplayName(
            "another organization and a weaker user see none of it; a user sees their own key; the report needs manage ALL")
    void isolation_otherOrganization_weakerUser_ownKey() {
        long events = eventsOtherThanFirstUse(a.organizationId());
        for (Api.Session outsider : List.of(b, employee)) {
            Api.problem(api.get(path(scoped.id(), ""), outsider), 404);
            Api.problem(
                    api.post(
                            path(scoped.id(), "/shadow"),
                            outsider,
                            new JsonObject().put("permissions", new JsonArray())),
                    404);
            Api.problem(
                    api.post(
                            path(scoped.id(), "/reduce"),
                            outsider,
                            new JsonObject()
                                    .put("permissions", new JsonArray(List.of("people:read", "people:update")))),
                    404);
            Api.problem(
                    api.post(
                            path(scoped.id(), "/undo"),
                            outsider,
                            new JsonObject()
                                    .put("reductionId", UUID.randomUUID().toString())),
                    404);
        }
        assertThat(key(a, scoped.id()).getJsonArray("permissions").getList())
                .containsExactly("people:read", "people:update", "people:delete");
        assertThat(eventsOtherThanFirstUse(a.organizationId())).isEqualTo(events);
        Api.problem(api.get("/api/v1/least-privilege", employee), 403);
        Key own = KeyTraffic.createKey(api, employee, "Employee's own", "PEOPLE", null, null);
        JsonObject mine = ok(api.get(path(own.id(), ""), employee));
        assertThat(mine.getString("keyId")).isEqualTo(own.id());

        JsonObject bReport = ok(api.get("/api/v1/least-privilege", b));
        assertThat(bReport.encode()).doesNotContain(scoped.id()).doesNotContain(own.id());
    }

    @Test
    @DisplayName("the organization report counts the keys with rights they never use and lists them, most unused first")
    void organizationReport_countsAndLists() {
        JsonObject r = ok(api.get("/api/v1/least-privilege?days=30&limit=1000", a));
        JsonArray keys = r.getJsonArray("keys");
        assertThat(r.getInteger("keysWithUnusedPermissions")).isEqualTo(keys.size());
        assertThat(r.getInteger("keysAnalysed")).isGreaterThanOrEqualTo(keys.size());
        JsonObject mine = keys.stream()
                .map(JsonObject.class::cast)
                .filter(k -> scoped.id().equals(k.getString("keyId")))
                .findFirst()
                .orElseThrow();
        assertThat(mine.getJsonArray("unusedPermissions").getList()).containsExactly("people:delete");
        for (int i = 1; i < keys.size(); i++) {
            assertThat(keys.getJsonObject(i - 1)
                            .getJsonArray("unusedPermissions")
                            .size())
                    .isGreaterThanOrEqualTo(keys.getJsonObject(i)
                            .getJsonArray("unusedPermissions")
                            .size());
        }
        JsonObject one = ok(api.get("/api/v1/least-privilege?limit=1", a));
        assertThat(one.getJsonArray("keys")).hasSize(1);
        assertThat(one.getBoolean("truncated")).isEqualTo(keys.size() > 1);
    }

    @Test
    @DisplayName("bad windows, limits and proposed sets are 400 problems")
    void badInput_is400() {
        for (String q : List.of("?days=0", "?days=91", "?days=abc")) {
            Api.problem(api.get(path(scoped.id(), q), a), 400);
            Api.problem(api.get("/api/v1/least-privilege" + q, a), 400);
        }
        Api.problem(api.get("/api/v1/least-privilege?limit=1001", a), 400);
        Api.problem(api.get(path("not-a-uuid", ""), a), 400);
        JsonArray many = new JsonArray();
        for (int i = 0; i < 101; i++) {
            many.add("people:p" + (char) ('a' + i % 26) + i);
        }
        Api.problem(api.post(path(scoped.id(), "/shadow"), a, new JsonObject().put("permissions", many)), 400);
        Api.problem(
                api.post(
                        path(scoped.id(), "/shadow"),
                        a,
                        new JsonObject().put("permissions", new JsonArray().add("NOT A PERMISSION"))),
                400);
        Api.problem(
                api.post(
                        path(scoped.id(), "/reduce"),
                        a,
                        new JsonObject().put("permissions", new JsonArray()).put("days", 0)),
                400);
        Api.problem(api.post(path(scoped.id(), "/undo"), a, new JsonObject().put("reductionId", "nope")), 400);
        assertThat(key(a, scoped.id()).getJsonArray("permissions").getList())
                .containsExactly("people:read", "people:update", "people:delete");
    }
}
