package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TwoReplicas;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * ADR 0015's bounds with two server processes on one database: under concurrent load on both, the requests allowed
 * never exceed the quota (leases are granted atomically) and fall short of it by at most what the replicas hold (1.5
 * blocks each: a block and the next one leased when half is left); a graceful stop gives back what its lease did not spend; kill -9 loses at most one block.
 */
@DisplayName("Usage quotas across two replicas: never overspent, a graceful stop gives back, a crash loses a block")
class QuotaAcrossReplicasIT {
    private static final String PEOPLE = "/api/v1/people";
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static KeyTraffic.Key quotaKey(Api api, Api.Session owner, long limit, String period) {
        var r = api.post(
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "quota " + limit)
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "INHERIT")
                        .put("rateLimitPerMinute", 10_000_000)
                        .put("quota", new JsonObject().put("limit", limit).put("period", period)));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        JsonObject json = r.bodyAsJsonObject();
        return new KeyTraffic.Key(
                json.getJsonObject("key").getString("id"),
                json.getString("secret"),
                json.getJsonObject("key").getString("hint"));
    }

    private static long remaining(DbProbe db, String keyId) {
        return db.count("SELECT remaining FROM key_quotas WHERE key_id = ?::uuid", keyId);
    }

    @Test
    @DisplayName(
            "3,000 requests over two replicas on a quota of 2,000: at most 2,000 allowed, at least 2,000 - 3 blocks")
    void concurrentLoad_neverOverspends() throws Exception {
        try (TwoReplicas replicas = TwoReplicas.start("quota_replicas", Map.of("KEYSMITH_INSTANCES", "2"))) {
            ServerProcess a = replicas.one;
            ServerProcess b = replicas.two;
            Api api = replicas.api(a);
            Api.Session owner = api.signUp("Quota Replicas", Api.uniqueEmail("quota-replicas"));
            long limit = 2000;
            long block = Math.max(1, Math.min(Quotas.MAX_BLOCK, limit / 100));
            KeyTraffic.Key key = quotaKey(api, owner, limit, "TOTAL");
            try (KeyTraffic onA = new KeyTraffic(vertx, a.port);
                    KeyTraffic onB = new KeyTraffic(vertx, b.port)) {
                CompletableFuture<Map<Integer, Integer>> fromA = CompletableFuture.supplyAsync(
                        () -> onA.burst(1500, 16, () -> onA.get(PEOPLE, key.secret(), Map.of())));
                CompletableFuture<Map<Integer, Integer>> fromB = CompletableFuture.supplyAsync(
                        () -> onB.burst(1500, 16, () -> onB.get(PEOPLE, key.secret(), Map.of())));
                Map<Integer, Integer> sa = fromA.get(120, TimeUnit.SECONDS);
                Map<Integer, Integer> sb = fromB.get(120, TimeUnit.SECONDS);
                long allowed = sa.getOrDefault(200, 0) + sb.getOrDefault(200, 0);
                long refused = sa.getOrDefault(429, 0) + sb.getOrDefault(429, 0);
                assertThat(allowed + refused).as("A %s, B %s", sa, sb).isEqualTo(3000);
                assertThat(allowed)
                        .as("never more than the quota (A %s, B %s)", sa, sb)
                        .isLessThanOrEqualTo(limit);
                assertThat(allowed)
                        .as("short of it by at most what the other replica holds: 1.5 blocks each (A %s, B %s)", sa, sb)
                        .isGreaterThanOrEqualTo(limit - 3 * block);
                System.out.printf(
                        "quota across replicas: limit %d, block %d, allowed %d (A %s, B %s)%n",
                        limit, block, allowed, sa, sb);
            }
        }
    }

    @Test
    @DisplayName("a graceful stop gives back its unspent lease; kill -9 loses at most one block")
    void stopGivesBack_crashLosesABlock() throws Exception {
        try (TwoReplicas replicas = TwoReplicas.start("quota_stop", Map.of())) {
            DbProbe probe = new DbProbe(replicas.database.getDatabase());
            ServerProcess first = replicas.one;
            ServerProcess second = replicas.two;
            Api api = replicas.api(first);
            Api.Session owner = api.signUp("Quota Stop", Api.uniqueEmail("quota-stop"));
            long limit = 1000;
            long block = limit / 100;
            KeyTraffic.Key key = quotaKey(api, owner, limit, "DAY");
            try (KeyTraffic traffic = new KeyTraffic(vertx, first.port)) {
                Map<Integer, Integer> s = traffic.burst(5, 1, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
                assertThat(s).isEqualTo(Map.of(200, 5));
            }
            assertThat(remaining(probe, key.id())).as("one block leased").isEqualTo(limit - block);
            first.process.destroy(); // SIGTERM
            assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(remaining(probe, key.id()))
                    .as("the graceful stop gave back the 5 it did not spend")
                    .isEqualTo(limit - 5);

            try (KeyTraffic traffic = new KeyTraffic(vertx, second.port)) {
                Map<Integer, Integer> s = traffic.burst(3, 1, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
                assertThat(s).isEqualTo(Map.of(200, 3));
            }
            second.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long after = remaining(probe, key.id());
            assertThat(after).as("kill -9 loses the unspent part of one block").isEqualTo(limit - 5 - block);
            assertThat((limit - 5 - 3) - after).as("lost by the crash").isLessThanOrEqualTo(block);
        }
    }
}
