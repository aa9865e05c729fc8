package io.keysmith.support;

import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL per test JVM: a Testcontainers container when a Docker engine is present, otherwise zonky's
 * embedded PostgreSQL (stack.md). Each test class asks for its own database, which is cheap; a server per class is
 * not.
 */
public final class PostgresFixture {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile PostgresFixture instance;

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private PostgresFixture(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static synchronized PostgresFixture get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    @SuppressWarnings("resource") // lives as long as the JVM
    private static PostgresFixture start() {
        try {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                PostgreSQLContainer c = new PostgreSQLContainer("postgres:17-alpine");
                c.start();
                return new PostgresFixture(c.getHost(), c.getMappedPort(5432), c.getUsername(), c.getPassword());
            }
            Path dir = Path.of(
                    System.getProperty("keysmith.test.dir", "target/test-data"),
                    "pg-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            System.setProperty(
                    "ot.epg.working-dir", dir.resolve("work").toAbsolutePath().toString());
            var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("data"))
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "300")
                    .setLocaleConfig("auth", "trust")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }));
            return new PostgresFixture("127.0.0.1", pg.getPort(), "postgres", "postgres");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start a PostgreSQL for the tests", e);
        }
    }

    /** A fresh, empty database; the returned options connect as the cluster's superuser (the owner). */
    public PgConnectOptions newDatabase(String hint) {
        String name = (hint.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + DATABASES.incrementAndGet());
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(name)
                .setUser(user)
                .setPassword(password);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public static String uri(PgConnectOptions o) {
        return "postgresql://" + o.getUser() + ":" + o.getPassword() + "@" + o.getHost() + ":" + o.getPort() + "/"
                + o.getDatabase();
    }

    public Connection ownerConnection(String database) throws java.sql.SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }
}
