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
}
