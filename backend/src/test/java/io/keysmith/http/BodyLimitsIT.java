package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.TestServer;
import io.keysmith.support.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 item 3: an ~800 KB JSON object of 90,000 properties, sent without credentials, cost ~0.8 s of event-loop
 * time each. Unauthenticated operations take a few KB (declared or defaulted per operation in the contract), refused
 * from Content-Length before the body is read; what is parsed is bounded in properties, items and depth.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Request bodies are bounded per operation and never block the event loop")
@TimingSensitive
class BodyLimitsIT {
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("body-limits");
        api = new Api(vertx, server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The attack's body: one object with this many properties (~9 bytes each). */
    static String manyProperties(int n) {
        StringBuilder b = new StringBuilder(n * 10).append('{');
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
        }
        return b.append('}').toString();
    }

    @Test
    void anOversizedUnauthenticatedBody_is413ProblemJson_onEveryPublicOperation() {
        String attack = manyProperties(90_000);
        assertThat(attack.length()).isGreaterThan(700_000);
        for (String path : List.of(
                "/api/v1/key-format/check", "/api/v1/signup", "/api/v1/session", "/api/v1/invitations/accept")) {
            JsonObject p = Api.problem(api.call(HttpMethod.POST, path, null, attack), 413);
            assertThat(p.getString("type")).as(path).endsWith("/payload-too-large");
        }
    }

    @Test
    void aBodyJustOverThePublicLimit_is413_andOneUnderIsRead() {
        String pad = "x".repeat(200);
        // a valid-looking body of 5 KB: over the 4 KiB unauthenticated default
        JsonObject big = new JsonObject().put("key", "ksk_" + pad);
        for (int i = 0; i < 25; i++) {
            big.put("extra" + i, pad);
        }
        assertThat(big.encode().length()).isGreaterThan(4096);
        Api.problem(api.call(HttpMethod.POST, "/api/v1/key-format/check", null, big), 413);
        assertThat(api.call(HttpMethod.POST, "/api/v1/key-format/check", null, new JsonObject().put("key", "ksk_x"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aSignedInCallersBody_isBoundedInPropertiesAndDepth() {
        Session admin = api.signUp("Body Limits Org", Api.uniqueEmail("limits"));
        // 3,000 properties in ~40 KB: under the authenticated limit of the operation, over the per-object cap
        JsonObject p =
                Api.problem(api.call(HttpMethod.POST, "/api/v1/access-levels", admin, manyProperties(3_000)), 400);
        assertThat(p.getString("detail")).contains("too many");
        StringBuilder deep = new StringBuilder();
        deep.append("[".repeat(200)).append("]".repeat(200));
        JsonObject d = Api.problem(api.call(HttpMethod.POST, "/api/v1/access-levels", admin, deep.toString()), 400);
        assertThat(d.getString("detail")).contains("nested");
    }

    /** /health/live latencies in microseconds, one probe every 10 ms for {@code seconds}. */
    private static List<Long> probe(HttpClient probe, URI live, int seconds) throws Exception {
        List<Long> micros = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            HttpResponse<Void> r = probe.send(
                    HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.discarding());
            micros.add((System.nanoTime() - t0) / 1000);
            assertThat(r.statusCode()).isEqualTo(200);
            Thread.sleep(10);
        }
        Collections.sort(micros);
        return micros;
    }

    private static long p99(List<Long> sorted) {
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    /**
     * The attack: 8 clients send the 800 KB body in a loop. /health/live's p99 stays under 50 ms; on a
     * machine too loaded for that even without the attack (the 2 shared cores here often are), under 3x the p99
     * measured just before without it: a blocked event loop (0.8 s per body before the fix) fails either way.
     */
    @Test
    void eightAttackersInParallel_leaveHealthLiveP99Under50ms() throws Exception {
        byte[] attack = manyProperties(90_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = ("POST /api/v1/key-format/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + attack.length + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        HttpClient probe =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI live = URI.create("http://127.0.0.1:" + server.port() + "/health/live");
        probe(probe, live, 1); // warm-up
        List<Long> baseline = probe(probe, live, 2);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            pool.submit(() -> {
                // raw sockets writing one preallocated body: the attacker costs this JVM (which also runs the
                // server) as little as possible, so what is measured is the server
                byte[] status = new byte[12];
                while (running.get()) {
                    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                        socket.setSoTimeout(20_000);
                        java.io.OutputStream out = socket.getOutputStream();
                        out.write(head);
                        try {
                            out.write(attack);
                            out.flush();
                        } catch (java.io.IOException closed) {
                            // the server answered and closed without reading the body: what it should do
                        }
                        int n = socket.getInputStream().readNBytes(status, 0, status.length);
                        if (n == status.length
                                && new String(status, java.nio.charset.StandardCharsets.US_ASCII).endsWith("413")) {
                            refused.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // reset by the server after its answer: counted as sent, not as refused
                    }
                    sent.incrementAndGet();
                }
                return null;
            });
        }
        List<Long> attacked;
        try {
            Thread.sleep(300); // the attack is under way
            attacked = probe(probe, live, 4);
        } finally {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
        long bound = Math.max(50_000, 3 * p99(baseline));
        System.out.printf(
                "[figures] BodyLimitsIT: attack requests=%d (refused %d); /health/live without attack: n=%d p50=%.1f ms"
                        + " p99=%.1f ms; under attack: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms; bound %.1f ms%n",
                sent.get(),
                refused.get(),
                baseline.size(),
                baseline.get(baseline.size() / 2) / 1000.0,
                p99(baseline) / 1000.0,
                attacked.size(),
                attacked.get(attacked.size() / 2) / 1000.0,
                p99(attacked) / 1000.0,
                attacked.get(attacked.size() - 1) / 1000.0,
                bound / 1000.0);
        assertThat(sent.get()).as("the attack ran").isGreaterThan(8);
        assertThat(refused.get()).as("attack requests answered 413").isPositive();
        assertThat(p99(attacked))
                .as("/health/live p99 under attack, in microseconds")
                .isLessThan(bound);
    }
}
