package io.keysmith.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.Poll;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the packaged server (a separate process) in the middle of delivering committed events: after a restart
 * every event reaches the receiver (none lost); duplicates are possible by design (at least once) and counted.
 */
@DisplayName("kill -9 during webhook delivery loses no event")
class WebhookCrashIT {
    private static final int EVENTS = 2000;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    static Map<String, String> env(PgConnectOptions db, Path dir) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYSMITH_DATABASE_URL", PostgresFixture.uri(db));
        env.put("KEYSMITH_SECRET", TestServer.TEST_SECRET);
        env.put("KEYSMITH_DATA_DIR", dir.toAbsolutePath().toString());
        env.put("KEYSMITH_INSTANCES", "1");
        env.put("KEYSMITH_WEBHOOKS_ALLOW_HTTP", "true");
        env.put("KEYSMITH_WEBHOOKS_ALLOW_PRIVATE", "true");
        env.put("KEYSMITH_WEBHOOKS_CONNECT_TIMEOUT_MILLIS", "500");
        env.put("KEYSMITH_WEBHOOKS_REQUEST_TIMEOUT_MILLIS", "1000");
        env.put("KEYSMITH_WEBHOOKS_RETRY_BASE_MILLIS", "100");
        env.put("KEYSMITH_WEBHOOKS_RETRY_CAP_MILLIS", "500");
        env.put("KEYSMITH_WEBHOOKS_POLL_MILLIS", "200");
        return env;
    }

    @Test
    void killMinus9_midDelivery_losesNothing_andDuplicatesAreCounted() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("webhook_crash");
        DbProbe probe = new DbProbe(db.getDatabase());
        Path dir = Path.of(
                System.getProperty("keysmith.test.dir", "target/test-data"), "webhook-crash-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Map<String, String> env = env(db, dir);
        try (Receiver receiver = Receiver.start(vertx)) {
            receiver.delayMillis.set(2); // a receiver that takes a little time, so the kill lands mid-stream
            ServerProcess first = ServerProcess.start(env, dir.resolve("first.log"));
            String org;
            try {
                Api api = new Api(vertx, first.port);
                Api.Session admin = api.signUp("Crash Org", Api.uniqueEmail("crash"));
                org = admin.organizationId();
                assertThat(api.post(
                                        "/api/v1/webhook-endpoints",
                                        admin,
                                        new JsonObject()
                                                .put("url", receiver.url())
                                                .put("eventTypes", new JsonArray().add("api-key.created")))
                                .statusCode())
                        .isEqualTo(201);
                // committed changes: their audit events (the outbox trigger queues one delivery each)
                try (Connection c = probe.owner();
                        Statement st = c.createStatement()) {
                    st.execute("INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id)"
                            + " SELECT '" + org + "', 'load', 'api-key.created', 'api-key', 'load-' || g"
                            + " FROM generate_series(1, " + EVENTS + ") g");
                }
                Poll.until(() -> receiver.received.size() >= EVENTS / 4, Duration.ofSeconds(60), "a quarter delivered");
            } finally {
                first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
            }
            int atKill = receiver.received.size();
            assertThat(atKill).as("killed mid-delivery").isLessThan(EVENTS);
            ServerProcess second = ServerProcess.start(env, dir.resolve("second.log"));
            try {
                Poll.until(
                        () -> distinct(receiver) == EVENTS,
                        Duration.ofSeconds(90),
                        "every event after the restart (lost: " + (EVENTS - distinct(receiver)) + ")");
                Poll.until(
                        () -> probe.count("SELECT count(*) FROM webhook_deliveries WHERE status <> 'DELIVERED'") == 0,
                        Duration.ofSeconds(30),
                        "every delivery recorded as delivered");
            } finally {
                second.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            int duplicates = receiver.received.size() - distinct(receiver);
            System.out.printf(
                    "webhook kill -9: events %d, received at kill %d, lost %d, duplicates %d%n",
                    EVENTS, atKill, EVENTS - distinct(receiver), duplicates);
            assertThat(distinct(receiver)).isEqualTo(EVENTS);
            // duplicates are bounded by what was in flight when the process died (concurrency 16 by default)
            assertThat(duplicates).isLessThanOrEqualTo(16 + 16);
        }
    }

    private static int distinct(Receiver r) {
        Set<String> ids = r.received.stream().map(Receiver.Received::id).collect(Collectors.toSet());
        return ids.size();
    }
}
