package io.keysmith.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two server processes (the packaged jar, one verticle instance each) on one fresh database of the shared test
 * PostgreSQL, each with an {@link Api} client on its API and management ports: the fixture of the multi-replica
 * tests. {@code extraEnv} adds or overrides KEYSMITH_* variables of both.
 */
public final class TwoReplicas implements AutoCloseable {
    public final PgConnectOptions database;
    public final ServerProcess one;
    public final ServerProcess two;
    /** When replica two was ready (System.nanoTime()). */
    public final long twoStartedNanos;

    private final Vertx vertx = Vertx.vertx();
    private final Map<ServerProcess, Api> apis = new HashMap<>();
    private final Map<ServerProcess, Api> managements = new HashMap<>();

    private TwoReplicas(PgConnectOptions database, ServerProcess one, ServerProcess two, long twoStartedNanos) {
        this.database = database;
        this.one = one;
        this.two = two;
        this.twoStartedNanos = twoStartedNanos;
        for (ServerProcess s : new ServerProcess[] {one, two}) {
            apis.put(s, new Api(vertx, s.port));
            managements.put(s, new Api(vertx, s.managementPort));
        }
    }

    public static TwoReplicas start(String name, Map<String, String> extraEnv) throws Exception {
        PgConnectOptions database = PostgresFixture.get().newDatabase(name);
        Path dir = Files.createDirectories(Path.of(
                System.getProperty("keysmith.test.dir", "target/test-data"),
                name.replace('_', '-') + "-" + System.nanoTime()));
        Map<String, String> env = new HashMap<>();
        env.put("KEYSMITH_DATABASE_URL", PostgresFixture.uri(database));
        env.put("KEYSMITH_SECRET", TestServer.TEST_SECRET);
        env.put("KEYSMITH_DATA_DIR", dir.toAbsolutePath().toString());
        env.put("KEYSMITH_SHUTDOWN_GRACE_SECONDS", "1");
        env.put("KEYSMITH_INSTANCES", "1");
        env.putAll(extraEnv);
        ServerProcess one = ServerProcess.start(env, dir.resolve("replica-1.log"));
        ServerProcess two;
        try {
            two = ServerProcess.start(env, dir.resolve("replica-2.log"));
        } catch (Exception e) {
            stop(one);
            throw e;
        }
        return new TwoReplicas(database, one, two, System.nanoTime());
    }

    /** The client of the replica's API port. */
    public Api api(ServerProcess replica) {
        return apis.get(replica);
    }

    /** The client of the replica's management port (/metrics, /health). */
    public Api management(ServerProcess replica) {
        return managements.get(replica);
    }

    @Override
    public void close() throws Exception {
        try {
            stop(one);
            stop(two);
        } finally {
            vertx.close().await();
        }
    }

    private static void stop(ServerProcess p) throws InterruptedException {
        if (p != null) {
            p.process.destroy();
            if (!p.process.waitFor(20, TimeUnit.SECONDS)) {
                p.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
