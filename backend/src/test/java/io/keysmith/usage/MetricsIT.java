package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.keys.KeyFormat;
import io.keysmith.support.Api;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus series of key usage on the management port: requests by organization, key, operation, outcome and
 * status; verifications with a latency histogram; key-cache lookups; the usage flush; nothing secret; and capped
 * label cardinality.
 */
@DisplayName("Metrics: key usage series with correct values, nothing secret, capped cardinality")
class MetricsIT {
    private static final String PEOPLE = "/api/v1/people";
    private static final String VERIFY = "/api/v1/api-keys/verify";
    private static final int RATE = 1_000_000;

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static PrometheusScrape scrape(TestServer server) {
        HttpResponse<Buffer> r = new Api(vertx, server.managementPort()).get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusScrape.parse(r.bodyAsString());
    }

    private static void send(KeyTraffic traffic, String secret, int n, int status) {
        assertThat(traffic.burst(n, 1, () -> traffic.get(PEOPLE, secret, Map.of())))
                .isEqualTo(Map.of(status, n));
    }

    private static void verify(KeyTraffic traffic, Key gateway, JsonObject body, String code) {
        HttpResponse<Buffer> r = traffic.post(VERIFY, gateway.secret(), body).await();
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo(code);
    }

    @Test
    @DisplayName(
            "after traffic: requests, verifications, their histogram, cache lookups and flush series; no secret, hint or e-mail")
    void seriesAfterTraffic() throws Exception {
        TestServer server = TestServer.start(
                PostgresFixture.get().newDatabase("metrics_values"), new JsonObject().put("usage.flush.seconds", 1));
        try (KeyTraffic traffic = new KeyTraffic(vertx, server.port())) {
            Api api = new Api(vertx, server.port());
            String email = Api.uniqueEmail("metrics-owner");
            Api.Session owner = api.signUp("Metrics Org", email);
            String org = owner.organizationId();
            Key people = KeyTraffic.createKey(api, owner, "people", "PEOPLE", null, RATE);
            Key scoped = KeyTraffic.createKey(api, owner, "no rights", "PEOPLE", new JsonArray(), RATE);
            Key gateway = KeyTraffic.createKey(api, owner, "gateway", "VERIFICATION", null, RATE);
            String unknown = KeyFormat.generate(); // well formed, never issued

            send(traffic, people.secret(), 5, 200);
            send(traffic, scoped.secret(), 2, 403);
            send(traffic, unknown, 1, 401);
            for (int i = 0; i < 3; i++) {
                verify(traffic, gateway, new JsonObject().put("key", people.secret()), "VALID");
            }
            verify(traffic, gateway, new JsonObject().put("key", KeyFormat.generate()), "NOT_FOUND");
            verify(
                    traffic,
                    gateway,
                    new JsonObject().put("key", scoped.secret()).put("permissions", new JsonArray().add("people:read")),
                    "INSUFFICIENT_PERMISSIONS");
            UsageFlushes.of(vertx, server).awaitMore(2); // two flushes: the last one after all of the traffic

            PrometheusScrape s = scrape(server);
            assertThat(s.sum(
                            "keysmith_requests_total",
                            "organization",
                            org,
                            "key_id",
                            people.id(),
                            "operation",
                            "listPeople",
                            "outcome",
                            "allowed",
                            "status",
                            "200"))
                    .isEqualTo(5);
            assertThat(s.sum(
                            "keysmith_requests_total",
                            "organization",
                            org,
                            "key_id",
                            scoped.id(),
                            "operation",
                            "listPeople",
                            "outcome",
                            "denied",
                            "status",
                            "403"))
                    .isEqualTo(2);
            assertThat(s.sum(
                            "keysmith_requests_total",
                            "organization",
                            "none",
                            "key_id",
                            "none",
                            "operation",
                            "listPeople",
                            "outcome",
                            "invalid",
                            "status",
                            "401"))
                    .as("an unknown key: no organization, no key")
                    .isEqualTo(1);
            assertThat(s.sum(
                            "keysmith_requests_total",
                            "organization",
                            org,
                            "key_id",
                            gateway.id(),
                            "operation",
                            "verifyApiKey",
                            "outcome",
                            "allowed",
                            "status",
                            "200"))
                    .isEqualTo(5);
            assertThat(s.sum("keysmith_requests_total"))
                    .as("every key-authenticated request, once")
                    .isEqualTo(13);

            assertThat(s.sum("keysmith_key_verifications_total", "organization", org, "outcome", "valid"))
                    .isEqualTo(3);
            assertThat(s.sum("keysmith_key_verifications_total", "organization", org, "outcome", "not_found"))
                    .isEqualTo(1);
            assertThat(s.sum(
                            "keysmith_key_verifications_total",
                            "organization",
                            org,
                            "outcome",
                            "insufficient_permissions"))
                    .isEqualTo(1);
            assertThat(s.sum("keysmith_key_verifications_total")).isEqualTo(5);

            List<PrometheusScrape.Sample> buckets = s.named("keysmith_key_verification_duration_seconds_bucket");
            assertThat(buckets).as("histogram buckets").hasSizeGreaterThan(5);
            assertThat(s.sum("keysmith_key_verification_duration_seconds_bucket", "le", "+Inf"))
                    .isEqualTo(5);
            assertThat(s.sum("keysmith_key_verification_duration_seconds_count"))
                    .isEqualTo(5);
            assertThat(s.sum("keysmith_key_verification_duration_seconds_sum")).isPositive();

            // one lookup per authenticated request (13) and one per verified key (5)
            double hits = s.sum("keysmith_key_cache_lookups_total", "result", "hit");
            double misses = s.sum("keysmith_key_cache_lookups_total", "result", "miss");
            assertThat(hits + misses).as("cache lookups").isEqualTo(18);
            assertThat(misses).as("first sight of 3 keys and 2 unknown ones").isGreaterThanOrEqualTo(5);
            assertThat(hits).isPositive();

            assertThat(s.sum("keysmith_usage_flush_seconds_count"))
                    .as("flushes")
                    .isPositive();
            assertThat(s.named("keysmith_usage_flush_seconds_sum")).isNotEmpty();
            assertThat(s.sum("keysmith_usage_flush_batch_size_count")).isPositive();
            assertThat(s.sum("keysmith_usage_flush_batch_size_sum"))
                    .as("rows written")
                    .isPositive();
            assertThat(s.named("keysmith_usage_flush_lag_seconds")).hasSize(1);
            assertThat(s.sum("keysmith_usage_flush_lag_seconds")).isLessThan(5);
            assertThat(s.named("keysmith_usage_flush_failures_total")).hasSize(1);
            assertThat(s.sum("keysmith_usage_flush_failures_total")).isZero();
            assertThat(s.sum("keysmith_usage_dropped_total")).isZero();
            assertThat(s.named("keysmith_usage_pending_buckets")).hasSize(1);

            for (String secret : List.of(people.secret(), scoped.secret(), gateway.secret(), unknown)) {
                assertThat(s.text).as("a key in the scrape").doesNotContain(secret);
            }
            for (String hint : List.of(people.hint(), scoped.hint(), gateway.hint())) {
                assertThat(s.text).as("a key hint in the scrape").doesNotContain(hint);
            }
            assertThat(s.text)
                    .doesNotContain(KeyFormat.PREFIX)
                    .doesNotContain(email)
                    .doesNotContain("@example.com");
        } finally {
            server.close();
        }
    }

    /**
     * 5,000 keys in 500 organizations against the default caps (1,000 keys, 200 organizations): series fold into
     * "other", a counter says how many, and folding loses no request.
     */
    @Test
    @DisplayName(
            "cardinality caps: 5,000 keys in 500 organizations fold into at most 1,000 key ids and 200 organizations plus \"other\"")
    void labelCardinality_isCapped() throws Exception {
        int organizations = 500;
        int keysPerOrganization = 10;
        int maxKeys = 1000;
        int maxOrganizations = 200;
        TestServer server = TestServer.start(
                PostgresFixture.get().newDatabase("metrics_caps"),
                new JsonObject().put("signin.throttle.address", 100000));
        try (KeyTraffic traffic = new KeyTraffic(vertx, server.port())) {
            Api api = new Api(vertx, server.port());
            List<Key> keys = java.util.Collections.synchronizedList(new ArrayList<>());
            Set<String> orgIds = java.util.Collections.synchronizedSet(new TreeSet<>());
            long setupStart = System.nanoTime();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                    3); // one hashing and two waiting per address (HashingGate)
            List<java.util.concurrent.Future<?>> created = new ArrayList<>();
            for (int o = 0; o < organizations; o++) {
                int n = o;
                created.add(pool.submit(() -> {
                    Api.Session owner = api.signUp("Cap Org " + n, Api.uniqueEmail("cap-" + n));
                    orgIds.add(owner.organizationId());
                    for (int k = 0; k < keysPerOrganization; k++) {
                        keys.add(KeyTraffic.createKey(api, owner, "cap key " + k, "PEOPLE", null, RATE));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : created) {
                f.get();
            }
            pool.shutdown();
            System.out.printf(
                    "[figures] metrics caps: %d organizations and %d keys created in %.1f s%n",
                    orgIds.size(), keys.size(), (System.nanoTime() - setupStart) / 1e9);
            AtomicInteger next = new AtomicInteger();
            Map<Integer, Integer> statuses = traffic.burst(
                    keys.size(),
                    16,
                    () -> traffic.get(PEOPLE, keys.get(next.getAndIncrement()).secret(), Map.of()));
            assertThat(statuses).isEqualTo(Map.of(200, keys.size()));

            PrometheusScrape s = scrape(server);
            Set<String> keyIds = new TreeSet<>(s.labelValues("keysmith_requests_total", "key_id"));
            assertThat(keyIds).as("the folded key ids").contains("other");
            keyIds.removeAll(Set.of("other", "none"));
            assertThat(keyIds)
                    .as("distinct key ids in series")
                    .hasSizeLessThanOrEqualTo(maxKeys)
                    .hasSizeGreaterThan(maxKeys / 2);
            Set<String> orgLabels = new TreeSet<>(s.labelValuesEverywhere("organization"));
            assertThat(orgLabels).as("the folded organizations").contains("other");
            orgLabels.removeAll(Set.of("other", "none"));
            assertThat(orgLabels)
                    .as("distinct organizations in series")
                    .hasSizeLessThanOrEqualTo(maxOrganizations)
                    .isSubsetOf(orgIds);
            assertThat(s.sum("keysmith_metrics_label_folded_total", "label", "key_id"))
                    .isPositive();
            assertThat(s.sum("keysmith_metrics_label_folded_total", "label", "organization"))
                    .isPositive();
            assertThat(s.sum("keysmith_requests_total", "operation", "listPeople", "outcome", "allowed"))
                    .as("folding loses no request")
                    .isEqualTo(keys.size());
            // each admitted key in its organization's series, plus "other" keys under each admitted organization and
            // "other"
            assertThat(s.named("keysmith_requests_total"))
                    .as("series of keysmith_requests_total")
                    .hasSizeLessThanOrEqualTo(maxKeys + maxOrganizations + 1);
        } finally {
            server.close();
        }
    }
}
