package io.keysmith.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.Poll;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.PrometheusScrape;
import io.keysmith.support.SmtpSink;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks end to end on a real server, real PostgreSQL and real receivers on loopback (allowed by this test's
 * configuration): signed per Standard Webhooks, fed by the outbox in the change's transaction, retried when the
 * receiver is down or slow, never following a redirect; endpoints isolated per organization and for credential
 * admins only; reminders raised once and mailed.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Webhooks deliver signed events from the outbox")
class WebhooksIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static TestServer server;
    private static Api api;
    private static DbProbe db;
    private static SmtpSink smtp;
    private static Session admin;
    private static Session employee;
    private static Session otherAdmin;

    @BeforeAll
    static void start(Vertx vertx) {
        smtp = SmtpSink.start(vertx);
        server = TestServer.start(
                PostgresFixture.get().newDatabase("webhooks"),
                new JsonObject()
                        .put("webhooks.allow.http", true)
                        .put("webhooks.allow.private", true)
                        .put("webhooks.retry.base.millis", 100)
                        .put("webhooks.retry.cap.millis", 400)
                        .put("webhooks.connect.timeout.millis", 500)
                        .put("webhooks.request.timeout.millis", 1000)
                        .put("webhooks.poll.millis", 100)
                        .put("smtp.host", "127.0.0.1")
                        .put("smtp.port", smtp.port())
                        .put("smtp.starttls", "disabled")
                        .put("smtp.from", "keysmith@mail.test"));
        api = new Api(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        admin = signUp("Webhook Org");
        employee = api.createSignedInUser(admin, Api.uniqueEmail("webhook-employee"), null);
        otherAdmin = signUp("Other Webhook Org");
    }

    /** With SMTP configured, sign-up is proven by the mailed link. */
    private static Session signUp(String organization) {
        String email = Api.uniqueEmail("webhook-admin");
        HttpResponse<Buffer> r = api.signUpResponse(organization, email, Api.PASSWORD, java.util.Map.of());
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
        Poll.until(
                () -> smtp.messages.stream().anyMatch(m -> m.contains(email)), WAIT, "the sign-up confirmation mail");
        String mail = smtp.messages.stream()
                .filter(m -> m.contains(email))
                .findFirst()
                .orElseThrow()
                .replace("=\n", "");
        java.util.regex.Matcher token =
                java.util.regex.Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(mail);
        assertThat(token.find()).as(mail).isTrue();
        HttpResponse<Buffer> confirmed =
                api.post("/api/v1/signup/confirm", null, new JsonObject().put("token", token.group(1)));
        assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(201);
        return Api.session(confirmed, confirmed.bodyAsJsonObject());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        smtp.close();
    }

    private static JsonObject createEndpoint(Session s, String url, String... types) {
        HttpResponse<Buffer> r = api.post(
                "/api/v1/webhook-endpoints",
                s,
                new JsonObject().put("url", url).put("eventTypes", new JsonArray(List.of(types))));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static JsonObject createKey(Session s, String name) {
        HttpResponse<Buffer> r = api.post(
                "/api/v1/api-keys",
                s,
                new JsonObject().put("name", name).put("apiType", "PEOPLE").put("permissionMode", "INHERIT"));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject().getJsonObject("key");
    }

    /** Verifies a received request with Standard Webhooks' official library, as a receiver would. */
    static void reference(String secret, Receiver.Received got)
            throws com.standardwebhooks.exceptions.WebhookVerificationException {
        new com.standardwebhooks.Webhook(secret)
                .verify(
                        got.body(),
                        java.util.Map.of(
                                "webhook-id", List.of(got.id()),
                                "webhook-timestamp", List.of(got.timestamp()),
                                "webhook-signature", List.of(got.signature())));
    }

    private static JsonArray deliveries(Session s, String endpointId) {
        HttpResponse<Buffer> r = api.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", s);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("items");
    }

    @Test
    void aCommittedChange_reachesTheReceiver_signedAndVerifiable_withTheEventIdAsWebhookId(Vertx vertx)
            throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            JsonObject created = createEndpoint(admin, receiver.url(), "api-key.created");
            String secret = created.getString("secret");
            assertThat(secret).startsWith("whsec_");
            String endpointId = created.getJsonObject("endpoint").getString("id");
            // the secret is shown once: never in a read, nor in the audit log
            assertThat(api.get("/api/v1/webhook-endpoints/" + endpointId, admin).bodyAsString())
                    .doesNotContain(secret.substring(6));
            assertThat(db.count(
                            "SELECT count(*) FROM audit_events WHERE details::text LIKE ?",
                            "%" + secret.substring(6, 20) + "%"))
                    .isZero();

            JsonObject key = createKey(admin, "Signed key");
            Poll.until(() -> !receiver.ofType("api-key.created").isEmpty(), WAIT, "the api-key.created webhook");
            Receiver.Received got = receiver.ofType("api-key.created").get(0);
            assertThat(got.json().getJsonObject("data").getString("targetId")).isEqualTo(key.getString("id"));
            assertThat(got.id())
                    .isEqualTo("evt_" + got.json().getJsonObject("data").getString("eventId"));
            long ts = Long.parseLong(got.timestamp());
            assertThat(Math.abs(ts - Instant.now().getEpochSecond())).isLessThan(60);
            assertThat(got.signature())
                    .isEqualTo(WebhookSignerTest.receiverSignature(secret, got.id(), ts, got.body()));
            // and the specification's reference implementation accepts it (id, timestamp tolerance, signature)
            reference(secret, got);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reference(WebhookSigner.newSecret(), got))
                    .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
            assertThat(got.host()).isEqualTo("127.0.0.1:" + receiver.port());
            // nothing of another type was sent to it
            assertThat(receiver.received)
                    .allSatisfy(r -> assertThat(r.json().getString("type")).isEqualTo("api-key.created"));

            Poll.until(
                    () -> deliveries(admin, endpointId).stream()
                            .anyMatch(d -> "DELIVERED".equals(((JsonObject) d).getString("status"))),
                    WAIT,
                    "the delivery log to show it delivered");
            JsonObject logged = deliveries(admin, endpointId).getJsonObject(0);
            assertThat(logged.getInteger("lastStatusCode")).isEqualTo(204);
            assertThat(logged.getInteger("lastLatencyMillis")).isNotNull();

            // replay: the same webhook-id again, as a new delivery
            HttpResponse<Buffer> replay = api.post(
                    "/api/v1/webhook-endpoints/" + endpointId + "/deliveries/" + logged.getString("id") + "/replay",
                    admin,
                    null);
            assertThat(replay.statusCode()).as(replay.bodyAsString()).isEqualTo(202);
            Poll.until(() -> receiver.received.size() >= 2, WAIT, "the replay");
            assertThat(receiver.received.get(1).id()).isEqualTo(got.id());
        }
    }

    @Test
    void aRolledBackChange_sendsNothing_andTheSameChangeCommittedIsQueued() throws Exception {
        JsonObject created = createEndpoint(admin, "http://127.0.0.1:9/never", "key.expiring");
        String endpointId = created.getJsonObject("endpoint").getString("id");
        try (Connection c = db.owner()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id)"
                        + " VALUES ('" + admin.organizationId()
                        + "', 'test', 'key.expiring', 'api-key', 'rolled-back')");
            }
            assertThat(db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId))
                    .as("an uncommitted change is invisible to the workers")
                    .isZero();
            c.rollback();
        }
        assertThat(db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId))
                .isZero();
        try (Connection c = db.owner();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id)"
                    + " VALUES ('" + admin.organizationId() + "', 'test', 'key.expiring', 'api-key', 'committed')");
        }
        assertThat(db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId))
                .isEqualTo(1);
        api.call(HttpMethod.DELETE, "/api/v1/webhook-endpoints/" + endpointId, admin, null);
    }

    @Test
    void aReceiverDownForAWhile_getsTheEventOnceItIsBack(Vertx vertx) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JsonObject created = createEndpoint(admin, "http://127.0.0.1:" + port + "/hook", "api-key.disabled");
        String endpointId = created.getJsonObject("endpoint").getString("id");
        assertThat(api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null)
                        .statusCode())
                .isEqualTo(202);
        Poll.until(
                () -> deliveries(admin, endpointId).getJsonObject(0).getInteger("attempts") >= 2,
                WAIT,
                "attempts against the closed port");
        JsonObject failing = deliveries(admin, endpointId).getJsonObject(0);
        assertThat(failing.getString("status")).isEqualTo("PENDING");
        assertThat(failing.getString("lastError")).isNotBlank();
        try (Receiver receiver = Receiver.start(vertx, port)) {
            Poll.until(() -> !receiver.ofType("webhook.test").isEmpty(), WAIT, "the retried delivery");
            Poll.until(
                    () -> "DELIVERED"
                            .equals(deliveries(admin, endpointId)
                                    .getJsonObject(0)
                                    .getString("status")),
                    WAIT,
                    "the log to show it delivered");
        }
    }

    @Test
    void aSlowReceiver_timesOut_andIsRetried_untilItAnswersInTime(Vertx vertx) {
        try (Receiver receiver = Receiver.start(vertx)) {
            receiver.delayMillis.set(3000);
            String endpointId = createEndpoint(admin, receiver.url(), "api-key.disabled")
                    .getJsonObject("endpoint")
                    .getString("id");
            api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null);
            Poll.until(() -> !receiver.received.isEmpty(), WAIT, "the first (slow) attempt");
            Poll.until(
                    () -> deliveries(admin, endpointId).getJsonObject(0).getString("lastError") != null,
                    WAIT,
                    "the timeout recorded");
            assertThat(deliveries(admin, endpointId).getJsonObject(0).getString("status"))
                    .isEqualTo("PENDING");
            receiver.delayMillis.set(0);
            Poll.until(
                    () -> "DELIVERED"
                            .equals(deliveries(admin, endpointId)
                                    .getJsonObject(0)
                                    .getString("status")),
                    WAIT,
                    "a later attempt in time");
            // every attempt carried the same webhook-id (receivers de-duplicate on it)
            assertThat(receiver.received.stream().map(Receiver.Received::id).distinct())
                    .hasSize(1);
        }
    }

    @Test
    void aRedirect_isNotFollowed_andCountsAsAFailure(Vertx vertx) {
        try (Receiver redirecting = Receiver.start(vertx);
                Receiver target = Receiver.start(vertx)) {
            redirecting.redirectTo.set(target.url());
            String endpointId = createEndpoint(admin, redirecting.url(), "api-key.disabled")
                    .getJsonObject("endpoint")
                    .getString("id");
            api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null);
            Poll.until(
                    () -> Integer.valueOf(302)
                            .equals(deliveries(admin, endpointId)
                                    .getJsonObject(0)
                                    .getInteger("lastStatusCode")),
                    WAIT,
                    "the 302 recorded");
            assertThat(deliveries(admin, endpointId).getJsonObject(0).getString("status"))
                    .isEqualTo("PENDING");
            Poll.pause(500);
            assertThat(target.received)
                    .as("the redirect's target is never called")
                    .isEmpty();
            api.patch("/api/v1/webhook-endpoints/" + endpointId, admin, new JsonObject().put("status", "DISABLED"));
        }
    }

    @Test
    void duringARotation_bothSecretsSign_andAfterItOnlyTheNewOne(Vertx vertx) throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            JsonObject created = createEndpoint(admin, receiver.url(), "api-key.disabled");
            String old = created.getString("secret");
            String endpointId = created.getJsonObject("endpoint").getString("id");
            HttpResponse<Buffer> rotated = api.post(
                    "/api/v1/webhook-endpoints/" + endpointId + "/rotate-secret",
                    admin,
                    new JsonObject().put("overlapSeconds", 3600));
            assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
            String current = rotated.bodyAsJsonObject().getString("secret");
            assertThat(current).isNotEqualTo(old);
            assertThat(rotated.bodyAsJsonObject().getJsonObject("endpoint").getString("previousSecretValidUntil"))
                    .isNotNull();
            api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null);
            Poll.until(() -> !receiver.received.isEmpty(), WAIT, "the test event");
            Receiver.Received got = receiver.received.get(0);
            long ts = Long.parseLong(got.timestamp());
            assertThat(List.of(got.signature().split(" ")))
                    .containsExactlyInAnyOrder(
                            WebhookSignerTest.receiverSignature(current, got.id(), ts, got.body()),
                            WebhookSignerTest.receiverSignature(old, got.id(), ts, got.body()));
            reference(old, got);
            reference(current, got);

            api.post(
                    "/api/v1/webhook-endpoints/" + endpointId + "/rotate-secret",
                    admin,
                    new JsonObject().put("overlapSeconds", 0));
            String newest = api.get("/api/v1/webhook-endpoints/" + endpointId, admin)
                    .bodyAsJsonObject()
                    .getString("id");
            assertThat(newest).isEqualTo(endpointId);
        }
    }

    /** Neither secret column holds a secret the API returned, whole or its base64 part. */
    private static void assertSealedAtRest(String endpointId, String... secrets) {
        String secret = db.text("SELECT secret FROM webhook_endpoints WHERE id = ?", endpointId);
        String previous =
                db.text("SELECT coalesce(previous_secret, '') FROM webhook_endpoints WHERE id = ?", endpointId);
        assertThat(secret).isNotBlank().doesNotStartWith("whsec_");
        assertThat(previous).doesNotStartWith("whsec_");
        for (String s : secrets) {
            assertThat(s).startsWith("whsec_");
            assertThat(secret).doesNotContain(s).doesNotContain(s.substring(6));
            assertThat(previous).doesNotContain(s).doesNotContain(s.substring(6));
        }
    }

    @Test
    void signingSecrets_areSealedAtRest_beforeAndAfterARotation() {
        JsonObject created = createEndpoint(admin, "http://127.0.0.1:9/sealed", "api-key.revoked");
        String first = created.getString("secret");
        String endpointId = created.getJsonObject("endpoint").getString("id");
        assertSealedAtRest(endpointId, first);
        HttpResponse<Buffer> rotated = api.post(
                "/api/v1/webhook-endpoints/" + endpointId + "/rotate-secret",
                admin,
                new JsonObject().put("overlapSeconds", 3600));
        assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
        String second = rotated.bodyAsJsonObject().getString("secret");
        assertThat(db.text("SELECT previous_secret FROM webhook_endpoints WHERE id = ?", endpointId))
                .as("the rotated-out secret is kept (it still signs), sealed")
                .isNotNull();
        assertSealedAtRest(endpointId, first, second);
        api.delete("/api/v1/webhook-endpoints/" + endpointId, admin);
    }

    @Test
    void aSealedSecretCopiedToAnotherOrganizationsEndpoint_doesNotSign(Vertx vertx) throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            JsonObject mine = createEndpoint(admin, "http://127.0.0.1:9/victim", "api-key.revoked");
            String stolen = mine.getString("secret");
            String victimId = mine.getJsonObject("endpoint").getString("id");
            String theirsId = createEndpoint(otherAdmin, receiver.url(), "api-key.revoked")
                    .getJsonObject("endpoint")
                    .getString("id");
            try (Connection c = db.owner();
                    java.sql.PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET secret ="
                            + " (SELECT secret FROM webhook_endpoints WHERE id = ?), previous_secret = NULL"
                            + " WHERE id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(victimId));
                ps.setObject(2, java.util.UUID.fromString(theirsId));
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            assertThat(api.post("/api/v1/webhook-endpoints/" + theirsId + "/test", otherAdmin, null)
                            .statusCode())
                    .isEqualTo(202);
            Poll.until(
                    () -> !receiver.received.isEmpty()
                            || deliveries(otherAdmin, theirsId).getJsonObject(0).getString("lastError") != null,
                    WAIT,
                    "the attempt with the copied secret");
            assertThat(receiver.received)
                    .as("nothing signed with another organization's secret is sent")
                    .isEmpty();
            String error = deliveries(otherAdmin, theirsId).getJsonObject(0).getString("lastError");
            assertThat(error).contains("signing secret").doesNotContain(stolen.substring(6));
            api.delete("/api/v1/webhook-endpoints/" + theirsId, otherAdmin);
            api.delete("/api/v1/webhook-endpoints/" + victimId, admin);
        }
    }

    /** A row as an earlier version wrote it: the secrets in plain text. */
    private static String insertPlaintext(String url, String secret, String previous) throws Exception {
        try (Connection c = db.owner();
                java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_endpoints (organization_id,"
                        + " url, event_types, secret, previous_secret, previous_secret_until, created_by)"
                        + " VALUES (?, ?, '{api-key.revoked}', ?, ?, CASE WHEN ? THEN now() + interval '1 hour' END, ?)"
                        + " RETURNING id")) {
            ps.setObject(1, java.util.UUID.fromString(admin.organizationId()));
            ps.setString(2, url);
            ps.setString(3, secret);
            ps.setString(4, previous);
            ps.setBoolean(5, previous != null);
            ps.setObject(6, java.util.UUID.fromString(admin.userId()));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String stored(String endpointId) {
        return db.text(
                "SELECT secret || '|' || coalesce(previous_secret, '') FROM webhook_endpoints WHERE id = ?",
                endpointId);
    }

    @Test
    void plaintextSecretsOfEarlierVersions_areSealedAtStartUp_andStillSign(Vertx vertx) throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            String legacy = WebhookSigner.newSecret();
            String legacyPrevious = WebhookSigner.newSecret();
            String endpointId = insertPlaintext(receiver.url(), legacy, legacyPrevious);
            // a replica starting (as after an upgrade) seals what an earlier version stored in plain text
            try (TestServer replica = TestServer.start(
                    server.database,
                    new JsonObject()
                            .put("webhooks.allow.http", true)
                            .put("webhooks.allow.private", true)
                            .put("webhooks.poll.millis", 100))) {
                assertSealedAtRest(endpointId, legacy, legacyPrevious);
            }
            String sealed = stored(endpointId);
            assertThat(server.app.sealWebhookSecrets().await())
                    .as("sealing again finds nothing to seal")
                    .isZero();
            assertThat(stored(endpointId)).isEqualTo(sealed);

            assertThat(api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null)
                            .statusCode())
                    .isEqualTo(202);
            Poll.until(() -> !receiver.received.isEmpty(), WAIT, "the test event");
            Receiver.Received got = receiver.received.get(0);
            // signed with the original secrets: receivers change nothing
            reference(legacy, got);
            reference(legacyPrevious, got);
            assertThat(got.signature().split(" ")).hasSize(2);
            assertThat(stored(endpointId)).isEqualTo(sealed);
            api.delete("/api/v1/webhook-endpoints/" + endpointId, admin);
        }
    }

    @Test
    void aPlaintextSecretWrittenWhileRunning_isSealedWhenADeliveryMeetsIt(Vertx vertx) throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            // as a replica of the earlier version still writes during a rolling upgrade
            String legacy = WebhookSigner.newSecret();
            String endpointId = insertPlaintext(receiver.url(), legacy, null);
            assertThat(api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null)
                            .statusCode())
                    .isEqualTo(202);
            Poll.until(() -> !receiver.received.isEmpty(), WAIT, "the test event");
            reference(legacy, receiver.received.get(0));
            Poll.until(
                    () -> !stored(endpointId).startsWith("whsec_"),
                    WAIT,
                    "the secret sealed after the delivery met it");
            assertSealedAtRest(endpointId, legacy);
            // and it still signs, now opened from the seal
            api.post("/api/v1/webhook-endpoints/" + endpointId + "/test", admin, null);
            Poll.until(() -> receiver.received.size() >= 2, WAIT, "the second test event");
            reference(legacy, receiver.received.get(1));
            api.delete("/api/v1/webhook-endpoints/" + endpointId, admin);
        }
    }

    @Test
    void endpointsAreTheOrganizationsOwn_andForCredentialAdminsOnly() {
        String endpointId = createEndpoint(admin, "http://127.0.0.1:9/iso", "api-key.revoked")
                .getJsonObject("endpoint")
                .getString("id");
        String base = "/api/v1/webhook-endpoints/" + endpointId;
        long before = db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId);
        // another organization's admin: 404 everywhere, never in its list
        Api.problem(api.get(base, otherAdmin), 404);
        Api.problem(api.patch(base, otherAdmin, new JsonObject().put("status", "DISABLED")), 404);
        Api.problem(api.post(base + "/test", otherAdmin, null), 404);
        Api.problem(api.post(base + "/rotate-secret", otherAdmin, new JsonObject().put("overlapSeconds", 0)), 404);
        Api.problem(api.get(base + "/deliveries", otherAdmin), 404);
        Api.problem(api.delete(base, otherAdmin), 404);
        assertThat(api.get("/api/v1/webhook-endpoints", otherAdmin)
                        .bodyAsJsonObject()
                        .getJsonArray("items"))
                .isEmpty();
        // a weaker user of the same organization: 403 naming the permission
        JsonObject p = Api.problem(api.get("/api/v1/webhook-endpoints", employee), 403);
        assertThat(p.getString("detail")).contains("keys:manage-all");
        Api.problem(
                api.post(
                        "/api/v1/webhook-endpoints",
                        employee,
                        new JsonObject()
                                .put("url", "https://hooks.example.com/x")
                                .put("eventTypes", new JsonArray().add("key.expiring"))),
                403);
        Api.problem(api.post(base + "/test", employee, null), 403);
        // nothing changed
        JsonObject still = api.get(base, admin).bodyAsJsonObject();
        assertThat(still.getString("status")).isEqualTo("ACTIVE");
        assertThat(db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId))
                .isEqualTo(before);
        api.delete(base, admin);
    }

    @Test
    void badInput_isRefusedWithAProblem_andStoresNothing() {
        long endpoints = db.count("SELECT count(*) FROM webhook_endpoints");
        Api.problem(
                api.post(
                        "/api/v1/webhook-endpoints",
                        admin,
                        new JsonObject()
                                .put("url", "https://x.example/" + "a".repeat(2000))
                                .put("eventTypes", new JsonArray().add("key.expiring"))),
                400);
        JsonObject unknown = Api.problem(
                api.post(
                        "/api/v1/webhook-endpoints",
                        admin,
                        new JsonObject()
                                .put("url", "https://hooks.example.com/x")
                                .put("eventTypes", new JsonArray().add("session.signed-in"))),
                400);
        assertThat(unknown.getString("detail")).contains("session.signed-in");
        Api.problem(
                api.post(
                        "/api/v1/webhook-endpoints",
                        admin,
                        new JsonObject()
                                .put("url", "ftp://hooks.example.com/x")
                                .put("eventTypes", new JsonArray().add("key.expiring"))),
                400);
        Api.problem(
                api.post(
                        "/api/v1/webhook-endpoints",
                        admin,
                        new JsonObject()
                                .put("url", "https://user:pw@hooks.example.com/x")
                                .put("eventTypes", new JsonArray().add("key.expiring"))),
                400);
        Api.problem(api.get("/api/v1/webhook-endpoints/not-a-uuid", admin), 400);
        Api.problem(
                api.get("/api/v1/webhook-endpoints/" + java.util.UUID.randomUUID() + "/deliveries?after=bm9wZQ", admin),
                400);
        assertThat(db.count("SELECT count(*) FROM webhook_endpoints")).isEqualTo(endpoints);
    }

    @Test
    void reminders_areRaisedOnce_reachWebhooksNotificationsAndMail(Vertx vertx) throws Exception {
        try (Receiver receiver = Receiver.start(vertx)) {
            createEndpoint(admin, receiver.url(), "key.expiring", "key.unused");
            Session owner = api.createSignedInUser(admin, Api.uniqueEmail("reminded-owner"), null);
            HttpResponse<Buffer> r = api.post(
                    "/api/v1/api-keys",
                    owner,
                    new JsonObject()
                            .put("name", "Expiring key")
                            .put("apiType", "PEOPLE")
                            .put("permissionMode", "INHERIT")
                            .put(
                                    "expiresAt",
                                    Instant.now().plus(Duration.ofDays(3)).toString()));
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
            String keyId = r.bodyAsJsonObject().getJsonObject("key").getString("id");
            String idle = createKey(owner, "Idle key").getString("id");
            try (Connection c = db.owner();
                    Statement st = c.createStatement()) {
                st.execute("UPDATE api_keys SET created_at = now() - interval '100 days' WHERE id = '" + idle + "'");
            }
            long raised = server.app.raiseKeyReminders().await();
            assertThat(raised).isGreaterThanOrEqualTo(2);
            assertThat(server.app.raiseKeyReminders().await())
                    .as("a second run raises nothing again")
                    .isZero();
            assertThat(db.count(
                            "SELECT count(*) FROM audit_events WHERE target_id = CAST(? AS text) AND action = 'key.expiring'",
                            keyId))
                    .isEqualTo(1);

            Poll.until(
                    () -> receiver.ofType("key.expiring").size() == 1
                            && receiver.ofType("key.unused").size() == 1,
                    WAIT,
                    "both reminders as webhooks");

            JsonObject mine = api.get("/api/v1/notifications", owner).bodyAsJsonObject();
            assertThat(mine.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("action")))
                    .contains("key.expiring", "key.unused");
            assertThat(mine.getInteger("unreadCount")).isGreaterThanOrEqualTo(2);
            // the employee does not see the owner's reminders; the credential admin does
            assertThat(api.get("/api/v1/notifications", employee).bodyAsJsonObject().getJsonArray("items").stream()
                            .map(o -> ((JsonObject) o).getString("targetId")))
                    .doesNotContain(keyId, idle);
            assertThat(api.get("/api/v1/notifications", admin).bodyAsJsonObject().getJsonArray("items").stream()
                            .map(o -> ((JsonObject) o).getString("targetId")))
                    .contains(keyId);
            assertThat(api.get("/api/v1/notifications", otherAdmin)
                            .bodyAsJsonObject()
                            .getJsonArray("items"))
                    .isEmpty();
            // marking read moves the count to zero
            String newest = mine.getJsonArray("items").getJsonObject(0).getString("id");
            assertThat(api.post("/api/v1/notifications/read", owner, new JsonObject().put("upToId", newest))
                            .statusCode())
                    .isEqualTo(204);
            assertThat(api.get("/api/v1/notifications", owner)
                            .bodyAsJsonObject()
                            .getInteger("unreadCount"))
                    .isZero();

            int before = smtp.messages.size();
            server.app.sendNotificationMails().await();
            Poll.until(() -> smtp.messages.size() > before, WAIT, "the reminder mails");
            assertThat(String.join("\n", smtp.messages))
                    .contains("Expiring key")
                    .contains("Idle key");
        }
    }

    @Test
    void deliveryMetrics_areExported_onTheManagementPort(Vertx vertx) {
        io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(vertx);
        String text = client.get(server.managementPort(), "127.0.0.1", "/metrics")
                .send()
                .await()
                .bodyAsString();
        PrometheusScrape scrape = PrometheusScrape.parse(text);
        assertThat(scrape.labelValues("keysmith_webhook_deliveries_total", "outcome"))
                .contains("success", "failure", "refused");
        assertThat(scrape.named("keysmith_webhook_outbox_pending")).isNotEmpty();
        assertThat(text).contains("keysmith_webhook_delivery_duration_seconds_bucket");
    }

    /**
     * Recording an attempt and deleting the endpoint take their locks in one order (endpoint, then delivery), so
     * they wait for each other instead of deadlocking. The interleaving is forced: a transaction holds the delivery's
     * row lock while an attempt is recorded and then the endpoint is deleted, both waiting; then it lets go. Before
     * the fix the record held the delivery and wanted the endpoint while the delete held the endpoint and wanted the
     * delivery: PostgreSQL's deadlock detector aborted one of them (a 500 for the admin).
     */
    @Test
    @DisplayName("deleting an endpoint while an attempt is being recorded waits, never deadlocks")
    void deletingAnEndpointWhileAnAttemptIsRecorded_neverDeadlocks() throws Exception {
        Session owner = signUp("Webhook Lock Order Org");
        String endpointId = createEndpoint(owner, "http://127.0.0.1:9/hook", "api-key.created")
                .getJsonObject("endpoint")
                .getString("id");
        createKey(owner, "lock order");
        Poll.until(
                () -> db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId) == 1,
                WAIT,
                "the delivery row");
        String deliveryId = db.text("SELECT id::text FROM webhook_deliveries WHERE endpoint_id = ?", endpointId);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection holder = db.owner();
                Connection recorder = db.owner()) {
            holder.setAutoCommit(false);
            try (var ps = holder.prepareStatement("SELECT 1 FROM webhook_deliveries WHERE id = ?::uuid FOR UPDATE")) {
                ps.setString(1, deliveryId);
                ps.executeQuery().close();
            }
            var record = pool.submit(() -> {
                try (var ps = recorder.prepareStatement("SELECT ks_webhook_record(?::uuid, 1, false, 500, 3, 'test',"
                        + " now() + interval '1 hour', 86400)")) {
                    ps.setString(1, deliveryId);
                    ps.executeQuery().close();
                }
                return null;
            });
            Poll.until(() -> waiting("%ks_webhook_record%") == 1, WAIT, "the record waiting for a lock");
            var delete = pool.submit(() -> api.delete("/api/v1/webhook-endpoints/" + endpointId, owner));
            Poll.until(() -> waiting("%webhook_endpoints%") == 1, WAIT, "the delete waiting for a lock");
            holder.commit();
            HttpResponse<Buffer> deleted = delete.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
            record.get(30, java.util.concurrent.TimeUnit.SECONDS); // threw on a deadlock (40P01)
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.count("SELECT count(*) FROM webhook_endpoints WHERE id = ?", endpointId))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", endpointId))
                .isZero();
    }

    private static long waiting(String query) {
        return db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?", query);
    }
}
