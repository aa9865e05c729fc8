package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.ContractSchemas;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeyTraffic.Key;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.keysmith.support.UsageFlushes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The usage read API over real traffic: one key's usage (owner or "manage ALL"), the organization's ("manage ALL"),
 * outcome counts that match what was sent, the operations breakdown, top keys, isolation, range checks, and the
 * "used from a new address" audit event.
 */
@DisplayName("Usage API: counts match the traffic, isolation, permissions, ranges, new-address audit events")
class UsageApiIT {
    private static final String PEOPLE = "/api/v1/people";
    private static final int RATE = 1_000_000;

    private static Vertx vertx;
    private static TestServer server;
    private static Api api;
    private static KeyTraffic traffic;
    private static DbProbe probe;

    private static Api.Session a;
    private static Api.Session b;
    private static Api.Session employee;
    private static Key ownerKey;
    private static Key scopedKey;
    private static Key employeeKey;
    private static Key bKey;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_api");
        probe = new DbProbe(db.getDatabase());
        server = TestServer.start(
                db, new JsonObject().put("usage.flush.seconds", 1).put("trusted.proxies", "127.0.0.1/32"));
        api = new Api(vertx, server.port());
        traffic = new KeyTraffic(vertx, server.port());

        a = api.signUp("Usage Org A", Api.uniqueEmail("usage-a"));
        b = api.signUp("Usage Org B", Api.uniqueEmail("usage-b"));
        employee = api.createSignedInUser(a, Api.uniqueEmail("usage-employee"), "EMPLOYEE");
        ownerKey = KeyTraffic.createKey(api, a, "Owner key", "PEOPLE", null, RATE);
        scopedKey = KeyTraffic.createKey(api, a, "No rights key", "PEOPLE", new JsonArray(), RATE);
        employeeKey = KeyTraffic.createKey(api, employee, "Employee key", "PEOPLE", null, RATE);
        bKey = KeyTraffic.createKey(api, b, "B key", "PEOPLE", null, RATE);

        send(ownerKey, 7, 200);
        send(scopedKey, 3, 403); // the key lacks people:read: denied
        send(employeeKey, 2, 200);
        HttpResponse<Buffer> audit = traffic.get("/api/v1/audit-events", employeeKey.secret(), Map.of())
                .await();
        assertThat(audit.statusCode())
                .as("an Employee's People key reading the audit log: %s", audit.bodyAsString())
                .isEqualTo(403);
        send(bKey, 4, 200);

        awaitStored(a.organizationId(), 13);
        awaitStored(b.organizationId(), 4);
    }

    @AfterAll
    static void stop() throws Exception {
        traffic.close();
        server.close();
        vertx.close().await();
    }

    private static void send(Key key, int n, int expectedStatus) {
        Map<Integer, Integer> statuses = traffic.burst(n, 1, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
        assertThat(statuses).as("statuses of %s", key.id()).isEqualTo(Map.of(expectedStatus, n));
    }

    private static long storedForOrganization(String organizationId) {
        return probe.count(
                "SELECT coalesce(sum(count), 0) FROM key_usage_minutes WHERE organization_id = ?", organizationId);
    }

    private static void awaitStored(String organizationId, long expected) {
        long got = KeyTraffic.poll(
                () -> storedForOrganization(organizationId), n -> n >= expected, Duration.ofSeconds(15));
        assertThat(got).as("usage rows of %s written behind", organizationId).isEqualTo(expected);
    }

    private static JsonObject usage(String path, Api.Session session) {
        HttpResponse<Buffer> r = api.get(path, session);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.bodyAsString()).isEqualTo(200);
        JsonObject body = r.bodyAsJsonObject();
        assertThat(ContractSchemas.errors("Usage", body)).as("the Usage schema").isEmpty();
        return body;
    }

    /** allowed, denied, rateLimited, invalid summed over the buckets. */
    private static Map<String, Long> totals(JsonObject usage) {
        Map<String, Long> t = new HashMap<>();
        for (String k : List.of("allowed", "denied", "rateLimited", "invalid")) {
            t.put(k, 0L);
        }
        for (Object o : usage.getJsonArray("buckets")) {
            JsonObject bucket = (JsonObject) o;
            t.replaceAll((k, v) -> v + bucket.getLong(k));
        }
        return t;
    }

    private static Map<String, Long> operations(JsonObject usage) {
        Map<String, Long> ops = new HashMap<>();
        usage.getJsonArray("operations")
                .forEach(o -> ops.put(((JsonObject) o).getString("operation"), ((JsonObject) o).getLong("count")));
        return ops;
    }

    private static Map<String, Long> outcomes(long allowed, long denied, long rateLimited, long invalid) {
        return Map.of("allowed", allowed, "denied", denied, "rateLimited", rateLimited, "invalid", invalid);
    }

    @Test
    @DisplayName("one key's usage: hour buckets with its allowed count, its operations, no top keys")
    void keyUsage_matchesWhatTheKeySent() {
        JsonObject u = usage("/api/v1/api-keys/" + ownerKey.id() + "/usage", a);
        assertThat(u.getString("granularity")).isEqualTo("hour");
        assertThat(totals(u)).isEqualTo(outcomes(7, 0, 0, 0));
        assertThat(operations(u)).isEqualTo(Map.of("listPeople", 7L));
        assertThat(u.containsKey("topKeys"))
                .as("top keys only for the organization")
                .isFalse();
        for (Object o : u.getJsonArray("buckets")) {
            Instant start = Instant.parse(((JsonObject) o).getString("start"));
            assertThat(start).as("an hour bucket's start").isEqualTo(start.truncatedTo(ChronoUnit.HOURS));
        }
        assertThat(u.getJsonArray("buckets").size())
                .as("the traffic is minutes old: one or two hour buckets")
                .isBetween(1, 2);

        assertThat(totals(usage("/api/v1/api-keys/" + scopedKey.id() + "/usage", a)))
                .as("403 for a key without the permission counts as denied")
                .isEqualTo(outcomes(0, 3, 0, 0));
    }

    @Test
    @DisplayName(
            "the organization's usage: outcomes, operations breakdown and top keys over all its keys, no other organization's")
    void organizationUsage_outcomesOperationsAndTopKeys() {
        JsonObject u = usage("/api/v1/usage", a);
        assertThat(totals(u)).isEqualTo(outcomes(9, 4, 0, 0));
        assertThat(operations(u)).isEqualTo(Map.of("listPeople", 12L, "listAuditEvents", 1L));
        JsonArray top = u.getJsonArray("topKeys");
        assertThat(top.size()).isEqualTo(3);
        assertThat(top.getJsonObject(0).getString("keyId")).isEqualTo(ownerKey.id());
        assertThat(top.getJsonObject(0).getString("name")).isEqualTo("Owner key");
        assertThat(top.getJsonObject(0).getLong("count")).isEqualTo(7);
        Map<String, Long> byKey = new HashMap<>();
        top.forEach(o -> byKey.put(((JsonObject) o).getString("keyId"), ((JsonObject) o).getLong("count")));
        assertThat(byKey).isEqualTo(Map.of(ownerKey.id(), 7L, scopedKey.id(), 3L, employeeKey.id(), 3L));

        JsonObject other = usage("/api/v1/usage", b);
        assertThat(totals(other)).isEqualTo(outcomes(4, 0, 0, 0));
        assertThat(other.getJsonArray("topKeys").size()).isEqualTo(1);
        assertThat(other.getJsonArray("topKeys").getJsonObject(0).getString("keyId"))
                .isEqualTo(bKey.id());
    }

    @Test
    @DisplayName("granularity=day: the same totals in day buckets")
    void dayGranularity() {
        JsonObject u = usage("/api/v1/usage?granularity=day", a);
        assertThat(u.getString("granularity")).isEqualTo("day");
        assertThat(totals(u)).isEqualTo(outcomes(9, 4, 0, 0));
        for (Object o : u.getJsonArray("buckets")) {
            Instant start = Instant.parse(((JsonObject) o).getString("start"));
            assertThat(start).isEqualTo(start.truncatedTo(ChronoUnit.DAYS));
        }
    }

    @Test
    @DisplayName("a range that ends before the traffic has no buckets")
    void rangeBeforeTheTraffic_isEmpty() {
        String to = Instant.now().minus(2, ChronoUnit.HOURS).toString();
        String from = Instant.now().minus(5, ChronoUnit.HOURS).toString();
        JsonObject u = usage("/api/v1/usage?from=" + from + "&to=" + to, a);
        assertThat(u.getJsonArray("buckets")).isEmpty();
        assertThat(u.getJsonArray("operations")).isEmpty();
    }

    @Test
    @DisplayName("another organization's key id, or an unknown one, is 404")
    void otherOrganizationsKey_is404() {
        Api.problem(api.get("/api/v1/api-keys/" + ownerKey.id() + "/usage", b), 404);
        Api.problem(api.get("/api/v1/api-keys/" + bKey.id() + "/usage", a), 404);
        Api.problem(api.get("/api/v1/api-keys/" + UUID.randomUUID() + "/usage", a), 404);
    }

    @Test
    @DisplayName(
            "an Employee cannot read the organization's usage (403) but reads their own key's; not a colleague's (404)")
    void employee_readsOwnKeyOnly() {
        Api.problem(api.get("/api/v1/usage", employee), 403);
        JsonObject own = usage("/api/v1/api-keys/" + employeeKey.id() + "/usage", employee);
        assertThat(totals(own)).isEqualTo(outcomes(2, 1, 0, 0));
        assertThat(operations(own)).isEqualTo(Map.of("listPeople", 2L, "listAuditEvents", 1L));
        Api.problem(api.get("/api/v1/api-keys/" + ownerKey.id() + "/usage", employee), 404);
        assertThat(totals(usage("/api/v1/api-keys/" + employeeKey.id() + "/usage", a)))
                .as("the owner (manage ALL) reads the Employee's key")
                .isEqualTo(outcomes(2, 1, 0, 0));
    }

    @Test
    @DisplayName("'from' after (or equal to) 'to' is 400; so is a range over 400 days")
    void badRanges_are400() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String earlier = Instant.now()
                .minus(1, ChronoUnit.HOURS)
                .truncatedTo(ChronoUnit.SECONDS)
                .toString();
        Api.problem(api.get("/api/v1/usage?from=" + now + "&to=" + earlier, a), 400);
        Api.problem(api.get("/api/v1/usage?from=" + now + "&to=" + now, a), 400);
        Api.problem(api.get("/api/v1/api-keys/" + ownerKey.id() + "/usage?from=" + now + "&to=" + earlier, a), 400);
        Api.problem(api.get("/api/v1/usage?from=2020-01-01T00:00:00Z&to=2022-01-01T00:00:00Z", a), 400);
        Api.problem(api.get("/api/v1/usage?from=yesterday", a), 400);
        Api.problem(api.get("/api/v1/usage?granularity=minute", a), 400);
    }

    @Test
    @DisplayName("a known key that is refused (disabled) counts as invalid in its usage")
    void disabledKey_countsAsInvalid() {
        Api.Session owner = api.signUp("Invalid Usage Org", Api.uniqueEmail("usage-invalid"));
        Key key = KeyTraffic.createKey(api, owner, "Soon disabled", "PEOPLE", null, RATE);
        send(key, 1, 200);
        HttpResponse<Buffer> disabled = api.post("/api/v1/api-keys/" + key.id() + "/disable", owner, null);
        assertThat(disabled.statusCode()).as(disabled.bodyAsString()).isEqualTo(200);
        send(key, 2, 401);
        KeyTraffic.poll(() -> storedForOrganization(owner.organizationId()), n -> n >= 3, Duration.ofSeconds(5));
        assertThat(totals(usage("/api/v1/api-keys/" + key.id() + "/usage", owner)))
                .as("1 allowed request, then 2 with the disabled key (401)")
                .isEqualTo(outcomes(1, 0, 0, 2));
    }

    @Test
    @DisplayName("api-key.used-from-new-address: one audit event per new address, never again for a known one")
    void newAddress_auditedOncePerAddress() {
        Api.Session owner = api.signUp("Address Org", Api.uniqueEmail("usage-address"));
        Key key = KeyTraffic.createKey(api, owner, "Travelling key", "PEOPLE", null, RATE);
        Map<String, String> first = Map.of("X-Forwarded-For", "203.0.113.7");
        Map<String, String> second = Map.of("X-Forwarded-For", "198.51.100.9");
        for (int i = 0; i < 3; i++) {
            assertThat(traffic.get(PEOPLE, key.secret(), first).await().statusCode())
                    .isEqualTo(200);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(traffic.get(PEOPLE, key.secret(), second).await().statusCode())
                    .isEqualTo(200);
        }
        String events =
                "SELECT count(*) FROM audit_events WHERE organization_id = ? AND action = 'api-key.used-from-new-address'"
                        + " AND target_id = CAST(? AS text)";
        long n = KeyTraffic.poll(
                () -> probe.count(events, owner.organizationId(), key.id()), x -> x >= 2, Duration.ofSeconds(10));
        assertThat(n).as("events after two addresses").isEqualTo(2);

        // the same addresses again, after a flush: nothing new; then the direct peer (no X-Forwarded-For): one more
        for (int i = 0; i < 2; i++) {
            assertThat(traffic.get(PEOPLE, key.secret(), first).await().statusCode())
                    .isEqualTo(200);
            assertThat(traffic.get(PEOPLE, key.secret(), second).await().statusCode())
                    .isEqualTo(200);
        }
        assertThat(traffic.get(PEOPLE, key.secret(), Map.of()).await().statusCode())
                .isEqualTo(200);
        KeyTraffic.poll(() -> storedForOrganization(owner.organizationId()), x -> x >= 10, Duration.ofSeconds(10));
        KeyTraffic.poll(
                () -> probe.count(events, owner.organizationId(), key.id()), x -> x >= 3, Duration.ofSeconds(5));
        UsageFlushes.of(vertx, server).awaitMore(2); // two more flushes: nothing more may appear
        assertThat(probe.count(events, owner.organizationId(), key.id()))
                .as("events after three addresses")
                .isEqualTo(3);
        for (String address : List.of("203.0.113.7", "198.51.100.9", "127.0.0.1")) {
            assertThat(probe.count(events + " AND source_address = ?", owner.organizationId(), key.id(), address))
                    .as("events for %s", address)
                    .isEqualTo(1);
        }
        assertThat(probe.count("SELECT count(*) FROM key_addresses WHERE key_id = ?", key.id()))
                .isEqualTo(3);
        HttpResponse<Buffer> audit =
                api.get("/api/v1/audit-events?limit=100&action=api-key.used-from-new-address", owner);
        assertThat(audit.statusCode()).as(audit.bodyAsString()).isEqualTo(200);
        long listed = audit.bodyAsJsonObject().getJsonArray("items").stream()
                .filter(o -> "api-key.used-from-new-address".equals(((JsonObject) o).getString("action")))
                .count();
        assertThat(listed)
                .as("events in the audit API: %s", audit.bodyAsString())
                .isEqualTo(3);
        assertThat(audit.bodyAsString()).as("no secret in the audit API").doesNotContain(key.secret());
    }
}
