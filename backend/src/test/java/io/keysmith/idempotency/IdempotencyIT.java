package io.keysmith.idempotency;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.person;
import static io.keysmith.support.KeysApi.problem;
import static io.keysmith.support.KeysApi.problemType;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.Poll;
import io.keysmith.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idempotency-Key on creating operations (issue 15 item 3, ADR 0012), over real HTTP and PostgreSQL: a retry with
 * the same key and body replays the first answer without doing the work again, also after a restart; another body
 * is 422; a concurrent retry while the first is at work is 409 (the interleaving forced by holding a lock the work
 * needs); keys are per organization and credential, at most 255 characters; refusals are not kept; a new key's
 * secret is never stored for a replay.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Idempotency-Key: replays the first answer, refuses another body (422) and a concurrent twin (409)")
class IdempotencyIT {
    private static final String PEOPLE = "/api/v1/people";
    private static Vertx vertx;
    private static TestServer server;
    private static KeysApi api;
    private static DbProbe db;
    private static Session ownerA;
    private static Session ownerB;
    private static String writer;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        server = TestServer.start(
                io.keysmith.support.PostgresFixture.get().newDatabase("idempotency"), KeysApi.manyFailures());
        api = new KeysApi(vertx, server.port());
        db = new DbProbe(server.database.getDatabase());
        ownerA = api.signUp("Idempotent A", uniqueEmail("idem-a"));
        ownerB = api.signUp("Idempotent B", uniqueEmail("idem-b"));
        writer = writerKey(ownerA, "idem writer");
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
        if (server != null) {
            server.close();
        }
    }

    static String writerKey(Session owner, String name) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String f : List.of("firstName", "lastName", "workEmail", "jobTitle", "department")) {
            fields.put(f, "EDIT");
        }
        return api.createKey(
                        owner,
                        keyBody(name, "PEOPLE", "SCOPED")
                                .put(
                                        "permissions",
                                        new JsonArray().add("people:read").add("people:create"))
                                .put("fieldRights", new JsonObject(new LinkedHashMap<>(fields))))
                .getString("secret");
    }

    private static Reply keyed(KeysApi client, String key, String idem, Object body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer " + key);
        if (idem != null) {
            h.put("Idempotency-Key", idem);
        }
        return client.call(HttpMethod.POST, PEOPLE, null, body, h);
    }

    private static Reply session(Session s, String path, String idem, Object body) {
        return api.call(HttpMethod.POST, path, s, body, Map.of("Idempotency-Key", idem));
    }

    private static long people(Session s) {
        return db.people(s.organizationId());
    }

    @Test
    @DisplayName("the same key and body replay the first answer (status, body, ETag, Idempotent-Replayed: true) and"
            + " create once, with a key and with a session")
    void aRetryReplaysTheFirstAnswer() {
        JsonObject body = person("Rita", "Retry");
        String idem = UUID.randomUUID().toString();
        long before = people(ownerA);
        Reply first = keyed(api, writer, idem, body);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        Reply again = keyed(api, writer, idem, body);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(people(ownerA)).isEqualTo(before + 1);

        String sidem = "session-" + UUID.randomUUID();
        JsonObject sbody = person("Sam", "Session");
        Reply s1 = session(ownerA, PEOPLE, sidem, sbody);
        Reply s2 = session(ownerA, PEOPLE, sidem, sbody);
        assertThat(s1.status()).isEqualTo(201);
        assertThat(s2.body()).isEqualTo(s1.body());
        assertThat(s2.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(people(ownerA)).isEqualTo(before + 2);
    }

    @Test
    @DisplayName("the same key with another body is 422 naming the header, and creates nothing")
    void anotherBodyIs422() {
        String idem = UUID.randomUUID().toString();
        assertThat(keyed(api, writer, idem, person("One", "Body")).status()).isEqualTo(201);
        long before = people(ownerA);
        Reply other = keyed(api, writer, idem, person("Two", "Body"));
        assertThat(problem(other, 422).getString("field")).isEqualTo("Idempotency-Key");
        assertThat(problemType(other)).isEqualTo("idempotency-key-reused");
        assertThat(people(ownerA)).isEqualTo(before);
    }

    @Test
    @DisplayName("keys are scoped per credential and organization: another key of A, a session, and B's key with"
            + " the same value each do their own work")
    void keysAreScopedPerCredentialAndOrganization() {
        String idem = "shared-" + UUID.randomUUID();
        JsonObject body = person("Sha", "Red");
        long a = people(ownerA);
        long b = people(ownerB);
        assertThat(keyed(api, writer, idem, body).status()).isEqualTo(201);
        Reply otherKey = keyed(api, writerKey(ownerA, "second writer"), idem, body);
        assertThat(otherKey.status()).isEqualTo(201);
        assertThat(otherKey.header("Idempotent-Replayed")).isNull();
        Reply bs = keyed(api, writerKey(ownerB, "b writer"), idem, body);
        assertThat(bs.status()).isEqualTo(201);
        assertThat(bs.header("Idempotent-Replayed")).isNull();
        assertThat(people(ownerA)).isEqualTo(a + 2);
        assertThat(people(ownerB)).isEqualTo(b + 1);
    }

    @Test
    @DisplayName("a key longer than 255 characters, empty or with spaces is 400 naming the header, nothing created")
    void badKeysAre400() {
        long before = people(ownerA);
        for (String bad : new String[] {"k".repeat(256), "with space", "tab\there"}) {
            Reply r = keyed(api, writer, bad, person("Too", "Long"));
            assertThat(problem(r, 400).getString("field")).as("%s", r).isEqualTo("Idempotency-Key");
        }
        assertThat(keyed(api, writer, "k".repeat(255), person("Just", "Fits")).status())
                .isEqualTo(201);
        assertThat(people(ownerA)).isEqualTo(before + 1);
        assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE length(idempotency_key) > 255"))
                .isZero();
    }

    @Test
    @DisplayName("a refusal is not kept: after a 403 (a field the key may not edit) the same key works for the fixed"
            + " request; a 400 from the contract claims nothing")
    void refusalsAreNotKept() {
        String idem = UUID.randomUUID().toString();
        long before = people(ownerA);
        Reply refused = keyed(api, writer, idem, person("No", "Salary").put("salary", 5));
        assertThat(problem(refused, 403).getString("field")).isEqualTo("salary");
        assertThat(problem(keyed(api, writer, idem, new JsonObject().put("firstName", "x")), 400))
                .isNotNull();
        assertThat(people(ownerA)).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?::text", idem))
                .isZero();
        Reply fixed = keyed(api, writer, idem, person("Fixed", "Request"));
        assertThat(fixed.status()).isEqualTo(201);
        assertThat(fixed.header("Idempotent-Replayed")).isNull();
    }

    @Test
    @DisplayName("two requests with the same key at once: while the first is held at its work the second is 409,"
            + " then the first completes (201) and a retry replays it; one record")
    void aConcurrentTwinIs409() throws Exception {
        String idem = UUID.randomUUID().toString();
        JsonObject body = person("Con", "Current");
        long before = people(ownerA);
        Reply[] second = new Reply[1];
        CompletableFuture<Reply> first;
        try (Connection lock = db.owner()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                // the first request claims its key, then waits for this lock to insert the person
                st.execute("LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE");
            }
            first = CompletableFuture.supplyAsync(() -> keyed(api, writer, idem, body));
            Poll.until(
                    () -> db.count(
                                    "SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?::text AND state = 'IN_PROGRESS'",
                                    idem)
                            == 1,
                    Duration.ofSeconds(20),
                    "the first request claimed its key");
            second[0] = keyed(api, writer, idem, body);
            lock.commit();
        }
        assertThat(problem(second[0], 409).getString("field")).isEqualTo("Idempotency-Key");
        assertThat(problemType(second[0])).isEqualTo("idempotency-in-progress");
        Reply done = first.get(30, TimeUnit.SECONDS);
        assertThat(done.status()).as(done.toString()).isEqualTo(201);
        Reply replay = keyed(api, writer, idem, body);
        assertThat(replay.body()).isEqualTo(done.body());
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(people(ownerA)).isEqualTo(before + 1);
    }

    @Test
    @DisplayName("a replay survives a restart of the server (the answer is in PostgreSQL)")
    void aReplaySurvivesARestart() throws Exception {
        String idem = UUID.randomUUID().toString();
        JsonObject body = person("Re", "Start");
        Reply first = keyed(api, writer, idem, body);
        assertThat(first.status()).isEqualTo(201);
        long after = people(ownerA);
        server.close();
        api.close();
        server = TestServer.start(server.database, KeysApi.manyFailures());
        api = new KeysApi(vertx, server.port());
        Reply again = keyed(api, writer, idem, body);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(people(ownerA)).isEqualTo(after);
    }

    @Test
    @DisplayName("an expired key (over 24 hours) is free again, and the purge deletes expired rows")
    void expiredKeysAreFreeAndPurged() throws Exception {
        String idem = UUID.randomUUID().toString();
        JsonObject body = person("Ex", "Pired");
        assertThat(keyed(api, writer, idem, body).status()).isEqualTo(201);
        try (Connection c = db.owner();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");
        }
        Reply fresh = keyed(api, writer, idem, body);
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(fresh.header("Idempotent-Replayed")).isNull();
        try (Connection c = db.owner();
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");
        }
        assertThat(db.count("SELECT count(*) FROM idempotency_keys")).isPositive();
        assertThat(server.app
                        .purgeIdempotencyKeys()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS))
                .isPositive();
        assertThat(db.count("SELECT count(*) FROM idempotency_keys")).isZero();
    }

    @Test
    @DisplayName("createApiKey: a retry never makes a second key and never replays the secret (409 naming the key);"
            + " the stored row holds no secret")
    void aKeysSecretIsNeverStoredForReplay() {
        String idem = UUID.randomUUID().toString();
        JsonObject body = keyBody("idempotent key", "PEOPLE", "SCOPED").put("permissions", new JsonArray());
        long keys = db.count("SELECT count(*) FROM api_keys");
        Reply first = session(ownerA, "/api/v1/api-keys", idem, body);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        String secret = first.json().getString("secret");
        String id = first.json().getJsonObject("key").getString("id");
        Reply again = session(ownerA, "/api/v1/api-keys", idem, body);
        assertThat(problemType(again)).isEqualTo("idempotent-secret-withheld");
        assertThat(problem(again, 409).getString("detail")).contains(id).doesNotContain(secret);
        assertThat(db.count("SELECT count(*) FROM api_keys")).isEqualTo(keys + 1);
        String stored = db.text(
                "SELECT convert_from(body, 'UTF8') || coalesce(headers::text, '') FROM idempotency_keys"
                        + " WHERE idempotency_key = ?::text",
                idem);
        assertThat(stored).doesNotContain(secret).doesNotContain(secret.substring(4, 20));
    }

    @Test
    @DisplayName("createPartner replays its first answer too")
    void createPartnerReplays() {
        String idem = UUID.randomUUID().toString();
        JsonObject body = new JsonObject()
                .put(
                        "name",
                        "Idempotent Partner " + UUID.randomUUID().toString().substring(0, 8));
        Reply first = session(ownerA, "/api/v1/partners", idem, body);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        Reply again = session(ownerA, "/api/v1/partners", idem, body);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    }
}
