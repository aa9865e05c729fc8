package io.keysmith.audit;

import static io.keysmith.support.Api.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17 item 1: the CSV export of 100,000 events, streamed from a database cursor (the whole result is never in
 * the server's memory), with another organization's 1,000 events in the same table that never appear.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Audit export: 100,000 events streamed as CSV, and not one of another organization's")
class AuditExportIT {
    static final int EVENTS = 100_000;
    private static TestServer server;
    private static Api api;
    private static Session owner;
    private static Session other;
    private static String keyId;

    /** Inserts {@code n} key-update events in one statement (generate_series), a second apart, in time order (ids follow time, as when recorded), newest now. */
    static void insertEvents(DbProbe db, String org, String actor, String targetId, int n) {
        try (Connection c = db.owner();
                PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO audit_events (organization_id, occurred_at, actor_user_id, action, target_type,
                                                  target_id, source_address, details)
                        SELECT ?, now() - make_interval(secs => ? - g), ?, 'api-key.updated', 'api-key', ?,
                               '203.0.113.' || (g % 250),
                               jsonb_build_object('change', jsonb_build_object('fields',
                                                  jsonb_build_array('description', 'name')))
                          FROM generate_series(1, ?) g""")) {
            ps.setObject(1, UUID.fromString(org));
            ps.setInt(2, n);
            ps.setObject(3, UUID.fromString(actor));
            ps.setString(4, targetId);
            ps.setInt(5, n);
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start(Vertx vertx) {
        server = TestServer.start("audit_export");
        api = new Api(vertx, server.port());
        owner = api.signUp("Export Org", uniqueEmail("export-owner"));
        other = api.signUp("Neighbour Org", uniqueEmail("neighbour"));
        HttpResponse<Buffer> key = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys",
                owner,
                new JsonObject()
                        .put("name", "Bulk, \"quoted\" key")
                        .put("apiType", "PEOPLE")
                        .put("permissionMode", "SCOPED")
                        .put("permissions", new JsonArray()));
        assertThat(key.statusCode()).as(key.bodyAsString()).isEqualTo(201);
        keyId = key.bodyAsJsonObject().getJsonObject("key").getString("id");
        DbProbe db = new DbProbe(server.database.getDatabase());
        long t0 = System.nanoTime();
        insertEvents(db, owner.organizationId(), owner.userId(), keyId, EVENTS);
        insertEvents(
                db, other.organizationId(), other.userId(), UUID.randomUUID().toString(), 1_000);
        System.out.printf("inserted %,d + 1,000 events in %d ms%n", EVENTS, (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void exportingAHundredThousandEvents_streamsEveryOneOfThem_newestFirst_withNames() {
        long t0 = System.nanoTime();
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events/export?action=api-key.updated", owner);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.getHeader("transfer-encoding")).isEqualTo("chunked");
        String[] lines = r.bodyAsString().split("\r\n");
        System.out.printf(
                "exported %,d lines (%,d bytes) in %d ms%n",
                lines.length, r.body().length(), ms);
        assertThat(lines).hasSize(EVENTS + 1);
        assertThat(lines[1]).contains(keyId).contains(",Ada Owner,").contains(",\"Bulk, \"\"quoted\"\" key\",");
        // the changed fields, then a transfer's new owner (subjectUserId, subject): empty for an update
        assertThat(lines[1]).endsWith(",description name,,");
        // newest first: occurredAt (the first cell) never increases
        for (int i = 2; i < lines.length; i += 997) {
            assertThat(lines[i].substring(0, 24)).isLessThanOrEqualTo(lines[i - 1].substring(0, 24));
        }
        assertThat(r.bodyAsString()).doesNotContain(other.userId());
    }

    @Test
    void aDateRange_exportsExactlyTheEventsInsideIt() {
        // events are a second apart, newest about now: a 100-second window in the past holds 100 of them
        java.time.Instant to = java.time.Instant.now().minusSeconds(1_000);
        java.time.Instant from = to.minusSeconds(100);
        HttpResponse<Buffer> r =
                api.get("/api/v1/audit-events/export?action=api-key.updated&from=" + from + "&to=" + to, owner);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsString().split("\r\n").length - 1).isBetween(99, 101);
    }

    @Test
    void theNeighboursExport_holdsOnlyItsOwnThousandEvents() {
        HttpResponse<Buffer> r = api.get("/api/v1/audit-events/export?action=api-key.updated", other);
        assertThat(r.statusCode()).isEqualTo(200);
        String body = r.bodyAsString();
        assertThat(body.split("\r\n")).hasSize(1_001);
        assertThat(body).doesNotContain(keyId).doesNotContain(owner.userId());
    }

    @Test
    void stalledDownloads_holdAtMostTwoExportsPerOrganization_andGiveTheirSlotsBackWhenTheClientLeaves(Vertx vertx)
            throws Exception {
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(
                new io.vertx.core.http.HttpClientOptions()
                        .setDefaultPort(server.port())
                        .setDefaultHost("127.0.0.1"),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
        java.util.List<io.vertx.core.http.HttpClientResponse> stalled = new java.util.ArrayList<>();
        for (int i = 0; i < AuditExports.PER_ORGANIZATION; i++) {
            io.vertx.core.http.HttpClientResponse resp = client.request(
                            io.vertx.core.http.HttpMethod.GET, "/api/v1/audit-events/export")
                    .compose(req -> req.putHeader("Cookie", Api.COOKIE + "=" + owner.cookie())
                            .send())
                    .await();
            resp.pause(); // never reads: the server's cursor waits on the full write queue
            assertThat(resp.statusCode()).isEqualTo(200);
            stalled.add(resp);
        }
        HttpResponse<Buffer> third = api.get("/api/v1/audit-events/export", owner);
        io.keysmith.support.Api.problem(third, 429);
        assertThat(third.getHeader("retry-after")).isNotBlank();
        // another organization is not starved by this one
        assertThat(api.get("/api/v1/audit-events/export?action=api-key.updated", other)
                        .statusCode())
                .isEqualTo(200);
        for (io.vertx.core.http.HttpClientResponse r : stalled) {
            r.request().connection().close().await();
        }
        // the slots (and their database connections) come back once the server sees the clients gone
        long deadline = System.nanoTime() + 20_000_000_000L;
        int status;
        do {
            Thread.sleep(200);
            status = api.get("/api/v1/audit-events/export?action=api-key.created", owner)
                    .statusCode();
        } while (status == 429 && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(200);
        client.close().await();
    }
}
