package io.keysmith.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.Poll;
import io.keysmith.support.TwoReplicas;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Idempotency-Key across two server processes on one database (ADR 0012): a retry sent to the other replica replays
 * the first answer, and a twin sent to the other replica while the first is held at its work is 409.
 */
@DisplayName("Idempotency-Key holds across two replicas: replay on the other one, 409 for a concurrent twin there")
class IdempotencyAcrossReplicasIT {
    private static TwoReplicas replicas;
    private static DbProbe db;
    private static Session owner;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        replicas = TwoReplicas.start("idempotency_replicas", Map.of());
        db = new DbProbe(replicas.database.getDatabase());
        Api one = replicas.api(replicas.one);
        owner = one.signUp("Idempotent Replicas", Api.uniqueEmail("idem-rep"));
        HttpResponse<Buffer> created = one.post(
                "/api/v1/api-keys",
                owner,
                KeysApi.keyBody("replicated writer", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray().add("people:read").add("people:create"))
                        .put(
                                "fieldRights",
                                new JsonObject()
                                        .put("firstName", "EDIT")
                                        .put("lastName", "EDIT")
                                        .put("workEmail", "EDIT")));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        key = created.bodyAsJsonObject().getString("secret");
    }

    @AfterAll
    static void stop() throws Exception {
        replicas.close();
    }

    private static HttpResponse<Buffer> create(Api replica, String idem, JsonObject body) {
        return replica.call(
                HttpMethod.POST,
                "/api/v1/people",
                null,
                body,
                Map.of("Authorization", "Bearer " + key, "Idempotency-Key", idem));
    }

    @Test
    @DisplayName("created on one replica, a retry on the other replays the answer and creates nothing more")
    void aRetryOnTheOtherReplicaReplays() {
        String idem = UUID.randomUUID().toString();
        JsonObject body = KeysApi.person("Rep", "Lica");
        HttpResponse<Buffer> first = create(replicas.api(replicas.one), idem, body);
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
        long people = db.people(owner.organizationId());
        HttpResponse<Buffer> again = create(replicas.api(replicas.two), idem, body);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.bodyAsString()).isEqualTo(first.bodyAsString());
        assertThat(db.people(owner.organizationId())).isEqualTo(people);
    }

    @Test
    @DisplayName("while replica one is held at the work, the twin on replica two is 409; then one 201 and one record")
    void aConcurrentTwinOnTheOtherReplicaIs409() throws Exception {
        String idem = UUID.randomUUID().toString();
        JsonObject body = KeysApi.person("Con", "Replica");
        long before = db.people(owner.organizationId());
        HttpResponse<Buffer> twin;
        CompletableFuture<HttpResponse<Buffer>> first;
        try (Connection lock = db.owner()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE");
            }
            first = CompletableFuture.supplyAsync(() -> create(replicas.api(replicas.one), idem, body));
            Poll.until(
                    () -> db.count(
                                    "SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?::text"
                                            + " AND state = 'IN_PROGRESS'",
                                    idem)
                            == 1,
                    Duration.ofSeconds(20),
                    "replica one claimed the key");
            twin = create(replicas.api(replicas.two), idem, body);
            lock.commit();
        }
        assertThat(twin.statusCode()).as(twin.bodyAsString()).isEqualTo(409);
        assertThat(twin.bodyAsJsonObject().getString("type")).endsWith("/idempotency-in-progress");
        HttpResponse<Buffer> done = first.get(30, TimeUnit.SECONDS);
        assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(201);
        assertThat(create(replicas.api(replicas.two), idem, body).bodyAsString())
                .isEqualTo(done.bodyAsString());
        assertThat(db.people(owner.organizationId())).isEqualTo(before + 1);
    }
}
