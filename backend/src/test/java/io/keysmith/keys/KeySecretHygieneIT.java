package io.keysmith.keys;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.PostgresFixture;
import io.keysmith.support.TestServer;
import io.keysmith.support.UsageFlushes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@DisplayName("A key's secret appears in no log line, metric, error body or audit record; forgeries go nowhere")
class KeySecretHygieneIT {
    private static TestServer server;
    private static Api api;
    private static Session owner;
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    private static final List<String> secrets = new ArrayList<>();
    private static final List<String> bodies = new ArrayList<>();

    @BeforeAll
    static void start(Vertx vertx) {
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        server = TestServer.start(
                PostgresFixture.get().newDatabase("key_hygiene"),
                new JsonObject()
                        .put("http.access.log", true)
                        .put("key.failures.per.minute", 5000)
                        .put("usage.flush.seconds", 1));
        api = new Api(vertx, server.port());
        owner = api.signUp("Hygiene Org", Api.uniqueEmail("hygiene"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    }

    private static HttpResponse<Buffer> use(String key, String path) {
        HttpResponse<Buffer> r = api.call(HttpMethod.GET, path, null, null, Map.of("Authorization", "Bearer " + key));
        bodies.add(r.bodyAsString());
        return r;
    }

    @Test
    void aFullLifecycle_leavesNoSecretBehind(Vertx vertx) throws Exception {
        JsonObject created = api.post(
                        "/api/v1/api-keys",
                        owner,
                        new JsonObject()
                                .put("name", "Hygiene")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT"))
                .bodyAsJsonObject();
        String id = created.getJsonObject("key").getString("id");
        secrets.add(created.getString("secret"));
        use(secrets.get(0), "/api/v1/people");
        use(secrets.get(0), "/api/v1/audit-events"); // outside its type: 403
        bodies.add(api.call(HttpMethod.GET, "/api/v1/people?key=" + secrets.get(0), null, null, Map.of())
                .bodyAsString());
        String rotated = api.post(
                        "/api/v1/api-keys/" + id + "/rotate", owner, new JsonObject().put("gracePeriodSeconds", 0))
                .bodyAsJsonObject()
                .getString("secret");
        secrets.add(rotated);
        use(secrets.get(0), "/api/v1/people"); // old secret: 401
        use(rotated, "/api/v1/people");
        api.post("/api/v1/api-keys/" + id + "/revoke", owner, null);
        use(rotated, "/api/v1/people"); // revoked: 401
        UsageFlushes.of(vertx, server).awaitMore(2); // a whole usage flush after the traffic

        String audit = api.get("/api/v1/audit-events?limit=200", owner).bodyAsString();
        String metrics = WebClient.create(vertx)
                .get(server.managementPort(), "127.0.0.1", "/metrics")
                .send()
                .await()
                .bodyAsString();
        StringBuilder logs = new StringBuilder();
        LOGS.list.forEach(e -> logs.append(e.getFormattedMessage()).append('\n'));
        assertThat(logs.toString()).as("access log lines were captured").contains("GET /api/v1/people");
        for (String secret : secrets) {
            String random = secret.substring(4, 36); // the secret part, whatever surrounds it
            assertThat(logs.toString()).as("logs").doesNotContain(random);
            assertThat(metrics).as("metrics").doesNotContain(random).doesNotContain(secret.substring(0, 8));
            assertThat(audit).as("audit").doesNotContain(random);
            bodies.forEach(b -> assertThat(b).as("error and answer bodies").doesNotContain(random));
        }
    }

    @Test
    void everySingleCharacterChange_isRejected_overHttp() {
        String key = api.post(
                        "/api/v1/api-keys",
                        owner,
                        new JsonObject()
                                .put("name", "Mutated")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT"))
                .bodyAsJsonObject()
                .getString("secret");
        secrets.add(key);
        assertThat(use(key, "/api/v1/people").statusCode()).isEqualTo(200);
        Random random = new Random(7);
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
        for (int i = 0; i < 1_000; i++) {
            int at = random.nextInt(key.length());
            char c;
            do {
                c = alphabet.charAt(random.nextInt(alphabet.length()));
            } while (c == key.charAt(at));
            String mutated = key.substring(0, at) + c + key.substring(at + 1);
            HttpResponse<Buffer> r = api.call(
                    HttpMethod.GET, "/api/v1/people", null, null, Map.of("Authorization", "Bearer " + mutated));
            assertThat(r.statusCode()).as("mutation %s", mutated).isEqualTo(401);
        }
    }

    @Test
    void aForgedKeyWithAValidChecksum_isRejected_andThrottled(Vertx vertx) throws Exception {
        try (TestServer strict = TestServer.start(
                PostgresFixture.get().newDatabase("key_forgery"), new JsonObject().put("key.failures.per.minute", 5))) {
            Api strictApi = new Api(vertx, strict.port());
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String forged = KeyFormat.generate(); // well formed, checksum valid, never issued
                HttpResponse<Buffer> r = strictApi.call(
                        HttpMethod.GET, "/api/v1/people", null, null, Map.of("Authorization", "Bearer " + forged));
                statuses.add(r.statusCode());
                if (r.statusCode() == 429) {
                    assertThat(r.getHeader("Retry-After")).isNotBlank();
                }
            }
            assertThat(statuses.subList(0, 5)).containsOnly(401);
            assertThat(statuses.subList(5, 8)).containsOnly(429);
        }
    }

    @Test
    void aKey_isBoundToItsOrganization() {
        Session other = api.signUp("Other Hygiene Org", Api.uniqueEmail("other-hygiene"));
        api.createPerson(other, new JsonObject().put("firstName", "Only").put("lastName", "Theirs"));
        String mine = api.post(
                        "/api/v1/api-keys",
                        owner,
                        new JsonObject()
                                .put("name", "Mine")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT"))
                .bodyAsJsonObject()
                .getString("secret");
        secrets.add(mine);
        JsonArray seen =
                use(mine, "/api/v1/people?limit=200").bodyAsJsonObject().getJsonArray("items");
        assertThat(seen.encode()).doesNotContain("Theirs");
        String theirKeyId = api.post(
                        "/api/v1/api-keys",
                        other,
                        new JsonObject()
                                .put("name", "Theirs")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT"))
                .bodyAsJsonObject()
                .getJsonObject("key")
                .getString("id");
        Api.problem(api.get("/api/v1/api-keys/" + theirKeyId, owner), 404);
        Api.problem(api.post("/api/v1/api-keys/" + theirKeyId + "/disable", owner, null), 404);
        // an Employee sees and touches only their own keys
        Session employee = api.createSignedInUser(owner, Api.uniqueEmail("employee"), "EMPLOYEE");
        String ownersKey = api.get("/api/v1/api-keys", owner)
                .bodyAsJsonObject()
                .getJsonArray("items")
                .getJsonObject(0)
                .getString("id");
        Api.problem(api.get("/api/v1/api-keys/" + ownersKey, employee), 404);
        Api.problem(api.post("/api/v1/api-keys/" + ownersKey + "/revoke", employee, null), 404);
        Api.problem(
                api.post(
                        "/api/v1/api-keys",
                        employee,
                        new JsonObject()
                                .put("name", "For the owner")
                                .put("apiType", "PEOPLE")
                                .put("permissionMode", "INHERIT")
                                .put("ownerUserId", owner.userId())),
                403);
        Api.problem(api.get("/api/v1/organization/api-keys", employee), 403);
    }
}
