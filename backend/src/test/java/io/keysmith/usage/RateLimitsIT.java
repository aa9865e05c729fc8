package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeyTraffic.Key;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.PrometheusScrape;
import io.keysmith.support.TestServer;
import io.keysmith.support.UsageFlushes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Per-key rate limits over HTTP: the limit in force (key's own, else the organization's default, else the API type's;
 * never above the organization's ceiling), IETF RateLimit headers on every answer, 429 problem+json with Retry-After,
 * the verification endpoint's RATE_LIMITED and remaining budget, and the switches that turn limiting and metering off.
 */
@DisplayName("Rate limits: the limit in force, headers, 429, verification budget, and the on/off switches")
class RateLimitsIT {
    private static final String PEOPLE = "/api/v1/people";
    private static final String VERIFY = "/api/v1/api-keys/verify";

    private static Vertx vertx;
    private static TestServer server;
    private static Api api;
    private static KeyTraffic traffic;
    private static Api.Session org;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        server = TestServer.start(PostgresFixture.get().newDatabase("rate_limits"), new JsonObject());
        api = new Api(vertx, server.port());
        traffic = new KeyTraffic(vertx, server.port());
        org = api.signUp("Rate Limits Org", Api.uniqueEmail("rate-limits"));
    }

    @AfterAll
    static void stop() throws Exception {
        traffic.close();
        server.close();
        vertx.close().await();
    }

    private static HttpResponse<Buffer> people(Key key) {
        return traffic.get(PEOPLE, key.secret(), Map.of()).await();
    }

    private static String policyQuota(HttpResponse<Buffer> r) {
        return r.getHeader("RateLimit-Policy");
    }

    private static JsonObject policies(JsonObject changes) {
        JsonObject body = new JsonObject().put("expiryRequired", false).put("allowedIpRanges", new JsonArray());
        body.mergeIn(changes);
        HttpResponse<Buffer> r = api.put("/api/v1/organization/policies", org, body);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    @Test
    void overTheLimit_429WithRetryAfter_andHeadersOnEveryAnswer() {
        Key key = KeyTraffic.createKey(api, org, "Five a minute", "PEOPLE", null, 5);
        for (int i = 0; i < 5; i++) {
            HttpResponse<Buffer> r = people(key);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(policyQuota(r)).isEqualTo("\"key\";q=5;w=60");
            assertThat(r.getHeader("RateLimit")).startsWith("\"key\";r=" + (4 - i) + ";t=");
        }
        HttpResponse<Buffer> refused = people(key);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.getHeader("content-type")).startsWith("application/problem+json");
        assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("rate-limited");
        assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 60);
        assertThat(refused.getHeader("RateLimit")).startsWith("\"key\";r=0;");
    }

    @Test
    void theLimitInForce_key_thenOrganizationDefault_thenApiType_neverAboveTheCeiling() {
        try {
            Key typeDefault = KeyTraffic.createKey(api, org, "Type default", "PEOPLE", null, null);
            Key own = KeyTraffic.createKey(api, org, "Own limit", "PEOPLE", null, 50);
            assertThat(policyQuota(people(typeDefault)))
                    .as("People API default")
                    .isEqualTo("\"key\";q=600;w=60");

            policies(new JsonObject().put("rateLimitDefaultPerMinute", 30));
            assertThat(policyQuota(people(typeDefault)))
                    .as("organization default")
                    .isEqualTo("\"key\";q=30;w=60");
            assertThat(policyQuota(people(own))).as("the key's own limit wins").isEqualTo("\"key\";q=50;w=60");

            policies(new JsonObject().put("rateLimitDefaultPerMinute", 30).put("rateLimitCeilingPerMinute", 40));
            assertThat(policyQuota(people(own))).as("capped by the ceiling").isEqualTo("\"key\";q=40;w=60");

            JsonObject before = api.get("/api/v1/organization/policies", org).bodyAsJsonObject();
            HttpResponse<Buffer> bad = api.put(
                    "/api/v1/organization/policies",
                    org,
                    new JsonObject()
                            .put("expiryRequired", false)
                            .put("allowedIpRanges", new JsonArray())
                            .put("rateLimitDefaultPerMinute", 100)
                            .put("rateLimitCeilingPerMinute", 40));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("rateLimitDefaultPerMinute");
            assertThat(api.get("/api/v1/organization/policies", org).bodyAsJsonObject())
                    .as("nothing changed")
                    .isEqualTo(before);
        } finally {
            policies(new JsonObject());
        }
    }

    @Test
    void verification_spendsTheBudget_answersRemaining_thenRateLimited() {
        Key gateway = KeyTraffic.createKey(api, org, "Gateway", "VERIFICATION", null, null);
        Key partner = KeyTraffic.createKey(api, org, "Two a minute", "PEOPLE", null, 2);
        JsonObject body = new JsonObject().put("key", partner.secret()).put("includeRemaining", true);
        for (long remaining : new long[] {1, 0}) {
            JsonObject v = traffic.post(VERIFY, gateway.secret(), body).await().bodyAsJsonObject();
            assertThat(v.getString("code")).isEqualTo("VALID");
            assertThat(v.getLong("remaining")).isEqualTo(remaining);
            assertThat(v.getLong("limit")).isEqualTo(2);
        }
        JsonObject limited =
                traffic.post(VERIFY, gateway.secret(), body).await().bodyAsJsonObject();
        assertThat(limited.getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(limited.getBoolean("valid")).isFalse();
        assertThat(people(partner).statusCode())
                .as("the key's own calls share the budget")
                .isEqualTo(429);
    }

    @Test
    void switchedOff_noLimits_noHeaders_andNoMetering() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("rate_limits_off");
        try (TestServer off = TestServer.start(
                        db,
                        new JsonObject()
                                .put("rate.limits.enabled", false)
                                .put("usage.metering.enabled", false)
                                .put("usage.flush.seconds", 1));
                KeyTraffic offTraffic = new KeyTraffic(vertx, off.port())) {
            Api offApi = new Api(vertx, off.port());
            Api.Session s = offApi.signUp("Unlimited Org", Api.uniqueEmail("unlimited"));
            Key key = KeyTraffic.createKey(offApi, s, "One a minute", "PEOPLE", null, 1);
            for (int i = 0; i < 10; i++) {
                HttpResponse<Buffer> r =
                        offTraffic.get(PEOPLE, key.secret(), Map.of()).await();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.getHeader("RateLimit-Policy")).isNull();
                assertThat(r.getHeader("RateLimit")).isNull();
            }
            // metering off: nothing is held for a later write, no flush ever runs, and nothing is written
            PrometheusScrape metrics = UsageFlushes.of(vertx, off).scrape();
            assertThat(metrics.sum("keysmith_usage_pending_buckets"))
                    .as("metering off: nothing counted")
                    .isZero();
            assertThat(metrics.sum("keysmith_usage_flush_seconds_count"))
                    .as("metering off: no flush")
                    .isZero();
            assertThat(new DbProbe(db.getDatabase()).count("SELECT count(*) FROM key_usage_minutes"))
                    .as("metering off: nothing written")
                    .isZero();
        }
    }

    // ------------------------------------------------------------------------ named limits (issue 20 item 3)

    private static JsonObject limit(String name, int limit, int windowSeconds) {
        return new JsonObject().put("name", name).put("limit", limit).put("windowSeconds", windowSeconds);
    }

    /** A PEOPLE key of {@code session} with {@code rateLimits} (and a per-minute limit when not null). */
    private static Key namedKey(Api.Session session, String name, Integer perMinute, JsonObject... limits) {
        JsonObject body = new JsonObject()
                .put("name", name)
                .put("apiType", "PEOPLE")
                .put("permissionMode", "INHERIT")
                .put("rateLimits", new JsonArray(java.util.List.of((Object[]) limits)));
        if (perMinute != null) {
            body.put("rateLimitPerMinute", perMinute);
        }
        HttpResponse<Buffer> r = api.post("/api/v1/api-keys", session, body);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        JsonObject json = r.bodyAsJsonObject();
        assertThat(json.getJsonObject("key").getJsonArray("rateLimits")).isEqualTo(body.getJsonArray("rateLimits"));
        return new Key(
                json.getJsonObject("key").getString("id"),
                json.getString("secret"),
                json.getJsonObject("key").getString("hint"));
    }

    private static JsonObject verify(Key gateway, Key key) {
        return traffic.post(VERIFY, gateway.secret(), new JsonObject().put("key", key.secret()))
                .await()
                .bodyAsJsonObject();
    }

    @Test
    @DisplayName("named limits: the tighter refuses first with its name (429, Retry-After, the IETF fields for every"
            + " limit, verify's rateLimits and rateLimitedBy); a refused request spends none of them")
    void namedLimits_theTighterRefusesFirst_withItsName() {
        // windows long enough that no token comes back while the test runs, whatever the machine's load
        Key key = namedKey(org, "Burst and sustained", 50, limit("burst", 3, 10), limit("sustained", 4, 3600));
        java.util.regex.Pattern state = java.util.regex.Pattern.compile(
                "\"key\";r=\\d+;t=\\d+, \"burst\";r=(\\d+);t=\\d+, \"sustained\";r=(\\d+);t=\\d+");
        for (int i = 0; i < 3; i++) {
            HttpResponse<Buffer> r = people(key);
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            assertThat(policyQuota(r)).isEqualTo("\"key\";q=50;w=60, \"burst\";q=3;w=10, \"sustained\";q=4;w=3600");
            java.util.regex.Matcher m = state.matcher(r.getHeader("RateLimit"));
            assertThat(m.matches()).as(r.getHeader("RateLimit")).isTrue();
            assertThat(m.group(1)).isEqualTo(Integer.toString(2 - i));
            assertThat(m.group(2)).isEqualTo(Integer.toString(3 - i));
        }
        HttpResponse<Buffer> refused = people(key);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.getHeader("content-type")).startsWith("application/problem+json");
        assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("rate-limited");
        assertThat(refused.bodyAsJsonObject().getString("detail")).contains("'burst'");
        assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 10);
        java.util.regex.Matcher m = state.matcher(refused.getHeader("RateLimit"));
        assertThat(m.matches()).as(refused.getHeader("RateLimit")).isTrue();
        assertThat(m.group(1)).isEqualTo("0");
        assertThat(m.group(2))
                .as("the refused request spent nothing of 'sustained'")
                .isEqualTo("1");

        Key gateway = KeyTraffic.createKey(api, org, "Named gateway", "VERIFICATION", null, null);
        JsonObject limited = verify(gateway, key);
        assertThat(limited.getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(limited.getString("rateLimitedBy")).isEqualTo("burst");
        JsonArray limits = limited.getJsonArray("rateLimits");
        assertThat(limits.stream().map(o -> ((JsonObject) o).getString("name")))
                .containsExactly("key", "burst", "sustained");
        assertThat(limits.getJsonObject(2).getLong("remaining")).isEqualTo(1);
        assertThat(limits.getJsonObject(2).getLong("windowSeconds")).isEqualTo(3600);

        // the other way round: the sustained limit is the tighter one here
        Key sustained = namedKey(org, "Sustained first", null, limit("burst", 10, 10), limit("sustained", 2, 3600));
        assertThat(verify(gateway, sustained).getString("code")).isEqualTo("VALID");
        JsonObject valid = verify(gateway, sustained);
        assertThat(valid.getString("code")).isEqualTo("VALID");
        assertThat(valid.containsKey("rateLimitedBy")).isFalse();
        assertThat(valid.getJsonArray("rateLimits").getJsonObject(2).getLong("remaining"))
                .isZero();
        HttpResponse<Buffer> third = people(sustained);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.bodyAsJsonObject().getString("detail")).contains("'sustained'");
        assertThat(Integer.parseInt(third.getHeader("Retry-After"))).isGreaterThan(10);
        assertThat(verify(gateway, sustained).getString("rateLimitedBy")).isEqualTo("sustained");
    }

    @Test
    @DisplayName("the legacy rateLimitPerMinute alone answers as before; beside named limits it is the one named key")
    void namedLimits_theLegacyFieldKeepsWorking() {
        Key gateway = KeyTraffic.createKey(api, org, "Legacy gateway", "VERIFICATION", null, null);
        Key legacy = KeyTraffic.createKey(api, org, "Legacy only", "PEOPLE", null, 7);
        JsonObject read = api.get("/api/v1/api-keys/" + legacy.id(), org).bodyAsJsonObject();
        assertThat(read.getInteger("rateLimitPerMinute")).isEqualTo(7);
        assertThat(read.getJsonArray("rateLimits")).isEmpty();
        assertThat(policyQuota(people(legacy))).isEqualTo("\"key\";q=7;w=60");
        JsonObject v = verify(gateway, legacy);
        assertThat(v.fieldNames()).doesNotContain("rateLimits", "rateLimitedBy");

        HttpResponse<Buffer> both = api.patch(
                "/api/v1/api-keys/" + legacy.id(),
                org,
                new JsonObject()
                        .put("rateLimitPerMinute", 9)
                        .put("rateLimits", new JsonArray().add(limit("hourly", 100, 3600))));
        assertThat(both.statusCode()).as(both.bodyAsString()).isEqualTo(200);
        assertThat(both.bodyAsJsonObject().getInteger("rateLimitPerMinute")).isEqualTo(9);
        assertThat(policyQuota(people(legacy))).isEqualTo("\"key\";q=9;w=60, \"hourly\";q=100;w=3600");
        assertThat(verify(gateway, legacy)
                        .getJsonArray("rateLimits")
                        .getJsonObject(0)
                        .getLong("limit"))
                .isEqualTo(9);
        // cleared: back to the single limit and today's answer
        HttpResponse<Buffer> cleared =
                api.patch("/api/v1/api-keys/" + legacy.id(), org, new JsonObject().put("rateLimits", new JsonArray()));
        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(policyQuota(people(legacy))).isEqualTo("\"key\";q=9;w=60");
    }

    @Test
    @DisplayName("named limits: the organization's ceiling applies to each (refused above it, capped live)")
    void namedLimits_theOrganizationCeilingAppliesToEach() {
        Api.Session ceilinged = api.signUp("Named Ceiling Org", Api.uniqueEmail("named-ceiling"));
        JsonObject p = new JsonObject()
                .put("expiryRequired", false)
                .put("allowedIpRanges", new JsonArray())
                .put("rateLimitCeilingPerMinute", 60);
        assertThat(api.put("/api/v1/organization/policies", ceilinged, p).statusCode())
                .isEqualTo(200);
        HttpResponse<Buffer> above = api.post(
                "/api/v1/api-keys",
                ceilinged,
                new JsonObject()
                        .put("name", "Too fast")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "INHERIT")
                        .put("rateLimits", new JsonArray().add(limit("burst", 5, 1))));
        assertThat(above.statusCode()).as(above.bodyAsString()).isEqualTo(400);
        assertThat(above.bodyAsJsonObject().getString("field")).isEqualTo("rateLimits");
        Key key = namedKey(ceilinged, "Within", null, limit("burst", 1, 1), limit("hourly", 3000, 3600));
        assertThat(policyQuota(people(key)))
                .isEqualTo("\"key\";q=60;w=60, \"burst\";q=1;w=1, \"hourly\";q=3000;w=3600");
        // a lower ceiling later caps every limit as a rate, live
        assertThat(api.put("/api/v1/organization/policies", ceilinged, p.copy().put("rateLimitCeilingPerMinute", 30))
                        .statusCode())
                .isEqualTo(200);
        io.keysmith.support.Poll.until(
                () -> policyQuota(people(key)).startsWith("\"key\";q=30;"),
                java.time.Duration.ofSeconds(5),
                "the lower ceiling in force");
        assertThat(policyQuota(people(key)))
                .isEqualTo("\"key\";q=30;w=60, \"burst\";q=1;w=1, \"hourly\";q=1800;w=3600");
    }

    @Test
    @DisplayName("named limits: another organization's key is 404; a weaker owner cannot lift an admin's limits; bad"
            + " and oversized input is 400 problem+json and changes nothing")
    void namedLimits_isolationRestrictionsAndBadInput() {
        Api.Session employee = api.createSignedInUser(org, Api.uniqueEmail("named-employee"), null);
        JsonObject created = api.post(
                        "/api/v1/api-keys",
                        org,
                        new JsonObject()
                                .put("name", "Employee's, admin-limited")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT")
                                .put("ownerUserId", employee.userId())
                                .put("rateLimits", new JsonArray().add(limit("burst", 10, 60))))
                .bodyAsJsonObject();
        String id = created.getJsonObject("key").getString("id");
        String path = "/api/v1/api-keys/" + id;
        assertThat(created.getJsonObject("key").getJsonArray("adminRestrictions"))
                .contains("RATE_LIMITS");
        JsonObject before = api.get(path, org).bodyAsJsonObject();

        Api.Session other = api.signUp("Named Other Org", Api.uniqueEmail("named-other"));
        assertThat(api.patch(path, other, new JsonObject().put("rateLimits", new JsonArray()))
                        .statusCode())
                .isEqualTo(404);
        for (JsonArray looser : new JsonArray[] {
            new JsonArray(),
            new JsonArray().add(limit("burst", 11, 60)),
            new JsonArray().add(limit("burst", 10, 30)),
            new JsonArray().add(limit("other", 10, 60))
        }) {
            HttpResponse<Buffer> r = api.patch(path, employee, new JsonObject().put("rateLimits", looser));
            assertThat(r.statusCode()).as("%s: %s", looser, r.bodyAsString()).isEqualTo(403);
            assertThat(r.getHeader("content-type")).startsWith("application/problem+json");
        }
        String big = "x".repeat(10_000);
        for (Object bad : new Object[] {
            "fast",
            new JsonArray().add(limit("Burst", 1, 1)),
            new JsonArray().add(limit("a".repeat(33), 1, 1)),
            new JsonArray().add(limit(big, 1, 1)),
            new JsonArray().add(limit("key", 1, 1)),
            new JsonArray().add(limit("a", 0, 1)),
            new JsonArray().add(limit("a", 1_000_001, 1)),
            new JsonArray().add(limit("a", 1, 0)),
            new JsonArray().add(limit("a", 1, 86_401)),
            new JsonArray().add(limit("a", 1, 1)).add(limit("a", 2, 2)),
            new JsonArray().add(limit("a", 1, 1).put("extra", true)),
            new JsonArray().add(new JsonObject().put("name", "a")),
            new JsonArray()
                    .add(limit("a", 1, 60))
                    .add(limit("b", 1, 60))
                    .add(limit("c", 1, 60))
                    .add(limit("d", 1, 60))
                    .add(limit("e", 1, 60))
                    .add(limit("f", 1, 60))
        }) {
            HttpResponse<Buffer> r = api.patch(path, org, new JsonObject().put("rateLimits", bad));
            assertThat(r.statusCode()).as("%s: %s", bad, r.bodyAsString()).isEqualTo(400);
            assertThat(r.getHeader("content-type")).startsWith("application/problem+json");
            HttpResponse<Buffer> c = api.post(
                    "/api/v1/api-keys",
                    org,
                    new JsonObject()
                            .put("name", "Bad limits")
                            .put("apiType", "PEOPLE")
                            .put("permissionMode", "INHERIT")
                            .put("rateLimits", bad));
            assertThat(c.statusCode())
                    .as("create %s: %s", bad, c.bodyAsString())
                    .isEqualTo(400);
        }
        JsonObject unchanged = api.get(path, org).bodyAsJsonObject();
        unchanged.remove("lastUsedAt");
        before.remove("lastUsedAt");
        assertThat(unchanged).as("nothing changed").isEqualTo(before);

        // the owner may tighten and add; it stays the admin's; only the admin lifts it
        HttpResponse<Buffer> tighter = api.patch(
                path,
                employee,
                new JsonObject()
                        .put(
                                "rateLimits",
                                new JsonArray().add(limit("burst", 5, 120)).add(limit("daily", 100, 86_400))));
        assertThat(tighter.statusCode()).as(tighter.bodyAsString()).isEqualTo(200);
        assertThat(tighter.bodyAsJsonObject().getJsonArray("adminRestrictions")).contains("RATE_LIMITS");
        assertThat(api.patch(
                                path,
                                employee,
                                new JsonObject().put("rateLimits", new JsonArray().add(limit("daily", 100, 86_400))))
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<Buffer> lifted = api.patch(path, org, new JsonObject().put("rateLimits", new JsonArray()));
        assertThat(lifted.statusCode()).isEqualTo(200);
        assertThat(lifted.bodyAsJsonObject().getJsonArray("adminRestrictions")).doesNotContain("RATE_LIMITS");
        assertThat(api.patch(
                                path,
                                employee,
                                new JsonObject().put("rateLimits", new JsonArray().add(limit("mine", 5, 5))))
                        .statusCode())
                .isEqualTo(200);
    }
}
