package io.keysmith.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged server with its embedded PostgreSQL: acknowledged data survives a kill -9 of the server (whose
 * postmaster is orphaned) and a graceful stop, and the next start finds it.
 */
@DisplayName("Embedded PostgreSQL is durable across kill -9 and SIGTERM")
class EmbeddedDurabilityIT {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void acknowledgedData_survivesKill9_andGracefulStop() throws Exception {
        Path dataDir = Path.of(
                        System.getProperty("keysmith.test.dir", "target/it-data"), "durability-" + System.nanoTime())
                .toAbsolutePath();
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("server.log");
        Map<String, String> env = Map.of("KEYSMITH_DATA_DIR", dataDir.toString());

        ServerProcess first = ServerProcess.start(env, log);
        String installation = query(dataDir, "SELECT installation_id::text FROM installation");
        assertThat(Files.readString(log)).contains("Using embedded PostgreSQL");
        assertThat(PosixMode.of(dataDir.resolve("secret"))).isEqualTo("rw-------");
        assertThat(PosixMode.of(dataDir.resolve("postgres.password"))).isEqualTo("rw-------");
        execute(
                dataDir,
                "CREATE TABLE durability_check (v text); INSERT INTO durability_check VALUES ('acknowledged')");

        first.process.destroyForcibly(); // SIGKILL: no shutdown hook runs, the postmaster is orphaned
        first.process.waitFor();
        ServerProcess second = ServerProcess.start(env, log);
        assertThat(query(dataDir, "SELECT v FROM durability_check")).isEqualTo("acknowledged");
        assertThat(query(dataDir, "SELECT installation_id::text FROM installation"))
                .isEqualTo(installation);
        assertThat(Files.readString(log)).contains("Stopping the PostgreSQL left running by a previous crash");
        execute(dataDir, "INSERT INTO durability_check VALUES ('before sigterm')");

        second.process.destroy(); // SIGTERM: graceful
        assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("Stopped");
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();

        ServerProcess third = ServerProcess.start(env, log);
        assertThat(query(dataDir, "SELECT count(*)::text FROM durability_check"))
                .isEqualTo("2");
        System.out.printf(
                "[figures] embedded start to ready: first %d ms, after kill -9 %d ms, after SIGTERM %d ms%n",
                first.readyMillis, second.readyMillis, third.readyMillis);
        third.process.destroy();
        assertThat(third.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static Connection connect(Path dataDir) throws Exception {
        String port = Files.readString(dataDir.resolve("postgres.port")).trim();
        String password = Files.readString(dataDir.resolve("postgres.password")).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/keysmith", "postgres", password);
    }

    private static String query(Path dataDir, String sql) throws Exception {
        try (Connection c = connect(dataDir);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static void execute(Path dataDir, String sql) throws Exception {
        try (Connection c = connect(dataDir);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static final class PosixMode {
        static String of(Path p) throws Exception {
            return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        }
    }
}
