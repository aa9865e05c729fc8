package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.TestServer;
import io.keysmith.support.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Churn: three threads verify key A without pause while two threads change other keys of A's organization in a tight
 * loop (every change commits and is announced, so loads of A race with notifications all the time). A is disabled
 * at a random moment, 100 times: each time the verifier must refuse A within a second of the disable's answer, and
 * keep refusing it; and no verification that began after the disable answered may say VALID (on one replica the
 * disable's commit bumps the organization's generation before it answers).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Under churn in its organization, a disabled key is refused within a second, 100 times out of 100")
@TimingSensitive
class VerificationChurnIT {
    private static final int TRIALS = 100;
    private static TestServer server;
    private static KeysApi api;
    private static Session owner;

    @BeforeAll
    static void start(Vertx vertx) {
        // refusals of A are many, all from 127.0.0.1: the per-address failure throttle is not under test here
        api = KeysApi.onNewServer(vertx, "verification_churn", KeysApi.manyFailures());
        server = api.server();
        owner = api.signUp("Churn Org", uniqueEmail("churn-owner"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** VALID, or the refusal's code. */
    private static String verify(String gateway, String key) {
        HttpResponse<Buffer> r = api.http()
                .call(
                        HttpMethod.POST,
                        "/api/v1/api-keys/verify",
                        null,
                        new JsonObject().put("key", key),
                        Map.of("Authorization", "Bearer " + gateway));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getString("code");
    }

    private static void patch(Session s, String keyId, String name) {
        HttpResponse<Buffer> r = api.http().patch("/api/v1/api-keys/" + keyId, s, new JsonObject().put("name", name));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    }

    private static void action(String keyId, String action) {
        HttpResponse<Buffer> r = api.http().post("/api/v1/api-keys/" + keyId + "/" + action, owner, null);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("100 random disables of A while other keys of its organization change: refused within 1 s each time,"
            + " and never VALID again once the disable answered")
    void aDisabledKeyIsRefusedWithinASecondUnderChurn() throws Exception {
        String gateway = api.createKey(
                        owner, keyBody("gateway", "VERIFICATION", "INHERIT").put("rateLimitPerMinute", 10_000_000))
                .getString("secret");
        JsonObject a = api.createKey(owner, keyBody("A", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 10_000_000));
        String aId = a.getJsonObject("key").getString("id");
        String aSecret = a.getString("secret");
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(api.inheritKey(owner, "other-" + i, "PEOPLE")
                    .getJsonObject("key")
                    .getString("id"));
        }

        AtomicBoolean running = new AtomicBoolean(true);
        // nanoTime after which no verification of A may be VALID (set when a disable answered)
        AtomicLong refusedFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong changes = new AtomicLong();
        AtomicLong verifications = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int n = i;
            threads.add(started(() -> {
                long round = 0;
                while (running.get()) {
                    try {
                        patch(owner, others.get((int) (round % 2) + 2 * n), "other-" + n + "-" + round++);
                        changes.incrementAndGet();
                    } catch (Throwable e) {
                        violation.compareAndSet(null, "a change failed: " + e);
                    }
                }
            }));
        }
        for (int i = 0; i < 3; i++) {
            threads.add(started(() -> {
                while (running.get()) {
                    try {
                        long sent = System.nanoTime();
                        String code = verify(gateway, aSecret);
                        verifications.incrementAndGet();
                        if (code.equals("VALID") && sent > refusedFrom.get()) {
                            violation.compareAndSet(
                                    null,
                                    "VALID for a verification sent "
                                            + TimeUnit.NANOSECONDS.toMillis(sent - refusedFrom.get())
                                            + " ms after the disable answered");
                        }
                    } catch (Throwable e) {
                        violation.compareAndSet(null, "a verification failed: " + e);
                    }
                }
            }));
        }
        long slowest = 0;
        int passed = 0;
        try {
            for (int trial = 0; trial < TRIALS && violation.get() == null; trial++) {
                if (trial > 0) {
                    refusedFrom.set(Long.MAX_VALUE);
                    action(aId, "enable");
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!verify(gateway, aSecret).equals("VALID")) {
                    assertThat(System.nanoTime())
                            .as("A valid again after enable")
                            .isLessThan(until);
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(0, 30)); // a random moment of the churn
                action(aId, "disable");
                long answered = System.nanoTime();
                refusedFrom.set(answered);
                String code;
                while ((code = verify(gateway, aSecret)).equals("VALID")) {
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered))
                            .as("trial %d: A still VALID after the disable answered", trial)
                            .isLessThan(1000);
                }
                long refusedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
                slowest = Math.max(slowest, refusedAfter);
                assertThat(code).isEqualTo("DISABLED");
                // and it stays refused: no racing load may put a stale VALID back
                long hold = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                while (System.nanoTime() < hold) {
                    assertThat(verify(gateway, aSecret))
                            .as("trial %d: A after it was refused", trial)
                            .isEqualTo("DISABLED");
                }
                passed++;
                if (passed % 10 == 0) {
                    System.out.printf("churn: %d trials passed, slowest refusal %d ms%n", passed, slowest);
                }
            }
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        assertThat(violation.get()).as("concurrent verifications and changes").isNull();
        assertThat(passed).isEqualTo(TRIALS);
        assertThat(changes.get()).as("other keys changed meanwhile").isGreaterThan(TRIALS);
        System.out.printf(
                "churn: %d trials passed, slowest refusal %d ms, %d changes, %d concurrent verifications%n",
                passed, slowest, changes.get(), verifications.get());
    }
}
