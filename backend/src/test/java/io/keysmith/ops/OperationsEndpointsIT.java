package io.keysmith.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Health probes on both ports, metrics on the management port only")
class OperationsEndpointsIT {
    private static TestServer server;
    private static Api api;
    private static Api management;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("operations");
        api = new Api(vertx, server.port());
        management = new Api(vertx, server.managementPort());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void liveAndReady_answerOnBothPorts() {
        for (Api port : new Api[] {api, management}) {
            assertThat(port.get("/health/live").bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP"));
            var ready = port.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.bodyAsJsonObject().getString("database")).isEqualTo("UP");
        }
    }

    @Test
    void metrics_areOnTheManagementPortOnly() {
        api.get("/health/live"); // some traffic to count
        var metrics = management.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.getHeader("content-type")).startsWith("text/plain");
        String text = metrics.bodyAsString();
        assertThat(text).contains("jvm_memory_used_bytes").contains("vertx_http_server_requests_total");
        assertThat(text).contains("vertx_pool_");
        assertThat(api.get("/metrics").bodyAsString())
                .doesNotContain("jvm_memory")
                .doesNotContain("vertx_");
    }

    @Test
    void ready_is503_whileTheDatabaseRefusesUs_andRecovers() throws Exception {
        String db = server.database.getDatabase();
        try (Connection c = PostgresFixture.get().ownerConnection(db);
                Statement st = c.createStatement()) {
            st.execute("REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC, keysmith_app");
            st.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'keysmith_app' AND datname = '"
                            + db + "'");
            var down = api.get("/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.getHeader("content-type")).isEqualTo("application/problem+json");
            assertThat(api.get("/health/live").statusCode()).isEqualTo(200);
            st.execute("GRANT CONNECT ON DATABASE " + db + " TO PUBLIC, keysmith_app");
        }
        assertThat(api.get("/health/ready").statusCode()).isEqualTo(200);
    }
}
