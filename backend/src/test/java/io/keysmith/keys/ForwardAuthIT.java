package io.keysmith.keys;

import static io.keysmith.support.ForwardAuthClient.refused;
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
import io.keysmith.support.KeysApi.Scheme;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /api/v1/forward-auth, black box over real HTTP and PostgreSQL, against BRIEF.md's protocol: every outcome, the
 * partner's address, the organization fence, the auth-request mode nginx needs, and the equivalence with calling the
 * API directly (same key, method and URI: same status, or 200 where the API would get past authentication).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Forward-auth decides exactly as the API does, for every outcome, and says the real status")
class ForwardAuthIT {
    private static final Map<String, String> READ_FIELDS =
            Map.of("firstName", "VIEW", "lastName", "VIEW", "department", "VIEW");

    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session ownerA;
    private static Session ownerB;
    private static ForwardAuthClient gatewayA;
    private static ForwardAuthClient gatewayB;
    private static String peopleKey;
    private static String personId;
    private static String expiringKey;
    private static Instant expiringAt;

    @BeforeAll
    static void start(Vertx vertx) {
        // many failures from 127.0.0.1 by design here; the failure throttle has its own server below
        api = KeysApi.onNewServer(vertx, "forward_auth", KeysApi.manyFailures().put("usage.flush.seconds", 1));
        server = api.server();
        db = new DbProbe(server.database.getDatabase());
        ownerA = api.signUp("Forward Auth A", uniqueEmail("fa-a"));
        ownerB = api.signUp("Forward Auth B", uniqueEmail("fa-b"));
        gatewayA = new ForwardAuthClient(api, secret(api.inheritKey(ownerA, "gateway A", "VERIFICATION")));
        gatewayB = new ForwardAuthClient(api, secret(api.inheritKey(ownerB, "gateway B", "VERIFICATION")));
        peopleKey = secret(api.inheritKey(ownerA, "partner", "PEOPLE"));
        personId = api.createPerson(ownerA, KeysApi.person("Pat", "Archer").put("department", "Finance"))
                .getString("id");
        expiringAt = Instant.now().plusSeconds(3);
        expiringKey = secret(
                api.createKey(ownerA, keyBody("mayfly", "PEOPLE", "INHERIT").put("expiresAt", expiringAt.toString())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String secret(JsonObject created) {
        return created.getString("secret");
    }

    private static String id(JsonObject created) {
        return created.getJsonObject("key").getString("id");
    }

    /** A signed-in user of organization A on a fresh level with {@code permissions}. */
    private static Session developer(String label, String... permissions) {
        String level = api.createLevel(
                ownerA, KeysApi.levelBody(label + " " + Long.toHexString(System.nanoTime()), READ_FIELDS, permissions));
        return api.createSignedInUser(ownerA, uniqueEmail(label.toLowerCase().replace(' ', '-')), level);
    }

    private static String type(Reply r) {
        return problemType(r);
    }

    // ------------------------------------------------------------------------------------------------ allowed

    @Test
    @DisplayName(
            "a valid key is allowed with its identity, operation, effective permissions and rate limit, never cached")
    void aValidKeyIsAllowed() {
        Reply list = gatewayA.ask("GET", "/api/v1/people", peopleKey);
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.header("X-Keysmith-Organization-Id")).isEqualTo(ownerA.organizationId());
        assertThat(list.header("X-Keysmith-Key-Id")).isNotBlank();
        assertThat(Set.of(list.header("X-Keysmith-Permissions").split(","))).contains("people:read");
        assertThat(list.header("X-Keysmith-Operation-Id"))
                .as("operation of %s", list)
                .isEqualTo("listPeople");
        assertThat(list.header("RateLimit-Policy"))
                .as("RateLimit-Policy of %s", list)
                .isNotBlank();
        assertThat(list.header("RateLimit")).as("RateLimit of %s", list).isNotBlank();
        assertThat(list.header("Cache-Control")).contains("no-store");
        assertThat(list.header("X-Keysmith-Status"))
                .as("only non-2xx answers carry it")
                .isNull();

        Reply one = gatewayA.ask("GET", "/api/v1/people/" + personId + "?fields=firstName", peopleKey);
        assertThat(one.status()).as(one.toString()).isEqualTo(200);
        assertThat(one.header("X-Keysmith-Operation-Id")).isEqualTo("getPerson");

        // nginx's header names and the Basic scheme decide the same
        Reply nginxStyle = gatewayA.askWith(
                null,
                null,
                KeysApi.authorization(peopleKey, Scheme.BASIC),
                "X-Forwarded-Method",
                null,
                "X-Forwarded-Uri",
                null,
                "X-Original-Method",
                "GET",
                "X-Original-URI",
                "/api/v1/people?limit=5");
        assertThat(nginxStyle.status()).as(nginxStyle.toString()).isEqualTo(200);
        assertThat(nginxStyle.header("X-Keysmith-Operation-Id")).isEqualTo("listPeople");
    }

    // ------------------------------------------------------------------------------------------------ 401

    @Test
    @DisplayName(
            "missing, malformed, unknown, disabled, revoked, expired, owner-inactive, IP-fenced and other-organization"
                    + " keys are all 401 with X-Keysmith-Status, and the bodies never say which")
    void everyRefusedKeyIs401AndIndistinguishable() throws Exception {
        JsonObject disabled = api.inheritKey(ownerA, "disabled", "PEOPLE");
        assertThat(api.keyAction(ownerA, id(disabled), "disable", null).status())
                .isEqualTo(200);
        JsonObject revoked = api.inheritKey(ownerA, "revoked", "PEOPLE");
        assertThat(api.keyAction(ownerA, id(revoked), "revoke", null).status()).isEqualTo(200);
        Session leaver = developer("Leaver", "people:read", "keys:create-own");
        String leaverKey = secret(api.createKey(leaver, keyBody("leaver", "PEOPLE", "INHERIT")));
        assertThat(gatewayA.ask("GET", "/api/v1/people", leaverKey).status()).isEqualTo(200);
        api.deactivate(ownerA, leaver.userId());
        String fenced = secret(api.createKey(
                ownerA, keyBody("fenced", "PEOPLE", "INHERIT").put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))));
        String otherOrganization = secret(api.inheritKey(ownerB, "b's partner", "PEOPLE"));
        Thread.sleep(Math.max(0, expiringAt.toEpochMilli() - System.currentTimeMillis()) + 300);

        Map<String, Reply> replies = new LinkedHashMap<>();
        replies.put("no Authorization", gatewayA.ask("GET", "/api/v1/people", null));
        replies.put("malformed", gatewayA.ask("GET", "/api/v1/people", "not-a-key"));
        replies.put("malformed Basic", gatewayA.askWith("GET", "/api/v1/people", "Basic !!!"));
        replies.put("unknown", gatewayA.ask("GET", "/api/v1/people", KeyFormat.generate()));
        replies.put("disabled", gatewayA.ask("GET", "/api/v1/people", secret(disabled)));
        replies.put("revoked", gatewayA.ask("GET", "/api/v1/people", secret(revoked)));
        replies.put("expired", gatewayA.ask("GET", "/api/v1/people", expiringKey));
        replies.put("owner inactive", gatewayA.ask("GET", "/api/v1/people", leaverKey));
        replies.put("IP not allowed", gatewayA.ask("GET", "/api/v1/people", fenced, "X-Real-IP", "192.168.1.1"));
        replies.put("other organization", gatewayA.ask("GET", "/api/v1/people", otherOrganization));
        List<String> bodies = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        replies.forEach((what, r) -> {
            String w = ForwardAuthClient.notRefused(r, 401);
            if (w != null) {
                wrong.add(what + ": " + w);
            } else {
                JsonObject p = KeysApi.problem(r, 401);
                bodies.add(p.getString("type") + " | " + p.getString("title") + " | " + p.getString("detail"));
            }
        });
        assertThat(wrong).as("refused keys").isEmpty();
        assertThat(Set.copyOf(bodies.subList(3, bodies.size())))
                .as("an existing key's refusal reads like an unknown key's: %s", bodies)
                .hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ 403

    @Test
    @DisplayName("another API type is 403 outside-api-type; a missing permission is 403 permission-missing naming it")
    void outsideApiTypeAndMissingPermissionAre403() {
        String audit = secret(api.inheritKey(ownerA, "siem", "AUDIT"));
        Reply ok = gatewayA.ask("GET", "/api/v1/audit-events", audit);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.header("X-Keysmith-Operation-Id")).isEqualTo("listAuditEvents");

        Reply outside = refused(gatewayA.ask("GET", "/api/v1/people", audit), 403);
        assertThat(type(outside)).isEqualTo("outside-api-type");
        Reply outside2 = refused(gatewayA.ask("GET", "/api/v1/audit-events", peopleKey), 403);
        assertThat(type(outside2)).isEqualTo("outside-api-type");

        String writer = secret(api.createKey(
                ownerA,
                keyBody("writer only", "PEOPLE", "SCOPED").put("permissions", new JsonArray().add("people:update"))));
        Reply missing = refused(gatewayA.ask("GET", "/api/v1/people/" + personId, writer), 403);
        assertThat(type(missing)).isEqualTo("permission-missing");
        assertThat(missing.json().encode()).contains("people:read");
        assertThat(gatewayA.direct("GET", "/api/v1/people/" + personId, writer).status())
                .as("the API agrees")
                .isEqualTo(403);
    }

    // ------------------------------------------------------------------------------------------------ 429

    @Test
    @DisplayName(
            "a key limited to 2 a minute: 200, 200, 429 with Retry-After and RateLimit headers, spent once with the API")
    void theRateLimitIsSpentAndReportedLikeTheApi() {
        String limited = secret(api.createKey(
                ownerA, keyBody("two a minute", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 2)));
        Reply first = gatewayA.ask("GET", "/api/v1/people", limited);
        Reply second = gatewayA.ask("GET", "/api/v1/people", limited);
        Reply third = gatewayA.ask("GET", "/api/v1/people", limited);
        assertThat(List.of(first.status(), second.status(), third.status()))
                .as("%s / %s / %s", first, second, third)
                .containsExactly(200, 200, 429);
        assertThat(first.header("RateLimit-Policy")).contains("q=2");
        refused(third, 429);
        assertThat(type(third)).isEqualTo("rate-limited");
        assertThat(Integer.parseInt(third.header("Retry-After"))).isPositive();
        assertThat(third.header("RateLimit-Policy")).contains("q=2");
        assertThat(third.header("RateLimit")).isNotBlank();
        assertThat(gatewayA.direct("GET", "/api/v1/people", limited).status())
                .as("the same budget: the API refuses it too")
                .isEqualTo(429);

        // and the other way round: spent directly, refused through the gateway
        String direct = secret(api.createKey(
                ownerA, keyBody("two a minute, direct", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 2)));
        assertThat(gatewayA.direct("GET", "/api/v1/people", direct).status()).isEqualTo(200);
        assertThat(gatewayA.direct("GET", "/api/v1/people", direct).status()).isEqualTo(200);
        Reply r = refused(gatewayA.ask("GET", "/api/v1/people", direct), 429);
        assertThat(r.header("Retry-After")).isNotBlank();
    }

    @Test
    @DisplayName("named limits (ADR 0021): forward-auth and the API spend one set of budgets, refuse alike by the"
            + " tighter limit's name, and report every limit in the same RateLimit fields")
    void namedLimitsDecideAsTheApiDoes() {
        JsonArray limits = new JsonArray()
                .add(new JsonObject().put("name", "burst").put("limit", 2).put("windowSeconds", 30))
                .add(new JsonObject().put("name", "daily").put("limit", 1000).put("windowSeconds", 86_400));
        String policy = "\"key\";q=100;w=60, \"burst\";q=2;w=30, \"daily\";q=1000;w=86400";
        String key = secret(api.createKey(
                ownerA,
                keyBody("named limits", "PEOPLE", "INHERIT")
                        .put("rateLimitPerMinute", 100)
                        .put("rateLimits", limits)));
        Reply viaGateway = gatewayA.ask("GET", "/api/v1/people", key);
        Reply direct = gatewayA.direct("GET", "/api/v1/people", key);
        assertThat(List.of(viaGateway.status(), direct.status())).containsExactly(200, 200);
        for (Reply r : List.of(viaGateway, direct)) {
            assertThat(r.header("RateLimit-Policy")).as(r.toString()).isEqualTo(policy);
        }
        assertThat(viaGateway.header("RateLimit")).startsWith("\"key\";r=99;").contains("\"burst\";r=1;");
        assertThat(direct.header("RateLimit")).startsWith("\"key\";r=98;").contains("\"burst\";r=0;");
        Reply refusedByGateway = refused(gatewayA.ask("GET", "/api/v1/people", key), 429);
        Reply refusedDirect = gatewayA.direct("GET", "/api/v1/people", key);
        assertThat(refusedDirect.status()).isEqualTo(429);
        for (Reply r : List.of(refusedByGateway, refusedDirect)) {
            assertThat(type(r)).isEqualTo("rate-limited");
            assertThat(r.json().getString("detail")).as(r.toString()).contains("'burst'");
            assertThat(r.header("RateLimit-Policy")).isEqualTo(policy);
            assertThat(r.header("RateLimit"))
                    .as("refused: nothing spent")
                    .contains("\"burst\";r=0;")
                    .contains("\"daily\";r=998;");
            assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 30);
        }
        assertThat(refusedByGateway.json().getString("detail"))
                .isEqualTo(refusedDirect.json().getString("detail"));
    }

    // ------------------------------------------------------------------------------------------------ 400 / 404

    @Test
    @DisplayName("a key in the forwarded URL is 400 even beside a valid Authorization header, and never echoed")
    void aKeyInTheUrlIs400() {
        for (String query : List.of("api_key=", "key=", "token=", "access_token=", "apikey=")) {
            Reply r = refused(gatewayA.ask("GET", "/api/v1/people?" + query + peopleKey, peopleKey), 400);
            assertThat(r.body()).doesNotContain(peopleKey);
            assertThat(r.headers().entries().toString()).doesNotContain(peopleKey);
        }
        refused(gatewayA.ask("GET", "/api/v1/people?limit=5&api_key=" + peopleKey, null), 400);
    }

    @Test
    @DisplayName("no forwarded URI, or one over the contract's 2,000 characters, is 400 with X-Keysmith-Status")
    void aMissingOrOversizedForwardedUriIs400() {
        refused(gatewayA.ask("GET", "/api/v1/people", peopleKey, "X-Forwarded-Uri", null), 400);
        refused(gatewayA.ask("GET", "/api/v1/people?q=" + "x".repeat(2_100), peopleKey), 400);
    }

    @Test
    @DisplayName("a method and URI that name no operation of the contract are 404 unknown-operation")
    void anUnknownOperationIs404() {
        List<String> wrong = new ArrayList<>();
        for (String[] mu : List.of(
                new String[] {"GET", "/api/v1/nothing-here"},
                new String[] {"GET", "/partner/data"},
                new String[] {"GET", "/"},
                new String[] {"GET", "/API/v1/People"},
                new String[] {"PUT", "/api/v1/people"},
                new String[] {"BREW", "/api/v1/people"},
                new String[] {"GET", "/api/v1/people/" + personId + "/salary"})) {
            Reply r = gatewayA.ask(mu[0], mu[1], peopleKey);
            String w = ForwardAuthClient.notRefused(r, 404);
            if (w == null && !type(r).equals("unknown-operation")) {
                w = "type " + type(r);
            }
            if (w != null) {
                wrong.add(mu[0] + " " + mu[1] + ": " + w);
            }
        }
        assertThat(wrong).as("unknown operations").isEmpty();
    }

    @Test
    @DisplayName("session-only operations (/users, /api-keys, /me) are 401 as the API answers; people writes, open"
            + " to keys since issue 15, are 403 for an INHERIT key (reads only) there and in the API")
    void sessionOnlyOperationsAre401() {
        List<String> wrong = new ArrayList<>();
        for (String[] mu : List.of(
                new String[] {"POST", "/api/v1/api-keys"},
                new String[] {"GET", "/api/v1/users"},
                new String[] {"GET", "/api/v1/api-keys"},
                new String[] {"GET", "/api/v1/me"})) {
            assertThat(gatewayA.direct(mu[0], mu[1], peopleKey).status())
                    .as("the key directly on %s %s", mu[0], mu[1])
                    .isEqualTo(401);
            Reply r = gatewayA.ask(mu[0], mu[1], peopleKey);
            String w = ForwardAuthClient.notRefused(r, 401);
            if (w != null) {
                wrong.add(mu[0] + " " + mu[1] + ": " + w + " " + r.headers().get("X-Keysmith-Permissions"));
            }
        }
        for (String[] mu : List.of(
                new String[] {"POST", "/api/v1/people"},
                new String[] {"PATCH", "/api/v1/people/" + personId},
                new String[] {"DELETE", "/api/v1/people/" + personId})) {
            assertThat(gatewayA.direct(mu[0], mu[1], peopleKey).status())
                    .as("the INHERIT key directly on %s %s", mu[0], mu[1])
                    .isEqualTo(403);
            String w = ForwardAuthClient.notRefused(gatewayA.ask(mu[0], mu[1], peopleKey), 403);
            if (w != null) {
                wrong.add(mu[0] + " " + mu[1] + ": " + w);
            }
        }
        assertThat(wrong).as("session-only operations through forward-auth").isEmpty();
        assertThat(api.getKey(ownerA, "00000000-0000-0000-0000-000000000000").status())
                .isEqualTo(404); // the session still works: nothing here changes state
        assertThat(gatewayA.direct("GET", "/api/v1/people/" + personId, peopleKey)
                        .status())
                .as("the person was not deleted")
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------------ the gateway

    @Test
    @DisplayName(
            "a gateway without its Verification key (none, unknown, or a People key) is 401 with X-Keysmith-Status")
    void aGatewayMustAuthenticate() {
        ForwardAuthClient none = new ForwardAuthClient(api, null);
        refused(none.ask("GET", "/api/v1/people", peopleKey), 401);
        refused(new ForwardAuthClient(api, KeyFormat.generate()).ask("GET", "/api/v1/people", peopleKey), 401);
        Reply wrongType = new ForwardAuthClient(api, peopleKey).ask("GET", "/api/v1/people", peopleKey);
        assertThat(wrongType.status()).as(wrongType.toString()).isIn(401, 403);
        refused(wrongType, wrongType.status());
    }

    @Test
    @DisplayName(
            "organization A's gateway never authorizes B's key (401), and such calls are neither metered nor recorded on it")
    void theOrganizationFence() {
        JsonObject created = api.inheritKey(ownerB, "b's partner", "PEOPLE");
        String bKey = secret(created);
        String bKeyId = id(created);
        Reply own = gatewayB.ask("GET", "/api/v1/people", bKey, "X-Real-IP", "10.55.55.55");
        assertThat(own.status()).as("B's own gateway: %s", own).isEqualTo(200);
        long before = KeyTraffic.poll(
                () -> ForwardAuthClient.usageTotal(api, ownerB, bKeyId), n -> n >= 1, Duration.ofSeconds(10));
        assertThat(before).isEqualTo(1);

        for (int i = 0; i < 20; i++) {
            Reply r = gatewayA.ask("GET", "/api/v1/people", bKey, "X-Real-IP", "10.66.66." + (i + 1));
            refused(r, 401);
            assertThat(r.headers().entries().toString()).doesNotContain(ownerB.organizationId());
        }
        // a marker use after the fenced calls: once it is counted, anything counted before it is too
        assertThat(gatewayB.direct("GET", "/api/v1/people", bKey).status()).isEqualTo(200);
        long after = KeyTraffic.poll(
                () -> ForwardAuthClient.usageTotal(api, ownerB, bKeyId), n -> n >= before + 1, Duration.ofSeconds(10));
        assertThat(after).as("B's key counted only its own two uses").isEqualTo(before + 1);
        assertThat(db.count(
                        "SELECT count(*) FROM key_addresses WHERE key_id = ? AND address LIKE '10.66.66.%'", bKeyId))
                .as("no address of A's partners recorded on B's key")
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM audit_events WHERE organization_id = ? AND source_address LIKE '10.66.66.%'",
                        ownerB.organizationId()))
                .as("nothing audited in B about A's gateway's calls")
                .isZero();
    }

    // ------------------------------------------------------------------------------------------------ the address

    @Test
    @DisplayName(
            "the allowlist sees the address an authenticated gateway forwards in X-Real-IP; nobody else can set it")
    void theAllowlistUsesTheForwardedAddress() {
        String fenced = secret(api.createKey(
                ownerA,
                keyBody("ten slash eight", "PEOPLE", "INHERIT").put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))));
        assertThat(gatewayA.ask("GET", "/api/v1/people", fenced, "X-Real-IP", "10.1.1.1")
                        .status())
                .isEqualTo(200);
        refused(gatewayA.ask("GET", "/api/v1/people", fenced), 401); // absent: the gateway's own 127.0.0.1
        refused(gatewayA.ask("GET", "/api/v1/people", fenced, "X-Real-IP", "192.168.1.1"), 401);
        refused(gatewayA.ask("GET", "/api/v1/people", fenced, "X-Real-IP", "2001:db8::1"), 401);
        refused(
                new ForwardAuthClient(api, KeyFormat.generate())
                        .ask("GET", "/api/v1/people", fenced, "X-Real-IP", "10.1.1.1"),
                401);
        Reply direct = api.call(
                io.vertx.core.http.HttpMethod.GET,
                "/api/v1/people",
                null,
                null,
                Map.of("Authorization", "Bearer " + fenced, "X-Real-IP", "10.1.1.1", "X-Forwarded-For", "10.1.1.1"));
        assertThat(direct.status())
                .as("a partner cannot claim an address: %s", direct)
                .isEqualTo(401);
    }

    @Test
    @DisplayName(
            "a forwarded address that is not one IP literal (list, port, name, markup, 3.5 KB) is 400 and never stored")
    void aForwardedAddressMustBeAnIpLiteral() {
        JsonObject created = api.inheritKey(ownerA, "address hygiene", "PEOPLE");
        String key = secret(created);
        String keyId = id(created);
        String marker = "10.77." + (System.nanoTime() % 200) + ".7";
        List<String> invalid = List.of(
                "not-an-ip",
                "10.1.1.1, 10.2.2.2",
                "10.1.1.1:8080",
                "999.1.1.1",
                "10.1.1",
                "<b>10.1.1.1</b>",
                "::ffff:zz",
                "a".repeat(3500));
        for (String value : invalid) {
            Reply r = refused(gatewayA.ask("GET", "/api/v1/people", key, "X-Real-IP", value), 400);
            assertThat(r.body()).doesNotContain(value.length() > 100 ? value.substring(0, 100) : "<b>");
            Reply mapped = gatewayA.ask(
                    "GET", "/api/v1/people", key, "X-Real-IP", value, "X-Keysmith-Gateway-Mode", "auth-request");
            assertThat(mapped.status()).as("auth-request mode: %s", mapped).isEqualTo(403);
            assertThat(mapped.header("X-Keysmith-Status")).isEqualTo("400");
        }
        assertThat(gatewayA.ask("GET", "/api/v1/people", key, "X-Real-IP", marker)
                        .status())
                .isEqualTo(200);
        long seen = KeyTraffic.poll(
                () -> db.count("SELECT count(*) FROM key_addresses WHERE key_id = ? AND address = ?", keyId, marker),
                n -> n >= 1,
                Duration.ofSeconds(10));
        assertThat(seen).as("the marker's address was recorded").isEqualTo(1);
        for (String value : invalid) {
            assertThat(db.count("SELECT count(*) FROM key_addresses WHERE address = ?", value))
                    .as("stored address %s", value.length() > 20 ? value.substring(0, 20) + "..." : value)
                    .isZero();
            assertThat(db.count("SELECT count(*) FROM audit_events WHERE source_address = ?", value))
                    .isZero();
        }
        assertThat(db.count("SELECT count(*) FROM key_addresses WHERE key_id = ? AND address <> ?", keyId, marker))
                .as("only the marker's address on this key")
                .isZero();
    }

    // ------------------------------------------------------------------------------------------------ nginx mode

    @Test
    @DisplayName(
            "X-Keysmith-Gateway-Mode: auth-request keeps 401 and 200, turns every other refusal into 403 carrying the"
                    + " real status, Retry-After and RateLimit headers")
    void authRequestModeMapsStatuses() {
        String mode = "X-Keysmith-Gateway-Mode";
        String audit = secret(api.inheritKey(ownerA, "siem 2", "AUDIT"));
        String limited = secret(api.createKey(
                ownerA, keyBody("two a minute, nginx", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 2)));

        assertThat(gatewayA.ask("GET", "/api/v1/people", peopleKey, mode, "auth-request")
                        .status())
                .isEqualTo(200);
        Reply unknown = gatewayA.ask("GET", "/api/v1/people", KeyFormat.generate(), mode, "auth-request");
        List<String> wrong = new ArrayList<>();
        if (ForwardAuthClient.notRefused(unknown, 401) != null) {
            wrong.add("real 401: " + ForwardAuthClient.notRefused(unknown, 401));
        }
        Map<String, Reply> mapped = new LinkedHashMap<>();
        mapped.put("403", gatewayA.ask("GET", "/api/v1/people", audit, mode, "auth-request"));
        mapped.put("400", gatewayA.ask("GET", "/api/v1/people?api_key=" + peopleKey, peopleKey, mode, "auth-request"));
        mapped.put("404", gatewayA.ask("GET", "/api/v1/nothing-here", peopleKey, mode, "auth-request"));
        gatewayA.ask("GET", "/api/v1/people", limited, mode, "auth-request");
        gatewayA.ask("GET", "/api/v1/people", limited, mode, "auth-request");
        mapped.put("429", gatewayA.ask("GET", "/api/v1/people", limited, mode, "auth-request"));
        mapped.forEach((real, r) -> {
            if (r.status() != 403 || !real.equals(r.header("X-Keysmith-Status"))) {
                wrong.add("real " + real + ": " + r.status() + " X-Keysmith-Status " + r.header("X-Keysmith-Status"));
            }
        });
        assertThat(wrong).as("auth-request mode").isEmpty();
        Reply limitedReply = mapped.get("429");
        assertThat(limitedReply.header("Retry-After")).isNotBlank();
        assertThat(limitedReply.header("RateLimit-Policy")).contains("q=2");
        assertThat(limitedReply.header("RateLimit")).isNotBlank();
        Reply traefik = refused(gatewayA.ask("GET", "/api/v1/people", limited), 429);
        assertThat(traefik.header("Retry-After"))
                .as("without the mode: the real status")
                .isNotBlank();
    }

    // ------------------------------------------------------------------------------------------------ URIs

    @Test
    @DisplayName("URI edge cases: for the same key, method and URI, forward-auth answers what the API answers directly"
            + " (encodings, slashes, dot segments, HEAD, matrix parameters, case, query strings)")
    void forwardAuthIsEquivalentToTheApiForEdgeCaseUris() {
        String p = personId;
        String unknownPerson = UUID.randomUUID().toString();
        String audit = secret(api.inheritKey(ownerA, "siem 3", "AUDIT"));
        String forged = KeyFormat.generate();
        List<String[]> cases = new ArrayList<>();
        for (String uri : List.of(
                "/api/v1/people",
                "/api/v1/people/",
                "/api/v1/people/" + p,
                "/api/v1/people/" + p + "/",
                "/api/v1/people/" + unknownPerson,
                "/api/v1/people/not-a-uuid",
                "//api/v1/people",
                "/api/v1//people",
                "/api/v1/people//" + p,
                "/api/v1/./people",
                "/api/v1/people/./" + p,
                "/api/v1/people/../people",
                "/api/v1/people/" + p + "/..",
                "/api/v1/users/../people",
                "/api/v1/people/%2e%2e",
                "/api/v1/people/%2E%2E/users",
                "/api/v1/people/..%2Fusers",
                "/api/v1/people%2F" + p,
                "/api/v1/people/" + p + "%2F..",
                "/api/v1/people%5C" + p,
                "/api/v1/%70eople",
                "/api/v1/people/%00",
                "/api/v1/people;x=1",
                "/api/v1/people/" + p + ";x=1",
                "/API/v1/People",
                "/api/v1/People",
                "/api/v1/people?limit=5",
                "/api/v1/people?limit=5&offset=0#frag",
                "/api/v1/people?",
                "/api/v1/people?limit=5&api_key=" + peopleKey,
                "/api/v1/people?TOKEN=" + peopleKey,
                "/api/v1/audit-events",
                "/api/v1/users",
                "/api/v1/people/" + p + "/%2e")) {
            cases.add(new String[] {"GET", uri, peopleKey});
        }
        cases.add(new String[] {"HEAD", "/api/v1/people", peopleKey});
        cases.add(new String[] {"HEAD", "/api/v1/people/" + p, peopleKey});
        cases.add(new String[] {"OPTIONS", "/api/v1/people", peopleKey});
        cases.add(new String[] {"get", "/api/v1/people", peopleKey});
        cases.add(new String[] {"POST", "/api/v1/people", peopleKey});
        cases.add(new String[] {"DELETE", "/api/v1/people/%2e%2e", peopleKey});
        cases.add(new String[] {"GET", "/api/v1/people", audit});
        cases.add(new String[] {"GET", "/api/v1/%70eople", audit});
        cases.add(new String[] {"GET", "/api/v1/audit-events", audit});
        cases.add(new String[] {"GET", "/api/v1/people", forged});
        cases.add(new String[] {"GET", "/api/v1/people/%2e%2e", forged});

        List<String> mismatches = new ArrayList<>();
        for (String[] c : cases) {
            Reply direct = gatewayA.direct(c[0], c[1], c[2]);
            Reply forward = gatewayA.ask(c[0], c[1], c[2]);
            String verdict = ambiguous(c[1])
                    ? forward.status() == 400 ? null : "an ambiguous URI: expected 400"
                    : equivalent(direct, forward);
            if (verdict != null) {
                mismatches.add(c[0] + " " + c[1].replace(peopleKey, "<key>") + ": direct " + direct.status() + ", "
                        + "forward-auth " + forward.status() + " (" + verdict + ") "
                        + forward.body().replace(peopleKey, "<key>"));
            }
            if (verdict == null
                    && forward.status() >= 300
                    && !Integer.toString(forward.status()).equals(forward.header("X-Keysmith-Status"))) {
                mismatches.add(c[0] + " " + c[1].replace(peopleKey, "<key>") + ": " + forward.status()
                        + " without X-Keysmith-Status");
            }
        }
        assertThat(mismatches).as("forward-auth and the API disagree").isEmpty();
    }

    /**
     * BRIEF.md: a path with an encoded '/' or '\\', a NUL, or a dot segment (literal or encoded) is ambiguous and refused
     * with 400, whatever the router would make of it.
     */
    static boolean ambiguous(String uri) {
        int q = uri.indexOf('?');
        String path = (q < 0 ? uri : uri.substring(0, q)).toLowerCase(java.util.Locale.ROOT);
        if (path.contains("%2f") || path.contains("%5c") || path.contains("%00") || path.contains("\\")) {
            return true;
        }
        for (String segment : path.split("/", -1)) {
            String decoded = segment.replace("%2e", ".");
            if (decoded.equals(".") || decoded.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /**
     * BRIEF.md's rule: 400/401/403/429 directly → the same status (also a 400 of the API's parameter validation,
     * which forward-auth runs for the operation after the key's stages); 2xx or a matched operation's 404 directly → 200;
     * no operation matched directly (router 404/405) → 404 unknown-operation or 400 (ambiguous). Null when it holds.
     */
    private static String equivalent(Reply direct, Reply forward) {
        int d = direct.status();
        int f = forward.status();
        if (d == 400 || d == 401 || d == 403 || d == 429) {
            return f == d ? null : "expected " + d;
        }
        if (d >= 200 && d < 300 && String.valueOf(direct.header("content-type")).startsWith("text/html")) {
            // the SPA's index page answers paths no operation has (e.g. /API/v1/People): not an operation
            return f == 404 || f == 400 ? null : "the SPA answered, no operation matched: expected 404 or 400";
        }
        if (d >= 200 && d < 300) {
            return f == 200 ? null : "expected 200";
        }
        if (d == 404 || d == 405) {
            boolean routed = d == 404 && !direct.body().contains("No resource at");
            if (d == 404 && String.valueOf(direct.header("content-type")).startsWith("text/html")) {
                routed = false; // the SPA's page, not an operation
            }
            if (routed) {
                return f == 200 ? null : "a matched operation's 404: expected 200";
            }
            return f == 404 || f == 400 ? null : "no operation matched: expected 404 or 400";
        }
        return "unexpected direct status " + d + " " + direct.body();
    }

    // ------------------------------------------------------------------------------------------------ throttle

    @Test
    @DisplayName(
            "with KEYSMITH_GATEWAY_CLIENT_ADDRESS_HEADER set, only that header names the partner; failures are throttled"
                    + " per partner address (429 too-many-requests with Retry-After); other partners are not")
    void failuresAreThrottledPerPartnerAddress(Vertx vertx) throws Exception {
        String header = "X-Partner-Address";
        try (TestServer small = TestServer.start(
                PostgresFixture.get().newDatabase("forward_auth_throttle"),
                new JsonObject().put("key.failures.per.minute", 5).put("gateway.client.address.header", header))) {
            KeysApi other = new KeysApi(vertx, small.port());
            Session owner = other.signUp("Throttle Org", uniqueEmail("fa-throttle"));
            ForwardAuthClient gateway =
                    new ForwardAuthClient(other, secret(other.inheritKey(owner, "gateway", "VERIFICATION")));
            String good = secret(other.inheritKey(owner, "good partner", "PEOPLE"));
            String fenced = secret(other.createKey(
                    owner,
                    keyBody("ten slash eight", "PEOPLE", "INHERIT")
                            .put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))));
            assertThat(gateway.ask("GET", "/api/v1/people", fenced, header, "10.1.1.1")
                            .status())
                    .as("the configured header names the partner")
                    .isEqualTo(200);
            refused(gateway.ask("GET", "/api/v1/people", fenced, "X-Real-IP", "10.1.1.1"), 401);
            refused(gateway.ask("GET", "/api/v1/people", fenced, header, "10.1.1.1, 10.2.2.2"), 400);
            List<Integer> statuses = new ArrayList<>();
            Reply last = null;
            for (int i = 0; i < 10; i++) {
                last = gateway.ask("GET", "/api/v1/people", KeyFormat.generate(), header, "10.20.0.1");
                statuses.add(last.status());
            }
            assertThat(statuses)
                    .as("statuses from one partner address")
                    .startsWith(401)
                    .endsWith(429);
            refused(last, 429);
            assertThat(problemType(last)).isEqualTo("too-many-requests");
            assertThat(last.header("Retry-After")).isNotBlank();
            Reply mapped = gateway.ask(
                    "GET",
                    "/api/v1/people",
                    KeyFormat.generate(),
                    header,
                    "10.20.0.1",
                    "X-Keysmith-Gateway-Mode",
                    "auth-request");
            assertThat(mapped.status()).isEqualTo(403);
            assertThat(mapped.header("X-Keysmith-Status")).isEqualTo("429");
            assertThat(mapped.header("Retry-After")).isNotBlank();

            refused(gateway.ask("GET", "/api/v1/people", KeyFormat.generate(), header, "10.20.0.2"), 401);
            assertThat(gateway.ask("GET", "/api/v1/people", good, header, "10.20.0.3")
                            .status())
                    .as("another partner behind the same gateway is served")
                    .isEqualTo(200);
            assertThat(gateway.ask("GET", "/api/v1/people", good).status())
                    .as("the gateway's own address was not throttled by its partners' failures")
                    .isEqualTo(200);
        }
    }
}
