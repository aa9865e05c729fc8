package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TimingSensitive;
import io.keysmith.support.TwoReplicas;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two server processes share one key's budget through PostgreSQL (exchange every second). The documented bound
 * (ADR 0008): over any period t from an idle key, N replicas admit at most quota + rate x t + (N - 1) x (rate x D +
 * 1), D = 3 s (two exchange intervals plus slack), once the burst has been spent on one replica; deciding alone
 * they would admit about N x (quota + rate x t).
 */
@DisplayName("Two replicas exchanging rate-limit counts stay within the documented over-admission bound")
@TimingSensitive
class RateLimitAcrossReplicasIT {
    private static final int QUOTA = 60; // per minute: rate 1/s, burst 60
    private static final double D_SECONDS = 3;

    private static TwoReplicas replicas;
    private static ServerProcess one;
    private static ServerProcess two;
    private static String key;
    private static String named;

    @BeforeAll
    static void start() throws Exception {
        replicas = TwoReplicas.start("rate_limit_replicas", Map.of("KEYSMITH_RATE_LIMITS_SYNC_MILLIS", "1000"));
        one = replicas.one;
        two = replicas.two;
        Api api = replicas.api(one);
        Session owner = api.signUp("Shared Budget", "shared-budget@example.com");
        key = KeyTraffic.createKey(api, owner, "Shared budget", "PEOPLE", null, QUOTA)
                .secret();
        // ADR 0021: a named limit's window travels with its counts (an hour: nothing comes back during the test)
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
                .put("name", "Shared named budget")
                .put("apiType", "PEOPLE")
                .put("permissionMode", "INHERIT")
                .put(
                        "rateLimits",
                        new io.vertx.core.json.JsonArray()
                                .add(new io.vertx.core.json.JsonObject()
                                        .put("name", "hourly")
                                        .put("limit", 20)
                                        .put("windowSeconds", 3600)));
        named = api.post("/api/v1/api-keys", owner, body).bodyAsJsonObject().getString("secret");
    }

    @AfterAll
    static void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
    }

    @Test
    @Timeout(120)
    void replicasShareOneBudget() throws Exception {
        long start = System.nanoTime();
        // 1. the whole burst is spent on replica one
        int burst = 0;
        while (call(one) == 200) {
            burst++;
            assertThat(burst).as("replica one admits no more than the quota").isLessThanOrEqualTo(QUOTA + 1);
        }
        assertThat(burst).isBetween(QUOTA - 1, QUOTA + 1);

        // 2. after an exchange, replica two knows: deciding alone it would admit its own full burst
        Thread.sleep((long) (D_SECONDS * 1000));
        int admittedOnTwo = 0;
        for (int i = 0; i < 10; i++) {
            if (call(two) == 200) {
                admittedOnTwo++;
            }
        }
        // the bucket refilled about one request per second meanwhile (3 s sleep + the calls)
        assertThat(admittedOnTwo).as("replica two spent replica one's burst").isLessThanOrEqualTo(5);

        // 3. steady load on both replicas (two clients each) for 20 s
        AtomicInteger admitted = new AtomicInteger(burst + admittedOnTwo);
        AtomicInteger refused = new AtomicInteger();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Thread> clients = new ArrayList<>();
        for (ServerProcess s : new ServerProcess[] {one, two, one, two}) {
            Thread client = new Thread(() -> {
                try {
                    while (System.nanoTime() < until) {
                        int status = call(s);
                        if (status == 200) {
                            admitted.incrementAndGet();
                        } else if (status == 429) {
                            refused.incrementAndGet();
                        } else {
                            throw new AssertionError("unexpected status " + status);
                        }
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            client.start();
            clients.add(client);
        }
        for (Thread t : clients) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = QUOTA / 60.0;
        double bound = QUOTA + rate * seconds + (2 - 1) * (rate * D_SECONDS + 1);
        double alone = 2 * (QUOTA + rate * seconds);
        System.out.printf(
                "[figures] rate limit across 2 replicas: admitted %d in %.1f s (bound %.1f, deciding alone about %.0f), refused %d%n",
                admitted.get(), seconds, bound, alone, refused.get());
        assertThat(refused.get()).as("the load was over the limit").isGreaterThan(200);
        assertThat((double) admitted.get()).as("within the documented bound").isLessThanOrEqualTo(bound);
        assertThat((double) admitted.get())
                .as("and not refusing what the budget allows")
                .isGreaterThanOrEqualTo(QUOTA + rate * seconds * 0.6);
    }

    @Test
    @Timeout(60)
    @DisplayName("a named limit (20 an hour) spent on one replica is refused on the other after an exchange")
    void aNamedLimitIsSharedWithItsWindow() throws Exception {
        int admitted = 0;
        while (call(one, named) == 200) {
            admitted++;
            assertThat(admitted).isLessThanOrEqualTo(21);
        }
        assertThat(admitted).isEqualTo(20);
        Thread.sleep((long) (D_SECONDS * 1000));
        int onTwo = 0;
        for (int i = 0; i < 5; i++) {
            if (call(two, named) == 200) {
                onTwo++;
            }
        }
        assertThat(onTwo)
                .as("replica two spent replica one's hour at the hour's rate")
                .isZero();
    }

    private static int call(ServerProcess s) {
        return call(s, key);
    }

    private static int call(ServerProcess s, String secret) {
        return replicas.api(s)
                .call(HttpMethod.GET, "/api/v1/people?limit=1", null, null, Map.of("Authorization", "Bearer " + secret))
                .statusCode();
    }
}
