package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeyTraffic.Answer;
import io.keysmith.support.KeyTraffic.Background;
import io.keysmith.support.KeyTraffic.Key;
import io.keysmith.support.Poll;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.PrometheusScrape;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TcpProxy;
import io.keysmith.support.TestServer;
import io.keysmith.support.TimingSensitive;
import io.keysmith.support.UsageFlushes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Usage metering is exact: counted in memory, written behind in batches, flushed on a graceful stop, at most one
 * flush interval lost on kill -9, kept through a database outage, and never a write per request.
 */
@DisplayName(
        "Usage metering: exact on graceful stop, bounded loss on kill -9, survives a database outage, batched writes")
@TimingSensitive
class UsageMeteringIT {
    private static final String PEOPLE = "/api/v1/people";
    private static final int RATE = 10_000_000; // far above anything these tests send: no 429 muddles the counts
    private static final int OUTAGE_SECONDS = 12;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static Path dir(String name) throws Exception {
        Path dir = Path.of(System.getProperty("keysmith.test.dir", "target/test-data"), name + "-" + UUID.randomUUID());
        Files.createDirectories(dir);
        return dir;
    }

    private static Map<String, String> env(PgConnectOptions db, Path dir, int flushSeconds) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYSMITH_DATABASE_URL", PostgresFixture.uri(db));
        env.put("KEYSMITH_SECRET", TestServer.TEST_SECRET);
        env.put("KEYSMITH_DATA_DIR", dir.toAbsolutePath().toString());
        env.put("KEYSMITH_USAGE_FLUSH_SECONDS", Integer.toString(flushSeconds));
        env.put("KEYSMITH_SHUTDOWN_GRACE_SECONDS", "5");
        env.put("KEYSMITH_INSTANCES", "2");
        return env;
    }

    private static long stored(DbProbe db, String keyId) {
        return db.count("SELECT coalesce(sum(count), 0) FROM key_usage_minutes WHERE key_id = ?", keyId);
    }

    private static void kill(ServerProcess p) throws InterruptedException {
        if (p != null && p.process.isAlive()) {
            p.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("SIGTERM under load: the stored count equals the number of answered requests exactly")
    void gracefulStop_underLoad_storesEveryAnsweredRequest() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_graceful");
        DbProbe probe = new DbProbe(db.getDatabase());
        Path dir = dir("usage-graceful");
        // flush interval 60 s: nothing is written by the timer during the test; the stop alone must write it all
        ServerProcess server = ServerProcess.start(env(db, dir, 60), dir.resolve("server.log"));
        try (KeyTraffic traffic = new KeyTraffic(vertx, server.port)) {
            Api api = new Api(vertx, server.port);
            Api.Session owner = api.signUp("Graceful Org", Api.uniqueEmail("graceful"));
            Key key = KeyTraffic.createKey(api, owner, "graceful", "PEOPLE", null, RATE);

            Map<Integer, Integer> first = traffic.burst(500, 25, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
            assertThat(first).as("the first 500 requests").isEqualTo(Map.of(200, 500));

            Background load = traffic.background(16, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
            KeyTraffic.poll(load::count, n -> n >= 300, Duration.ofSeconds(20));
            assertThat(stored(probe, key.id()))
                    .as("nothing flushed by itself before the stop (interval 60 s)")
                    .isZero();

            server.process.destroy(); // SIGTERM while the load goes on
            assertThat(server.process.waitFor(60, TimeUnit.SECONDS))
                    .as("the server exits after SIGTERM")
                    .isTrue();
            load.stop();

            Map<Integer, Long> statuses = new HashMap<>();
            load.answered.forEach(a -> statuses.merge(a.status(), 1L, Long::sum));
            long answered = 500 + load.count();
            assertThat(statuses.keySet())
                    .as("statuses answered under load and while stopping")
                    .containsOnly(200);
            assertThat(Files.readString(server.log)).as("a graceful stop").contains("Stopped");
            assertThat(stored(probe, key.id()))
                    .as(
                            "sum(count) of the key after SIGTERM; answered: %d (500 + %d under load, %d unanswered attempts)",
                            answered, load.count(), load.failures.get())
                    .isEqualTo(answered);
        } finally {
            kill(server);
        }
    }

    @Test
    @DisplayName("kill -9: at most about one flush interval is lost, nothing is counted twice after a restart")
    void killMinus9_losesAtMostOneInterval_andNeverDoubleCounts() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_kill");
        DbProbe probe = new DbProbe(db.getDatabase());
        Path dir = dir("usage-kill");
        Map<String, String> env = env(db, dir, 1);
        ServerProcess first = ServerProcess.start(env, dir.resolve("first.log"));
        ServerProcess second = null;
        try {
            Key key;
            long answered;
            long recent;
            try (KeyTraffic traffic = new KeyTraffic(vertx, first.port)) {
                Api api = new Api(vertx, first.port);
                Api.Session owner = api.signUp("Kill Org", Api.uniqueEmail("kill"));
                key = KeyTraffic.createKey(api, owner, "kill", "PEOPLE", null, RATE);
                UsageFlushes flushes = UsageFlushes.of(vertx, first);
                Background load = traffic.background(8, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
                // under load through a few flushes (interval 1 s), so the kill lands between two of them
                Poll.until(() -> load.count() > 300, Duration.ofSeconds(20), "300 answers under load");
                flushes.awaitMore(2);
                long killedAt = System.nanoTime();
                first.process.destroyForcibly();
                assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                load.stop();
                answered = load.count();
                assertThat(load.answered).as("every answer").allMatch(a -> a.status() == 200);
                // one interval (1 s) plus 0.5 s for the write itself and timer jitter
                long window = killedAt - TimeUnit.MILLISECONDS.toNanos(1_500);
                recent =
                        load.answered.stream().filter(a -> a.atNanos() > window).count();
                assertThat(answered).as("traffic before the kill").isGreaterThan(100);
            }
            long afterKill = stored(probe, key.id());
            assertThat(afterKill)
                    .as("stored after kill -9: answered %d, of which %d in the last 1.5 s", answered, recent)
                    .isLessThanOrEqualTo(answered)
                    .isGreaterThanOrEqualTo(answered - recent);

            second = ServerProcess.start(env, dir.resolve("second.log"));
            try (KeyTraffic traffic = new KeyTraffic(vertx, second.port)) {
                Map<Integer, Integer> more = traffic.burst(200, 10, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
                assertThat(more).isEqualTo(Map.of(200, 200));
            }
            long total =
                    KeyTraffic.poll(() -> stored(probe, key.id()), n -> n >= afterKill + 200, Duration.ofSeconds(10));
            UsageFlushes.of(vertx, second).awaitMore(2); // two more flushes: a rewrite must not add anything
            assertThat(stored(probe, key.id()))
                    .as("after the restart: what survived the kill plus the 200 new requests, never more")
                    .isEqualTo(total)
                    .isEqualTo(afterKill + 200);
            assertThat(stored(probe, key.id()))
                    .as("never above what was answered")
                    .isLessThanOrEqualTo(answered + 200);
        } finally {
            kill(first);
            if (second != null) {
                second.process.destroy();
                if (!second.process.waitFor(20, TimeUnit.SECONDS)) {
                    kill(second);
                }
            }
        }
    }

    /** A long outage under load (12 s of flush lag): over ten flush intervals, and two of the key cache's 5 s heartbeats. */
    @Test
    @DisplayName(
            "database outage: no crash, 503 problem+json, and every count of before and during arrives once it is back")
    void databaseOutage_countsArriveWhenTheDatabaseIsBack() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_outage");
        DbProbe probe = new DbProbe(db.getDatabase());
        try (TcpProxy proxy = new TcpProxy(db.getHost(), db.getPort())) {
            TestServer server = TestServer.start(
                    new PgConnectOptions(db).setPort(proxy.port()), new JsonObject().put("usage.flush.seconds", 1));
            try (KeyTraffic traffic = new KeyTraffic(vertx, server.port())) {
                Api api = new Api(vertx, server.port());
                Api management = new Api(vertx, server.managementPort());
                UsageFlushes flushes = UsageFlushes.of(vertx, server);
                Api.Session owner = api.signUp("Outage Org", Api.uniqueEmail("outage"));
                Key key = KeyTraffic.createKey(api, owner, "cached", "PEOPLE", null, RATE);
                Key uncached = KeyTraffic.createKey(api, owner, "never used before the outage", "PEOPLE", null, RATE);
                assertThat(traffic.burst(50, 5, () -> traffic.get(PEOPLE, key.secret(), Map.of())))
                        .isEqualTo(Map.of(200, 50));

                Background load = traffic.background(4, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
                Poll.until(() -> load.count() >= 50, Duration.ofSeconds(10), "50 answers under load");
                long cutAt = System.nanoTime();
                proxy.cut();
                long storedAtCut = stored(probe, key.id());
                // the server has seen the database go: a flush failed
                flushes.awaitScrape(s -> s.sum("keysmith_usage_flush_failures_total") > 0, "a failed flush");
                var unknown = traffic.get(PEOPLE, uncached.secret(), Map.of()).await();
                assertThat(management.get("/health/live").statusCode())
                        .as("alive during the outage")
                        .isEqualTo(200);
                // a long outage: over ten failed flushes (interval 1 s) and two of the key cache's 5 s heartbeats
                flushes.awaitScrape(
                        s -> s.sum("keysmith_usage_flush_lag_seconds") >= OUTAGE_SECONDS
                                && s.sum("keysmith_usage_flush_failures_total") >= 10,
                        "an outage of " + OUTAGE_SECONDS + " s");
                var unknownLate =
                        traffic.get(PEOPLE, uncached.secret(), Map.of()).await();
                double lag = PrometheusScrape.parse(management.get("/metrics").bodyAsString())
                        .sum("keysmith_usage_flush_lag_seconds");
                double failures = PrometheusScrape.parse(
                                management.get("/metrics").bodyAsString())
                        .sum("keysmith_usage_flush_failures_total");
                long restoredAt = System.nanoTime();
                proxy.restore();
                // load goes on until answers 2 s after the restore have come (asserted all 200 below)
                Poll.until(
                        () -> load.answered.stream()
                                .anyMatch(a -> a.atNanos() > restoredAt + TimeUnit.SECONDS.toNanos(2)),
                        Duration.ofSeconds(20),
                        "answers 2 s after the database is back");
                Poll.pause(500);
                load.stop();

                for (var r : List.of(unknown, unknownLate)) {
                    assertThat(r.statusCode())
                            .as("an uncached key during the outage: %s", r.bodyAsString())
                            .isEqualTo(503);
                    assertThat(r.getHeader("content-type")).startsWith("application/problem+json");
                }
                List<Answer> during = load.answered.stream()
                        .filter(a -> a.atNanos() > cutAt && a.atNanos() < restoredAt)
                        .toList();
                assertThat(during).as("answers during the outage").isNotEmpty();
                assertThat(during)
                        .as("during the outage: 200 (cached) or 503 problem+json, nothing else")
                        .allSatisfy(a -> {
                            assertThat(a.status()).isIn(200, 503);
                            if (a.status() == 503) {
                                assertThat(a.response().getHeader("content-type"))
                                        .startsWith("application/problem+json");
                            }
                        });
                assertThat(load.answered.stream().filter(a -> a.atNanos() > restoredAt + TimeUnit.SECONDS.toNanos(2)))
                        .as("answers 2 s after the database is back")
                        .isNotEmpty()
                        .allMatch(a -> a.status() == 200);
                assertThat(failures).as("failed flushes during the outage").isGreaterThan(0);
                assertThat(lag).as("flush lag during the outage").isGreaterThan(5);

                // the key was authenticated (metered) exactly when the answer carries its RateLimit headers
                long metered = 50
                        + load.answered.stream()
                                .filter(a -> a.response().getHeader("RateLimit-Policy") != null)
                                .count();
                long meteredBeforeCut = 50
                        + load.answered.stream()
                                .filter(a -> a.atNanos() < cutAt && a.response().getHeader("RateLimit-Policy") != null)
                                .count();
                long meteredDuring = during.stream()
                        .filter(a -> a.response().getHeader("RateLimit-Policy") != null)
                        .count();
                long arrived =
                        KeyTraffic.poll(() -> stored(probe, key.id()), n -> n >= metered, Duration.ofSeconds(15));
                // a request whose answer the client lost (load.failures: reset or timed out) may have been metered
                // by the server all the same; every answered one must be stored, none twice
                long lost = load.failures.get();
                assertThat(arrived)
                        .as(
                                "stored after the outage; metered %d (before the cut %d, of which %d stored at the cut;"
                                        + " during the outage %d; answers the client lost %d)",
                                metered, meteredBeforeCut, storedAtCut, meteredDuring, lost)
                        .isBetween(metered, metered + lost);
            } finally {
                server.close();
            }
        }
    }

    @Test
    @DisplayName(
            "1,000 requests of one key in one interval: one row per (operation, outcome, minute), one write per flush")
    void thousandRequests_oneRowAndOneWritePerFlush() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_batches");
        DbProbe probe = new DbProbe(db.getDatabase());
        int interval = 3;
        TestServer server = TestServer.start(db, new JsonObject().put("usage.flush.seconds", interval));
        try (KeyTraffic traffic = new KeyTraffic(vertx, server.port())) {
            // every row write to key_usage_minutes, with the transaction that made it
            try (Connection c = probe.owner();
                    Statement st = c.createStatement()) {
                st.execute(
                        "CREATE TABLE test_usage_writes (key_id uuid, txid bigint, minute timestamptz, operation text,"
                                + " outcome text, count bigint, at timestamptz DEFAULT clock_timestamp())");
                st.execute("CREATE FUNCTION test_log_usage_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                        + " SET search_path = public AS $$ BEGIN INSERT INTO test_usage_writes (key_id, txid, minute, operation,"
                        + " outcome, count) VALUES (NEW.key_id, txid_current(), NEW.minute, NEW.operation, NEW.outcome, NEW.count);"
                        + " RETURN NEW; END $$");
                st.execute("CREATE TRIGGER test_usage_writes AFTER INSERT OR UPDATE ON key_usage_minutes FOR EACH ROW"
                        + " EXECUTE FUNCTION test_log_usage_write()");
            }
            Api api = new Api(vertx, server.port());
            Api.Session owner = api.signUp("Batch Org", Api.uniqueEmail("batch"));
            Key key = KeyTraffic.createKey(api, owner, "busy", "PEOPLE", null, RATE);

            long t0 = System.nanoTime();
            Map<Integer, Integer> statuses =
                    traffic.burst(1_000, 32, () -> traffic.get(PEOPLE, key.secret(), Map.of()));
            long burstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(statuses).isEqualTo(Map.of(200, 1_000));
            KeyTraffic.poll(() -> stored(probe, key.id()), n -> n >= 1_000, Duration.ofSeconds(3L * interval));
            UsageFlushes.of(vertx, server).awaitMore(1); // one more flush
            long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + 1;

            List<String> rows = new ArrayList<>();
            try (Connection c = probe.owner();
                    PreparedStatement ps = c.prepareStatement("SELECT operation, outcome, minute, replica_id, count"
                            + " FROM key_usage_minutes WHERE key_id = ? ORDER BY minute")) {
                ps.setObject(1, UUID.fromString(key.id()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4)
                                + "|" + rs.getLong(5));
                    }
                }
            }
            assertThat(rows)
                    .as("rows of the key (the burst took %d ms; a minute boundary may split it in two)", burstMillis)
                    .hasSizeBetween(1, 2)
                    .allMatch(r -> r.startsWith("listPeople|ALLOWED|"));
            assertThat(stored(probe, key.id())).isEqualTo(1_000);

            long writes = probe.count("SELECT count(*) FROM test_usage_writes WHERE key_id = ?", key.id());
            long transactions =
                    probe.count("SELECT count(DISTINCT txid) FROM test_usage_writes WHERE key_id = ?", key.id());
            long repeated = probe.count(
                    "SELECT count(*) FROM (SELECT txid, minute, operation, outcome FROM test_usage_writes"
                            + " WHERE key_id = ? GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) x",
                    key.id());
            // the shortest gap between two consecutive write transactions of the key, in milliseconds
            long shortestGap = probe.count(
                    "SELECT coalesce(min(gap), 999999) FROM (SELECT extract(epoch FROM"
                            + " (at - lag(at) OVER (ORDER BY at))) * 1000 AS gap FROM (SELECT txid, min(at) AS at FROM test_usage_writes"
                            + " WHERE key_id = ? GROUP BY txid) t) g WHERE gap IS NOT NULL",
                    key.id());
            assertThat(repeated).as("a bucket written twice in one transaction").isZero();
            assertThat(transactions)
                    .as("write transactions for the key over %d s with a %d s interval", elapsedSeconds, interval)
                    .isLessThanOrEqualTo(elapsedSeconds / interval + 1);
            assertThat(writes)
                    .as("row writes for 1,000 requests (never one per request)")
                    .isLessThanOrEqualTo(2 * transactions)
                    .isLessThan(20);
            assertThat(shortestGap)
                    .as("ms between two write batches of the key (interval %d s)", interval)
                    .isGreaterThanOrEqualTo(interval * 1_000L / 2);
        } finally {
            server.close();
        }
    }

    /**
     * A graceful stop that lands while a periodic flush is still writing (a slow database: every answer from it
     * delayed 500 ms) must still store every answered request: the stop has to wait for that flush and write
     * again, not skip its own flush because one is "already running" and then close the pool under it.
     */
    @Test
    @DisplayName("graceful stop during a slow in-flight flush still stores every answered request")
    void gracefulStop_duringASlowFlush_storesEveryAnsweredRequest() throws Exception {
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_slow_stop");
        DbProbe probe = new DbProbe(db.getDatabase());
        try (TcpProxy proxy = new TcpProxy(db.getHost(), db.getPort())) {
            TestServer server = TestServer.start(
                    new PgConnectOptions(db).setPort(proxy.port()), new JsonObject().put("usage.flush.seconds", 1));
            boolean closed = false;
            try (KeyTraffic traffic = new KeyTraffic(vertx, server.port())) {
                Api api = new Api(vertx, server.port());
                Api.Session owner = api.signUp("Slow Stop Org", Api.uniqueEmail("slow-stop"));
                Key gateway = KeyTraffic.createKey(api, owner, "gateway", "VERIFICATION", null, RATE);
                Key target = KeyTraffic.createKey(api, owner, "target", "PEOPLE", null, RATE);
                JsonObject verify = new JsonObject().put("key", target.secret());
                // verifications of cached keys need no database: they stay fast while the database is slow
                assertThat(traffic.burst(
                                100, 10, () -> traffic.post("/api/v1/api-keys/verify", gateway.secret(), verify)))
                        .isEqualTo(Map.of(200, 100));
                Background load =
                        traffic.background(4, () -> traffic.post("/api/v1/api-keys/verify", gateway.secret(), verify));
                Poll.until(() -> load.count() >= 100, Duration.ofSeconds(10), "100 answers under load");
                UsageFlushes.of(vertx, server).awaitMore(1);
                proxy.latencyMillis = 500;
                // wait until a flush transaction of the application role is open (the requests use no database)
                long open = KeyTraffic.poll(
                        () -> probe.count(
                                "SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
                                        + " AND usename <> current_user AND xact_start IS NOT NULL",
                                db.getDatabase()),
                        n -> n > 0,
                        Duration.ofSeconds(10));
                assertThat(open).as("a flush in flight").isPositive();
                server.app.stop().get(60, TimeUnit.SECONDS);
                closed = true;
                load.stop();
                assertThat(load.answered).allMatch(a -> a.status() == 200);
                long answered = 100 + load.count();
                assertThat(stored(probe, gateway.id()))
                        .as(
                                "stored verifyApiKey requests of the gateway key after a stop during a slow flush; answered %d",
                                answered)
                        .isEqualTo(answered);
            } finally {
                proxy.latencyMillis = 0;
                if (!closed) {
                    server.close();
                }
            }
        }
    }
}
