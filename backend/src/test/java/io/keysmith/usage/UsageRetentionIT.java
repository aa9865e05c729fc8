package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeyTraffic.Key;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Minute rows older than the retention (2 h here) merge into hour rows with every replica's counts summed, hour rows
 * older than theirs (1 day) go, recent minutes stay, and the usage API answers the same totals before and after.
 */
@DisplayName("Usage retention: old minutes roll up into hours, old hours are pruned, the usage API keeps its totals")
class UsageRetentionIT {
    private static Vertx vertx;
    private static TestServer server;
    private static Api api;
    private static DbProbe probe;
    private static Api.Session org;
    private static Key key;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        PgConnectOptions db = PostgresFixture.get().newDatabase("usage_retention");
        probe = new DbProbe(db.getDatabase());
        server = TestServer.start(
                db, new JsonObject().put("usage.retention.minute.hours", 2).put("usage.retention.hour.days", 1));
        api = new Api(vertx, server.port());
        org = api.signUp("Retention Org", Api.uniqueEmail("retention"));
        key = KeyTraffic.createKey(api, org, "Old key", "PEOPLE", null, 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close().await();
    }

    @Test
    void rollsUpAndPrunes() throws Exception {
        String orgId = org.me().getJsonObject("organization").getString("id");
        Instant hourAgo5 = Instant.now().minus(5, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
        UUID r1 = UUID.randomUUID();
        UUID r2 = UUID.randomUUID();
        try (Connection c = probe.owner()) {
            insertMinute(c, orgId, hourAgo5.plus(10, ChronoUnit.MINUTES), "listPeople", "ALLOWED", r1, 3);
            insertMinute(c, orgId, hourAgo5.plus(10, ChronoUnit.MINUTES), "listPeople", "ALLOWED", r2, 4);
            insertMinute(c, orgId, hourAgo5.plus(11, ChronoUnit.MINUTES), "listPeople", "ALLOWED", r1, 5);
            insertMinute(c, orgId, hourAgo5.plus(20, ChronoUnit.MINUTES), "listPeople", "DENIED", r1, 2);
            insertMinute(c, orgId, Instant.now().minus(10, ChronoUnit.MINUTES), "listPeople", "ALLOWED", r1, 7);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO key_usage_hours (organization_id, key_id, hour,"
                    + " operation, outcome, count) VALUES (?::uuid, ?::uuid, ?, 'listPeople', 'ALLOWED', 100)")) {
                s.setString(1, orgId);
                s.setString(2, key.id());
                s.setTimestamp(
                        3,
                        Timestamp.from(Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS)));
                s.executeUpdate();
            }
        }
        String from = hourAgo5.minus(1, ChronoUnit.HOURS).toString();
        JsonObject before = usage(from);
        assertThat(total(before, "allowed")).isEqualTo(19);
        assertThat(total(before, "denied")).isEqualTo(2);

        assertThat(server.app.rollUpUsage().await()).as("minute rows merged").isEqualTo(4);

        assertThat(probe.count("SELECT count(*) FROM key_usage_minutes WHERE organization_id = ?::uuid", orgId))
                .as("only the recent minute is left")
                .isEqualTo(1);
        assertThat(probe.count(
                        "SELECT count(*) FROM key_usage_hours WHERE organization_id = ?::uuid AND count = 12"
                                + " AND outcome = 'ALLOWED'",
                        orgId))
                .as("two replicas and two minutes in one hour row")
                .isEqualTo(1);
        assertThat(probe.count(
                        "SELECT count(*) FROM key_usage_hours WHERE organization_id = ?::uuid AND count = 100", orgId))
                .as("the 3-day-old hour is past its retention")
                .isZero();

        JsonObject after = usage(from);
        assertThat(total(after, "allowed")).isEqualTo(19);
        assertThat(total(after, "denied")).isEqualTo(2);
        assertThat(after.getJsonArray("buckets").getJsonObject(0).getString("start"))
                .isEqualTo(hourAgo5.toString());
        assertThat(server.app.rollUpUsage().await()).as("nothing left to merge").isZero();
        assertThat(total(usage(from), "allowed"))
                .as("a second run changes nothing")
                .isEqualTo(19);
    }

    private static void insertMinute(
            Connection c, String org, Instant minute, String operation, String outcome, UUID replica, long count)
            throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO key_usage_minutes (organization_id, key_id, minute,"
                + " operation, outcome, replica_id, count) VALUES (?::uuid, ?::uuid, ?, ?, ?, ?::uuid, ?)")) {
            s.setString(1, org);
            s.setString(2, key.id());
            s.setTimestamp(3, Timestamp.from(minute.truncatedTo(ChronoUnit.MINUTES)));
            s.setString(4, operation);
            s.setString(5, outcome);
            s.setString(6, replica.toString());
            s.setLong(7, count);
            s.executeUpdate();
        }
    }

    private static JsonObject usage(String from) {
        HttpResponse<Buffer> r = api.get(
                "/api/v1/api-keys/" + key.id() + "/usage?granularity=hour&from="
                        + URLEncoder.encode(from, StandardCharsets.UTF_8),
                org);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static long total(JsonObject usage, String outcome) {
        JsonArray buckets = usage.getJsonArray("buckets");
        long sum = 0;
        for (int i = 0; i < buckets.size(); i++) {
            sum += buckets.getJsonObject(i).getLong(outcome);
        }
        return sum;
    }
}
