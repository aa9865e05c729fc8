package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The verifier's internals seen through its three doors (a key-authenticated operation, verify, forward-auth) on a
 * real server: the same decision for the same key and operation, the key's rate limit spent once per request
 * whichever door, operations that do not accept keys refused as the API refuses them, the router's path
 * normalization (or a 400 when ambiguous), the partner address only as an IP literal, the real status in
 * X-Keysmith-Status (mapped for nginx's auth_request), and verify's own checks. The full black-box matrices are
 * the gateway suite's.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("One verifier: key-authenticated operations, verify and forward-auth give the same answer")
class KeyVerifierIT {
    private static TestServer server;
    private static KeysApi api;
    private static Session owner;
    private static String gateway;
    private static String people;
    private static String personId;

    @BeforeAll
    static void start(Vertx vertx) {
        api = KeysApi.onNewServer(vertx, "key_verifier", KeysApi.manyFailures());
        server = api.server();
        owner = api.signUp("Verifier Org", uniqueEmail("kv-owner"));
        personId = api.createPerson(owner, KeysApi.person("Pat", "Verified").put("department", "Finance"))
                .getString("id");
        gateway = api.createKey(
                        owner, keyBody("gateway", "VERIFICATION", "INHERIT").put("rateLimitPerMinute", 1_000_000))
                .getString("secret");
        people = api.createKey(owner, keyBody("people", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 1_000_000))
                .getString("secret");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Reply forward(String method, String uri, String key, Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Keysmith-Gateway-Key", gateway);
        h.put("X-Forwarded-Method", method);
        h.put("X-Forwarded-Uri", uri);
        if (key != null) {
            h.put("Authorization", "Bearer " + key);
        }
        h.putAll(extra);
        return api.call(HttpMethod.GET, "/api/v1/forward-auth", null, null, h);
    }

    private static Reply forward(String method, String uri, String key) {
        return forward(method, uri, key, Map.of());
    }

    private static Reply verify(JsonObject body) {
        return api.call(
                HttpMethod.POST, "/api/v1/api-keys/verify", null, body, Map.of("Authorization", "Bearer " + gateway));
    }

    @Test
    @DisplayName("a key's rate limit is one budget: spent by forward-auth, verify and the API alike, reported as 429"
            + " with Retry-After and RateLimit headers by each")
    void oneBudgetWhicheverDoor() {
        String key = api.createKey(
                        owner, keyBody("limited", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 3))
                .getString("secret");
        Reply first = forward("GET", "/api/v1/people", key);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.header("RateLimit-Policy")).isEqualTo("\"key\";q=3;w=60");
        assertThat(first.header("X-Keysmith-Operation-Id")).isEqualTo("listPeople");
        assertThat(api.withKey("/api/v1/people", key).status()).isEqualTo(200);
        assertThat(verify(new JsonObject().put("key", key)).json().getString("code"))
                .isEqualTo("VALID");
        Reply limited = forward("GET", "/api/v1/people", key);
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(limited.header("X-Keysmith-Status")).isEqualTo("429");
        assertThat(KeysApi.problemType(limited)).isEqualTo("rate-limited");
        assertThat(api.withKey("/api/v1/people", key).status()).isEqualTo(429);
        assertThat(verify(new JsonObject().put("key", key)).json().getString("code"))
                .isEqualTo("RATE_LIMITED");
        // nginx's auth_request passes only 2xx/401/403: the real status travels in a header
        Reply mapped = forward("GET", "/api/v1/people", key, Map.of("X-Keysmith-Gateway-Mode", "auth-request"));
        assertThat(mapped.status()).isEqualTo(403);
        assertThat(mapped.header("X-Keysmith-Status")).isEqualTo("429");
        assertThat(mapped.header("Retry-After")).isNotNull();
    }

    @Test
    @DisplayName("operations whose security does not accept keys are refused 401 by forward-auth, as the API refuses"
            + " the key there")
    void sessionOnlyOperationsAreNotForKeys() {
        // people writes accept keys since issue 15 (an INHERIT key is refused them with 403: KeyedWritesIT)
        for (String[] op : new String[][] {
            {"POST", "/api/v1/api-keys"},
            {"PUT", "/api/v1/organization/policies"},
            {"GET", "/api/v1/api-keys"},
            {"GET", "/api/v1/users"}
        }) {
            Reply direct = api.call(
                    HttpMethod.valueOf(op[0]),
                    op[1],
                    null,
                    op[0].equals("GET") || op[0].equals("DELETE") ? null : new JsonObject(),
                    Map.of("Authorization", "Bearer " + people));
            Reply fa = forward(op[0], op[1], people);
            assertThat(direct.status()).as("direct %s", direct).isEqualTo(401);
            assertThat(fa.status())
                    .as("forward-auth %s %s: %s", op[0], op[1], fa)
                    .isEqualTo(401);
            assertThat(fa.header("X-Keysmith-Permissions")).isNull();
        }
        Reply mapped = forward("POST", "/api/v1/api-keys", people, Map.of("X-Keysmith-Gateway-Mode", "auth-request"));
        assertThat(mapped.status()).isEqualTo(401);
        assertThat(mapped.header("X-Keysmith-Status")).isEqualTo("401");
    }

    @Test
    @DisplayName("the forwarded URI resolves as the router resolves it, or is refused 400 when ambiguous")
    void uriNormalizedAsTheRouterOrRefused() {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("/api/v1/people", 200);
        cases.put("/api/v1/people/", 200);
        cases.put("/api/v1//people", 200);
        cases.put("/api/v1/peop%6Ce", 200);
        cases.put("/api/v1/people/" + personId, 200);
        cases.put("/api/v1/people/" + personId + "/", 200);
        cases.put("/api/v1/people/" + personId.toUpperCase(), 200);
        cases.put("/api/v1/people?limit=5", 200);
        cases.put("/api/v1/people/%2e%2e", 400);
        cases.put("/api/v1/people/%2E%2E/people", 400);
        cases.put("/api/v1/people/..%2Fusers", 400);
        cases.put("/api/v1/people/../users", 400);
        cases.put("/api/v1/./people", 400);
        cases.put("/api/v1/people/a%2fb", 400);
        cases.put("/api/v1/people/a%5cb", 400);
        cases.put("/api/v1/people/a%00b", 400);
        cases.put("/api/v1/people;x=1", 400);
        cases.put("/api/v1/people/" + personId + ";x=1", 400);
        cases.put("/api/v1/People", 404);
        cases.put("/api/v1/nothing-here", 404);
        cases.put("/api/v1/people?api_key=" + people, 400);
        cases.forEach((uri, status) -> {
            Reply fa = forward("GET", uri, people);
            assertThat(fa.status()).as("forward-auth GET %s: %s", uri, fa).isEqualTo(status);
            if (status != 200) {
                assertThat(fa.header("X-Keysmith-Status")).isEqualTo(String.valueOf(status));
            }
        });
        Reply direct = api.withKey("/api/v1/people/" + personId + "/", people);
        assertThat(direct.status())
                .as("the router itself resolves a trailing slash")
                .isEqualTo(200);
        assertThat(forward("HEAD", "/api/v1/people", people).status())
                .as("HEAD is no operation of the contract")
                .isEqualTo(404);
        assertThat(forward("get", "/api/v1/people", people).status())
                .as("methods are case-sensitive")
                .isEqualTo(404);
        Reply unknown = forward("GET", "/api/v1/nothing-here", people);
        assertThat(KeysApi.problemType(unknown)).isEqualTo("unknown-operation");
    }

    @Test
    @DisplayName("the partner address is taken only as an IP literal, and is the one the key's allowlist checks")
    void partnerAddressIsAnIpLiteral() {
        String fenced = api.createKey(
                        owner,
                        keyBody("fenced", "PEOPLE", "INHERIT")
                                .put("ipAllowlist", new JsonArray().add("10.0.0.0/8"))
                                .put("rateLimitPerMinute", 1000))
                .getString("secret");
        assertThat(forward("GET", "/api/v1/people", fenced, Map.of("X-Real-IP", "10.1.2.3"))
                        .status())
                .isEqualTo(200);
        assertThat(forward("GET", "/api/v1/people", fenced, Map.of("X-Real-IP", "192.0.2.7"))
                        .status())
                .isEqualTo(401);
        assertThat(forward("GET", "/api/v1/people", fenced).status())
                .as("no header: the gateway's own address (127.0.0.1)")
                .isEqualTo(401);
        for (String bad : new String[] {"10.1", "not-an-ip", "10.0.0.1 <b>x</b>", "x".repeat(3500), "10.0.0.256"}) {
            Reply r = forward("GET", "/api/v1/people", fenced, Map.of("X-Real-IP", bad));
            assertThat(r.status())
                    .as("X-Real-IP %s", bad.length() > 40 ? bad.length() + " chars" : bad)
                    .isIn(400, 431);
        }
        assertThat(forward("GET", "/api/v1/people", fenced, Map.of("X-Real-IP", "::ffff:10.0.0.9"))
                        .status())
                .isEqualTo(200);
        assertThat(verify(new JsonObject().put("key", fenced).put("ipAddress", "10.9.9.9"))
                        .json()
                        .getString("code"))
                .isEqualTo("VALID");
        assertThat(verify(new JsonObject().put("key", fenced).put("ipAddress", "192.0.2.1"))
                        .json()
                        .getString("code"))
                .isEqualTo("IP_NOT_ALLOWED");
        Reply bad = verify(new JsonObject().put("key", fenced).put("ipAddress", "evil\nhost"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("field")).isEqualTo("ipAddress");
    }

    @Test
    @DisplayName("a gateway key of another organization never authorizes this organization's key: 401, like an"
            + " unknown key, for forward-auth and verify")
    void otherOrganizationsGateway() {
        Session other = api.signUp("Other Verifier Org", uniqueEmail("kv-other"));
        String otherGateway =
                api.createKey(other, keyBody("gw", "VERIFICATION", "INHERIT")).getString("secret");
        Reply fa = api.call(
                HttpMethod.GET,
                "/api/v1/forward-auth",
                null,
                null,
                Map.of(
                        "X-Keysmith-Gateway-Key",
                        otherGateway,
                        "X-Forwarded-Uri",
                        "/api/v1/people",
                        "Authorization",
                        "Bearer " + people));
        assertThat(fa.status()).isEqualTo(401);
        assertThat(fa.header("X-Keysmith-Key-Id")).isNull();
        Reply v = api.call(
                HttpMethod.POST,
                "/api/v1/api-keys/verify",
                null,
                new JsonObject().put("key", people),
                Map.of("Authorization", "Bearer " + otherGateway));
        assertThat(v.json().getString("code")).isEqualTo("NOT_FOUND");
        assertThat(v.json().containsKey("keyId")).isFalse();
    }
}
