package io.keysmith.support;

import io.keysmith.Keysmith;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real Keysmith server on random ports, on its own database of the shared test PostgreSQL. */
public final class TestServer implements AutoCloseable {
    /** A fixed secret so every test server agrees on the application role's derived password. */
    public static final String TEST_SECRET = "v1:dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdA==";

    public final Keysmith app;
    public final PgConnectOptions database;

    private TestServer(Keysmith app, PgConnectOptions database) {
        this.app = app;
        this.database = database;
    }

    public static TestServer start(String name) {
        return start(PostgresFixture.get().newDatabase(name), new JsonObject());
    }

    public static TestServer start(PgConnectOptions database, JsonObject extra) {
        return start(database, extra, io.keysmith.keys.KeyVerifier.Hook.NONE);
    }

    /** As {@link #start(PgConnectOptions, JsonObject)}, with the key verifier's test seam. */
    public static TestServer start(
            PgConnectOptions database, JsonObject extra, io.keysmith.keys.KeyVerifier.Hook hook) {
        JsonObject overrides = new JsonObject()
                .put("http.port", 0)
                .put("management.port", 0)
                .put("http.host", "127.0.0.1")
                .put("instances", 1)
                .put("database.url", PostgresFixture.uri(database))
                .put("secret", TEST_SECRET)
                // required with an external database; links point here whatever Host a request carries
                .put("public.url", "http://keysmith.test")
                .put("shutdown.grace.seconds", 2)
                // every test signs up and signs in from 127.0.0.1: the per-address sign-up and attempt budgets
                // would stop a test class long before its end; the tests of those throttles set their own
                .put("signup.throttle.address", 100000)
                .put("signup.throttle.email", 100000)
                .put("signin.throttle.attempts", 1000000)
                .put("password.hashing.address.burst", 10000)
                .put(
                        "data.dir",
                        Path.of(System.getProperty("keysmith.test.dir", "target/test-data"), "server")
                                .toAbsolutePath()
                                .toString())
                .mergeIn(extra);
        try {
            return new TestServer(Keysmith.start(overrides, hook).get(60, TimeUnit.SECONDS), database);
        } catch (Exception e) {
            throw new IllegalStateException("Test server did not start", e);
        }
    }

    public int port() {
        return app.httpPort();
    }

    public int managementPort() {
        return app.managementPort();
    }

    @Override
    public void close() throws Exception {
        app.stop().get(30, TimeUnit.SECONDS);
    }
}
