package io.keysmith.keys;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.Nginx;
import io.keysmith.support.PartnerUpstream;
import io.keysmith.support.TestServer;
import io.keysmith.support.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Debian's nginx (auth_request, two worker processes) with the README's configuration
 * (docs/gateway/nginx-keysmith.conf, as written) in front of a partner service that is not Keysmith's data API: what
 * the partner's client gets for each kind of key, and that refused requests never reach the partner service.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Behind Debian's nginx with the README's configuration, partners get Keysmith's real answers")
@TimingSensitive
class NginxGatewayIT {
    static final String CONFIG = "docs/gateway/nginx-keysmith.conf";

    private static TestServer server;
    private static KeysApi api;
    private static KeysApi viaNginx;
    private static Session owner;
    private static Nginx nginx;
    private static PartnerUpstream partner;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        Assumptions.assumeTrue(
                Nginx.binary() != null,
                "nginx is not installed: bin/test installs Debian's (apt-get install nginx); skipping the gateway test");
        api = KeysApi.onNewServer(vertx, "nginx_gateway", KeysApi.manyFailures());
        server = api.server();
        owner = api.signUp("Nginx Gateway Org", uniqueEmail("ng-owner"));
        String gatewayKey = api.inheritKey(owner, "nginx", "VERIFICATION").getString("secret");
        partner = PartnerUpstream.start(vertx);
        String snippet = Files.readString(repositoryFile(CONFIG))
                .replace("http://keysmith:8080", "http://127.0.0.1:" + server.port())
                .replace("http://partner-api:9000", "http://127.0.0.1:" + partner.port())
                .replace("<the gateway's Verification key>", gatewayKey);
        Path dir = Path.of(
                        System.getProperty("keysmith.test.dir", "target/test-data"),
                        "nginx-" + ProcessHandle.current().pid())
                .toAbsolutePath();
        nginx = Nginx.start(dir, snippet);
        viaNginx = KeysApi.throughGateway(vertx, nginx.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (partner != null) {
            partner.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void forget() {
        if (partner != null) {
            partner.clear();
        }
    }

    /** A file of the repository (the tests run in backend/). */
    static Path repositoryFile(String path) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(path))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("%s above %s", path, Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve(path);
    }

    private static Reply partnerCall(String uri, String secret) {
        return viaNginx.call(
                HttpMethod.GET,
                uri,
                null,
                null,
                secret == null ? Map.of() : Map.of("Authorization", "Bearer " + secret));
    }

    private static String secret(JsonObject created) {
        return created.getString("secret");
    }

    @Test
    @DisplayName("the README shows docs/gateway/nginx-keysmith.conf exactly as this test runs it")
    void theReadmeShowsTheTestedConfiguration() throws Exception {
        String readme = Files.readString(repositoryFile("README.md"));
        String config = Files.readString(repositoryFile(CONFIG));
        assertThat(readme).contains("```nginx\n" + config + "```");
        assertThat(readme).contains(CONFIG);
    }

    @Test
    @DisplayName(
            "the snippet's mapping itself, against a stand-in decider: 401 stays 401, a 403 carrying X-Keysmith-Status"
                    + " 400/404/429 reaches the client as that status with Retry-After and RateLimit headers")
    void theSnippetMapsTheRealStatusBack(Vertx vertx) throws Exception {
        // answers as BRIEF.md's auth-request mode does, for the status named by the last segment of the forwarded URI
        io.vertx.core.http.HttpServer decider = vertx.createHttpServer()
                .requestHandler(req -> {
                    String uri = req.getHeader("X-Original-URI");
                    int real = Integer.parseInt(uri.substring(uri.lastIndexOf('/') + 1));
                    var res = req.response();
                    if (real == 200) {
                        res.putHeader("X-Keysmith-Key-Id", "stand-in")
                                .setStatusCode(200)
                                .end();
                        return;
                    }
                    if (!"auth-request".equals(req.getHeader("X-Keysmith-Gateway-Mode"))) {
                        res.setStatusCode(500).end(); // the snippet must ask for the mode (nginx shows it as 500)
                        return;
                    }
                    res.putHeader("X-Keysmith-Status", Integer.toString(real))
                            .putHeader("Content-Type", "application/problem+json");
                    if (real == 429) {
                        res.putHeader("Retry-After", "7")
                                .putHeader("RateLimit-Policy", "\"key\";q=2;w=60")
                                .putHeader("RateLimit", "\"key\";r=0;t=7");
                    }
                    res.setStatusCode(real == 401 ? 401 : 403).end("{\"status\":" + real + "}");
                })
                .listen(0, "127.0.0.1")
                .await();
        String snippet = Files.readString(repositoryFile(CONFIG))
                .replace("http://keysmith:8080", "http://127.0.0.1:" + decider.actualPort())
                .replace("http://partner-api:9000", "http://127.0.0.1:" + partner.port())
                .replace("<the gateway's Verification key>", "stand-in");
        Path dir = Path.of(
                        System.getProperty("keysmith.test.dir", "target/test-data"),
                        "nginx-mapping-" + ProcessHandle.current().pid())
                .toAbsolutePath();
        try (Nginx mapping = Nginx.start(dir, snippet)) {
            KeysApi client = KeysApi.throughGateway(vertx, mapping.port());
            Map<Integer, Reply> replies = new java.util.TreeMap<>();
            for (int real : List.of(200, 400, 401, 403, 404, 429)) {
                replies.put(real, client.call(HttpMethod.GET, "/api/v1/s/" + real, null, null, Map.of()));
            }
            replies.forEach((real, r) -> assertThat(r.status())
                    .as("%s: %s\n%s", real, r, mapping.errorLog())
                    .isEqualTo(real));
            assertThat(replies.get(200).body()).isEqualTo(PartnerUpstream.BODY);
            assertThat(replies.get(429).header("Retry-After")).isEqualTo("7");
            assertThat(replies.get(429).header("RateLimit-Policy")).isEqualTo("\"key\";q=2;w=60");
            assertThat(replies.get(429).header("RateLimit")).isEqualTo("\"key\";r=0;t=7");
            assertThat(replies.get(400).header("Retry-After")).isNull();
            assertThat(partner.seen())
                    .as("only the allowed request reached the partner")
                    .hasSize(1);
        } finally {
            decider.close().await();
        }
    }

    @Test
    @DisplayName("a partner key passes to the partner service, which gets the key's identity but never the key")
    void aPartnerKeyPasses() {
        String key = secret(api.inheritKey(owner, "partner", "PEOPLE"));
        Reply r = partnerCall("/api/v1/people?limit=5", key);
        assertThat(r.status()).as("%s\n%s", r, nginx.errorLog()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(PartnerUpstream.BODY);
        assertThat(r.header("RateLimit-Policy"))
                .as("RateLimit-Policy passed on")
                .isNotBlank();
        assertThat(partner.seen()).hasSize(1);
        PartnerUpstream.Seen seen = partner.seen().get(0);
        assertThat(seen.uri()).isEqualTo("/api/v1/people?limit=5");
        assertThat(seen.headers().get("X-Keysmith-Organization-Id")).isEqualTo(owner.organizationId());
        assertThat(seen.headers().get("X-Keysmith-Key-Id")).isNotBlank();
        assertThat(seen.headers().get("X-Keysmith-Permissions")).contains("people:read");
        assertThat(seen.headers().toString()).doesNotContain(key);
    }

    @Test
    @DisplayName("missing, unknown and disabled keys are 401; another API type is 403; none reaches the partner")
    void refusedKeysNeverReachThePartner() {
        JsonObject disabled = api.inheritKey(owner, "disabled", "PEOPLE");
        assertThat(api.keyAction(owner, disabled.getJsonObject("key").getString("id"), "disable", null)
                        .status())
                .isEqualTo(200);
        String audit = secret(api.inheritKey(owner, "siem", "AUDIT"));
        assertThat(partnerCall("/api/v1/people", null).status()).as("no key").isEqualTo(401);
        assertThat(partnerCall("/api/v1/people", KeyFormat.generate()).status())
                .as("unknown key")
                .isEqualTo(401);
        assertThat(partnerCall("/api/v1/people", "not-a-key").status())
                .as("malformed")
                .isEqualTo(401);
        assertThat(partnerCall("/api/v1/people", secret(disabled)).status())
                .as("disabled key")
                .isEqualTo(401);
        Reply outside = partnerCall("/api/v1/people", audit);
        assertThat(outside.status()).as("another API type: %s", outside).isEqualTo(403);
        assertThat(partner.seen()).as("the partner service saw nothing").isEmpty();
    }

    @Test
    @DisplayName("a key in the URL reaches the partner's client as 400, an unknown operation as 404, never as 500")
    void aKeyInTheUrlIs400() {
        String key = secret(api.inheritKey(owner, "in the url", "PEOPLE"));
        Reply r = partnerCall("/api/v1/people?api_key=" + key, key);
        assertThat(r.status()).as("%s\n%s", r, nginx.errorLog()).isEqualTo(400);
        assertThat(r.body()).doesNotContain(key);
        Reply unknown = partnerCall("/api/v1/nothing-here", key);
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(partner.seen()).isEmpty();
    }

    @Test
    @DisplayName(
            "a key limited to 2 a minute: 200, 200, then 429 with Retry-After; the third never reaches the partner")
    void aRateLimitedKeyIs429WithRetryAfter() {
        String key = secret(api.createKey(
                owner, keyBody("two a minute", "PEOPLE", "INHERIT").put("rateLimitPerMinute", 2)));
        List<Reply> replies = List.of(
                partnerCall("/api/v1/people", key),
                partnerCall("/api/v1/people", key),
                partnerCall("/api/v1/people", key));
        assertThat(replies.stream().map(Reply::status).toList())
                .as("%s\n%s", replies, nginx.errorLog())
                .containsExactly(200, 200, 429);
        Reply limited = replies.get(2);
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isPositive();
        assertThat(limited.header("RateLimit-Policy")).contains("q=2");
        assertThat(partner.seen()).hasSize(2);
    }

    @Test
    @DisplayName("a key disabled through the API is refused by nginx within 1 s")
    void aDisabledKeyIsRefusedWithinASecond() throws Exception {
        JsonObject created = api.inheritKey(owner, "soon disabled", "PEOPLE");
        String key = secret(created);
        for (int i = 0; i < 3; i++) {
            assertThat(partnerCall("/api/v1/people", key).status()).as("warm").isEqualTo(200);
        }
        assertThat(api.keyAction(owner, created.getJsonObject("key").getString("id"), "disable", null)
                        .status())
                .isEqualTo(200);
        long disabledAt = System.nanoTime();
        int status = 200;
        while (System.nanoTime() - disabledAt < 1_000_000_000L) {
            status = partnerCall("/api/v1/people", key).status();
            if (status == 401) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(status).as("nginx's answer 1 s after the disable returned").isEqualTo(401);
        assertThat(partnerCall("/api/v1/people", key).status())
                .as("and it stays refused")
                .isEqualTo(401);
    }
}
