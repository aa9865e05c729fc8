package io.keysmith.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.Poll;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF guard with the operator's defaults for addresses (private ones refused; plain http allowed here only so
 * that a loopback receiver could answer if the guard let it through): private endpoints are refused when saved and
 * when delivered, and an endpoint that keeps failing is disabled and its admins told.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Webhooks never reach private addresses")
class WebhookGuardIT {
    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static Session admin;

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start(
                PostgresFixture.get().newDatabase("webhook_guard"),
                new JsonObject()
                        .put("webhooks.allow.http", true)
                        .put("webhooks.allow.private", false)
                        .put("webhooks.retry.base.millis", 100)
                        .put("webhooks.retry.cap.millis", 300)
                        .put("webhooks.poll.millis", 100)
                        .put("webhooks.disable.after.seconds", 2));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        admin = api.signUp("Guarded Org", Api.uniqueEmail("guard-admin"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8080/hook",
                "http://10.0.0.7/hook",
                "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/hook",
                "http://localhost:9000/hook"
            })
    void aPrivateLoopbackOrMetadataEndpoint_isRefusedWhenSaved(String url) {
        long before = db.count("SELECT count(*) FROM webhook_endpoints");
        HttpResponse<Buffer> r = api.post(
                "/api/v1/webhook-endpoints",
                admin,
                new JsonObject().put("url", url).put("eventTypes", new JsonArray().add("api-key.created")));
        JsonObject p = Api.problem(r, 400);
        assertThat(p.getString("field")).isEqualTo("url");
        assertThat(db.count("SELECT count(*) FROM webhook_endpoints")).isEqualTo(before);
    }

    @Test
    void anEndpointWhoseAddressTurnedPrivate_isRefusedAtDelivery_neverCalled_thenDisabled_andAdminsTold(Vertx vertx)
            throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            HttpResponse<Buffer> r = api.post(
                    "/api/v1/webhook-endpoints",
                    admin,
                    new JsonObject()
                            .put("url", "http://93.184.215.14/hook")
                            .put("eventTypes", new JsonArray().add("api-key.created")));
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
            String id = r.bodyAsJsonObject().getJsonObject("endpoint").getString("id");
            // what a DNS answer that changed to a private address looks like to the worker: the stored host is now
            // loopback (a rebinding the check at save time could not see)
            try (Connection c = db.owner();
                    Statement st = c.createStatement()) {
                st.execute("UPDATE webhook_endpoints SET url = '" + receiver.url() + "' WHERE id = '" + id + "'");
            }
            assertThat(api.post("/api/v1/webhook-endpoints/" + id + "/test", admin, null)
                            .statusCode())
                    .isEqualTo(202);
            Poll.until(
                    () -> "DISABLED"
                            .equals(api.get("/api/v1/webhook-endpoints/" + id, admin)
                                    .bodyAsJsonObject()
                                    .getString("status")),
                    Duration.ofSeconds(20),
                    "the failing endpoint to be disabled");
            JsonObject endpoint =
                    api.get("/api/v1/webhook-endpoints/" + id, admin).bodyAsJsonObject();
            assertThat(endpoint.getString("disabledReason")).isEqualTo("FAILING");
            assertThat(receiver.received)
                    .as("the private address was never connected to")
                    .isEmpty();
            JsonObject delivery = api.get("/api/v1/webhook-endpoints/" + id + "/deliveries", admin)
                    .bodyAsJsonObject()
                    .getJsonArray("items")
                    .getJsonObject(0);
            assertThat(delivery.getString("lastError")).startsWith("Refused");
            assertThat(db.count(
                            "SELECT count(*) FROM audit_events WHERE action = 'webhook-endpoint.disabled' AND target_id = CAST(? AS text)",
                            id))
                    .isEqualTo(1);
            assertThat(api.get("/api/v1/notifications", admin).bodyAsJsonObject().getJsonArray("items").stream()
                            .map(o -> ((JsonObject) o).getString("action")))
                    .contains("webhook-endpoint.disabled");
            // enabling it again clears the failure state
            HttpResponse<Buffer> enabled =
                    api.patch("/api/v1/webhook-endpoints/" + id, admin, new JsonObject().put("status", "ACTIVE"));
            assertThat(enabled.bodyAsJsonObject().containsKey("failingSince")).isFalse();
            api.patch("/api/v1/webhook-endpoints/" + id, admin, new JsonObject().put("status", "DISABLED"));
        }
    }
}
