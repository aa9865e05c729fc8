package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.ForwardAuthClient;
import io.keysmith.support.KeyTraffic;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * POST /api/v1/api-keys/verify, black box over real HTTP and PostgreSQL: every code of VerifyResult, the organization
 * fence (another organization's key is NOT_FOUND and never metered on that key), ipAddress only as an IP literal, and
 * the failure throttle per partner address.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("verify answers every code, fences organizations, takes only IP literals and throttles failures")
class VerifyCodesIT {
    private static final String VERIFY = "/api/v1/api-keys/verify";

    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session ownerA;
    private static Session ownerB;
    private static String gatewayA;
    private static String gatewayB;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "verify_codes", KeysApi.manyFailures().put("usage.flush.seconds", 1));
        server = api.server();
        db = new DbProbe(server.database.getDatabase());
        ownerA = api.signUp("Verify A", uniqueEmail("vc-a"));
        ownerB = api.signUp("Verify B", uniqueEmail("vc-b"));
        gatewayA = api.inheritKey(ownerA, "gateway A", "VERIFICATION").getString("secret");
        gatewayB = api.inheritKey(ownerB, "gateway B", "VERIFICATION").getString("secret");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Reply verify(KeysApi client, String gateway, JsonObject body) {
        return client.call(HttpMethod.POST, VERIFY, null, body, Map.of("Authorization", "Bearer " + gateway));
    }

    private static Reply verify(String gateway, JsonObject body) {
        return verify(api, gateway, body);
    }

    private static String code(String gateway, JsonObject body) {
        Reply r = verify(gateway, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().getBoolean("valid"))
                .as("valid of %s", r)
                .isEqualTo("VALID".equals(r.json().getString("code")));
        return r.json().getString("code");
    }

    private static JsonObject of(String key) {
        return new JsonObject().put("key", key);
    }

    private static String secret(JsonObject created) {
        return created.getString("secret");
    }

    private static String id(JsonObject created) {
        return created.getJsonObject("key").getString("id");
    }

    @Test
    @DisplayName(
            "VALID, NOT_FOUND, DISABLED, REVOKED, EXPIRED, OWNER_INACTIVE, IP_NOT_ALLOWED, INSUFFICIENT_PERMISSIONS"
                    + " and RATE_LIMITED, each for the key that earns it")
    void everyCode() throws Exception {
        Instant expires = Instant.now().plusSeconds(2);
        String expiring = secret(
                api.createKey(ownerA, keyBody("mayfly", "PEOPLE", "INHERIT").put("expiresAt", expires.toString())));
        JsonObject valid = api.inheritKey(ownerA, "partner", "PEOPLE");
        JsonObject disabled = api.inheritKey(ownerA, "disabled", "PEOPLE");
        assertThat(api.keyAction(ownerA, id(disabled), "disable", null).status())
                .isEqualTo(200);
        JsonObject revoked = api.inheritKey(ownerA, "revoked", "PEOPLE");
        assertThat(api.keyAction(ownerA, id(revoked), "revoke", null).status()).isEqualTo(200);
        String level = api.createLevel(
                ownerA,
                KeysApi.levelBody(
                        "Leaver " + System.nanoTime(), Map.of("firstName", "VIEW"), "people:read", "keys:create-own"));
        Session leaver = api.createSignedInUser(ownerA, uniqueEmail("vc-leaver"), level);
        String leaverKey = secret(api.createKey(leaver, keyBody("leaver", "PEOPLE", "INHERIT")));
        api.deactivate(ownerA, leaver.userId());
        String fenced = secret(api.createKey(
                ownerA, keyBody("fenced", "PEOPLE", "INHERIT").put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))));
        String reader = secret(api.createKey(
                ownerA, keyBody("reader", "PEOPLE", "SCOPED").put("permissions", new JsonArray().add("people:read"))));
        String limited = secret(api.createKey(
                ownerA, keyBody("two a minute", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 2)));

        Reply ok = verify(gatewayA, of(secret(valid)).put("permissions", new JsonArray().add("people:read")));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().getString("code")).isEqualTo("VALID");
        assertThat(ok.json().getBoolean("valid")).isTrue();
        assertThat(ok.json().getString("keyId")).isEqualTo(id(valid));
        assertThat(ok.json().getString("organizationId")).isEqualTo(ownerA.organizationId());
        assertThat(ok.json().getString("apiType")).isEqualTo("PEOPLE");
        assertThat(ok.json().getJsonArray("permissions").getList()).contains("people:read");

        Thread.sleep(Math.max(0, expires.toEpochMilli() - System.currentTimeMillis()) + 300);
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("forged", code(gatewayA, of(KeyFormat.generate())));
        codes.put("malformed", code(gatewayA, of("not-a-key")));
        codes.put("disabled", code(gatewayA, of(secret(disabled))));
        codes.put("revoked", code(gatewayA, of(secret(revoked))));
        codes.put("expired", code(gatewayA, of(expiring)));
        codes.put("owner inactive", code(gatewayA, of(leaverKey)));
        codes.put("outside the allowlist", code(gatewayA, of(fenced).put("ipAddress", "192.168.1.1")));
        codes.put("outside the allowlist, IPv6", code(gatewayA, of(fenced).put("ipAddress", "2001:db8::1")));
        codes.put("inside the allowlist", code(gatewayA, of(fenced).put("ipAddress", "10.1.1.1")));
        codes.put(
                "missing permission",
                code(gatewayA, of(reader).put("permissions", new JsonArray().add("people:delete"))));
        codes.put("held permission", code(gatewayA, of(reader).put("permissions", new JsonArray().add("people:read"))));
        codes.put("limited 1", code(gatewayA, of(limited)));
        codes.put("limited 2", code(gatewayA, of(limited)));
        codes.put("limited 3", code(gatewayA, of(limited)));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("forged", "NOT_FOUND");
        expected.put("malformed", "NOT_FOUND");
        expected.put("disabled", "DISABLED");
        expected.put("revoked", "REVOKED");
        expected.put("expired", "EXPIRED");
        expected.put("owner inactive", "OWNER_INACTIVE");
        expected.put("outside the allowlist", "IP_NOT_ALLOWED");
        expected.put("outside the allowlist, IPv6", "IP_NOT_ALLOWED");
        expected.put("inside the allowlist", "VALID");
        expected.put("missing permission", "INSUFFICIENT_PERMISSIONS");
        expected.put("held permission", "VALID");
        expected.put("limited 1", "VALID");
        expected.put("limited 2", "VALID");
        expected.put("limited 3", "RATE_LIMITED");
        assertThat(codes).isEqualTo(expected);
        assertThat(KeysApi.problem(api.withKey("/api/v1/people", limited), 429).getString("type"))
                .as("verify spent the key's budget as the requests it stands for would")
                .endsWith("rate-limited");
    }

    @Test
    @DisplayName(
            "another organization's key is NOT_FOUND, and such a verify is neither metered nor recorded on that key")
    void theOrganizationFence() {
        JsonObject created = api.inheritKey(ownerB, "b's partner", "PEOPLE");
        String bKey = secret(created);
        String bKeyId = id(created);
        assertThat(code(gatewayB, of(bKey))).as("B's own gateway").isEqualTo("VALID");
        long before = KeyTraffic.poll(
                () -> ForwardAuthClient.usageTotal(api, ownerB, bKeyId), n -> n >= 1, Duration.ofSeconds(10));
        assertThat(before).isEqualTo(1);
        for (int i = 0; i < 20; i++) {
            Reply r = verify(gatewayA, of(bKey).put("ipAddress", "10.66.66." + (i + 1)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().getString("code")).isEqualTo("NOT_FOUND");
            assertThat(r.body()).doesNotContain(bKeyId).doesNotContain(ownerB.organizationId());
        }
        assertThat(api.withKey("/api/v1/people", bKey).status()).isEqualTo(200); // the marker
        long after = KeyTraffic.poll(
                () -> ForwardAuthClient.usageTotal(api, ownerB, bKeyId), n -> n >= before + 1, Duration.ofSeconds(10));
        assertThat(after).as("B's key counted only its own two uses").isEqualTo(before + 1);
        assertThat(db.count(
                        "SELECT count(*) FROM key_addresses WHERE key_id = ? AND address LIKE '10.66.66.%'", bKeyId))
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ? AND source_address LIKE '10.66.66.%'",
                        ownerB.organizationId()))
                .isZero();
    }

    @Test
    @DisplayName("an ipAddress that is not one IP literal is 400 and never stored")
    void ipAddressMustBeAnIpLiteral() {
        JsonObject created = api.inheritKey(ownerA, "address hygiene", "PEOPLE");
        String key = secret(created);
        String keyId = id(created);
        List<String> invalid = List.of(
                "not-an-ip",
                "10.1.1.1, 10.2.2.2",
                "10.1.1.1:8080",
                "999.1.1.1",
                "10.1.1",
                "<b>10.1.1.1</b>",
                "10.1.1.1\n<script>",
                "::ffff:zz",
                "");
        for (String value : invalid) {
            Reply r = verify(gatewayA, of(key).put("ipAddress", value));
            assertThat(r.status()).as("ipAddress %s: %s", value, r).isEqualTo(400);
            assertThat(r.header("content-type")).startsWith("application/problem+json");
        }
        Reply oversized = verify(gatewayA, of(key).put("ipAddress", "1".repeat(3500)));
        assertThat(oversized.status()).isEqualTo(400);
        String marker = "10.78." + (System.nanoTime() % 200) + ".8";
        assertThat(code(gatewayA, of(key).put("ipAddress", marker))).isEqualTo("VALID");
        long seen = KeyTraffic.poll(
                () -> db.count("SELECT count(*) FROM key_addresses WHERE key_id = ? AND address = ?", keyId, marker),
                n -> n >= 1,
                Duration.ofSeconds(10));
        assertThat(seen).as("the marker's address was recorded").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM key_addresses WHERE key_id = ? AND address <> ?", keyId, marker))
                .as("only the marker's address on this key")
                .isZero();
        for (String value : invalid) {
            assertThat(db.count("SELECT count(*) FROM audit_events WHERE source_address = ?", value))
                    .isZero();
        }
    }

    @Test
    @DisplayName("a key of another API type cannot verify (403), a forged gateway key cannot (401)")
    void onlyAVerificationKeyVerifies() {
        String people = secret(api.inheritKey(ownerA, "not a gateway", "PEOPLE"));
        Reply r = verify(people, of(people));
        KeysApi.problem(r, 403);
        assertThat(problemType(r)).isEqualTo("outside-api-type");
        KeysApi.problem(verify(KeyFormat.generate(), of(people)), 401);
    }

    @Test
    @DisplayName(
            "failures are throttled per ipAddress (429 too-many-requests with Retry-After), else per gateway address")
    void failuresAreThrottled(Vertx vertx) throws Exception {
        try (TestServer small = TestServer.start(
                PostgresFixture.get().newDatabase("verify_throttle"),
                new JsonObject().put("key.failures.per.minute", 5))) {
            KeysApi other = new KeysApi(vertx, small.port());
            Session owner = other.signUp("Verify Throttle", uniqueEmail("vc-throttle"));
            String gateway = secret(other.inheritKey(owner, "gateway", "VERIFICATION"));
            String good = secret(other.inheritKey(owner, "good partner", "PEOPLE"));
            List<Integer> statuses = new ArrayList<>();
            Reply last = null;
            for (int i = 0; i < 10; i++) {
                last = verify(other, gateway, of(KeyFormat.generate()).put("ipAddress", "10.30.0.1"));
                statuses.add(last.status());
            }
            assertThat(statuses).as("one partner address").startsWith(200).endsWith(429);
            KeysApi.problem(last, 429);
            assertThat(problemType(last)).isEqualTo("too-many-requests");
            assertThat(last.header("Retry-After")).isNotBlank();

            Reply another = verify(other, gateway, of(KeyFormat.generate()).put("ipAddress", "10.30.0.2"));
            assertThat(another.status()).as("another partner: %s", another).isEqualTo(200);
            assertThat(another.json().getString("code")).isEqualTo("NOT_FOUND");
            Reply served = verify(other, gateway, of(good).put("ipAddress", "10.30.0.3"));
            assertThat(served.json().getString("code")).isEqualTo("VALID");

            List<Integer> noAddress = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                last = verify(other, gateway, of(KeyFormat.generate()));
                noAddress.add(last.status());
            }
            assertThat(noAddress)
                    .as("no ipAddress: the gateway's own address")
                    .startsWith(200)
                    .endsWith(429);
            assertThat(last.header("Retry-After")).isNotBlank();
        }
    }
}
