package io.keysmith.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api;
import io.keysmith.support.Api.Session;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TwoReplicas;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two server processes on one database: sessions, their ending and sign-in throttling are shared by replicas. */
@DisplayName("Two replicas share sessions, deactivation and sign-in throttling")
class TwoReplicasIT {
    private static final String PASSWORD = Api.PASSWORD;

    private static TwoReplicas replicas;
    private static ServerProcess one;
    private static ServerProcess two;

    @BeforeAll
    static void start() throws Exception {
        replicas = TwoReplicas.start("two_replicas", Map.of());
        one = replicas.one;
        two = replicas.two;
    }

    @AfterAll
    static void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
    }

    private static HttpResponse<Buffer> call(
            ServerProcess replica, String method, String path, Session session, JsonObject body) {
        return replicas.api(replica).call(HttpMethod.valueOf(method), path, session, body);
    }

    private static Session signUp(ServerProcess replica, String organization, String email) {
        return replicas.api(replica).signUp(organization, email);
    }

    private static HttpResponse<Buffer> signIn(ServerProcess replica, String email, String password) {
        return replicas.api(replica).signIn(email, password, null);
    }

    /** A user created as {@code owner} through {@code replica} ({@code levelId} null: the default level). */
    private static HttpResponse<Buffer> createUser(ServerProcess replica, Session owner, String email, String levelId) {
        HttpResponse<Buffer> created =
                call(replica, "POST", "/api/v1/users", owner, Api.userBody(email, "EMPLOYEE", levelId));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        return created;
    }

    /** The created user accepts the invitation through {@code replica}: their session. */
    private static Session accept(ServerProcess replica, HttpResponse<Buffer> created) {
        String token =
                Api.token(created.bodyAsJsonObject().getJsonObject("invitation").getString("url"));
        HttpResponse<Buffer> accepted = replicas.api(replica).accept(token, PASSWORD);
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(200);
        return Api.session(accepted, accepted.bodyAsJsonObject());
    }

    private static String email(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    @DisplayName("a session created on replica 1 works on replica 2")
    void aSessionFromReplicaOne_worksOnReplicaTwo() {
        Session owner = signUp(one, "Replica Org", email("replica-owner"));
        HttpResponse<Buffer> me = call(two, "GET", "/api/v1/me", owner, null);
        assertThat(me.statusCode()).as(me.bodyAsString()).isEqualTo(200);
        assertThat(me.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(owner.userId());
        assertThat(me.bodyAsJsonObject().getString("csrfToken"))
                .as("the CSRF token is the same on every replica")
                .isEqualTo(owner.csrf());
        // a state change on replica 2 with the token replica 1 issued
        createUser(two, owner, email("replica-user"), null);
    }

    @Test
    @DisplayName("deactivating a user via replica 1 makes replica 2 refuse their session at once")
    void deactivationOnReplicaOne_endsTheSessionOnReplicaTwo() {
        Session owner = signUp(one, "Deactivation Replica Org", email("replica-deact-owner"));
        Session user = accept(two, createUser(one, owner, email("replica-deact"), null));
        assertThat(call(two, "GET", "/api/v1/me", user, null).statusCode()).isEqualTo(200);
        assertThat(call(one, "GET", "/api/v1/me", user, null).statusCode()).isEqualTo(200);

        HttpResponse<Buffer> d = call(one, "POST", "/api/v1/users/" + user.userId() + "/deactivate", owner, null);
        assertThat(d.statusCode()).as(d.bodyAsString()).isEqualTo(200);

        HttpResponse<Buffer> after = call(two, "GET", "/api/v1/me", user, null);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(java.util.Optional.ofNullable(after.getHeader("content-type")))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(call(one, "GET", "/api/v1/me", user, null).statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName(
            "a user's access level (an object) is the same on both replicas, and shrinking it via replica 1 applies on replica 2's next request")
    void accessLevelChangesOnReplicaOne_applyOnReplicaTwo() {
        Session owner = signUp(one, "Rights Replica Org", email("replica-rights-owner"));
        JsonObject body = new JsonObject()
                .put("name", "Readers")
                .put("recordScope", "ALL")
                .put("fieldRights", new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW"))
                .put(
                        "permissions",
                        new io.vertx.core.json.JsonArray().add("people:read").add("users:read"));
        HttpResponse<Buffer> level = call(one, "POST", "/api/v1/access-levels", owner, body);
        assertThat(level.statusCode()).as(level.bodyAsString()).isEqualTo(201);
        String levelId = level.bodyAsJsonObject().getString("id");
        HttpResponse<Buffer> created = createUser(one, owner, email("replica-reader"), levelId);
        assertThat(created.bodyAsJsonObject()
                        .getJsonObject("user")
                        .getJsonObject("accessLevel")
                        .getString("id"))
                .isEqualTo(levelId);
        Session reader = accept(two, created);
        assertThat(call(two, "GET", "/api/v1/users/" + reader.userId(), owner, null)
                        .bodyAsJsonObject()
                        .getJsonObject("accessLevel")
                        .getString("name"))
                .isEqualTo("Readers");
        assertThat(call(two, "GET", "/api/v1/people", reader, null).statusCode())
                .isEqualTo(200);
        assertThat(call(two, "GET", "/api/v1/users", reader, null).statusCode()).isEqualTo(200);

        HttpResponse<Buffer> shrunk = call(
                one,
                "PUT",
                "/api/v1/access-levels/" + levelId,
                owner,
                body.copy().put("permissions", new io.vertx.core.json.JsonArray().add("users:read")));
        assertThat(shrunk.statusCode()).as(shrunk.bodyAsString()).isEqualTo(200);

        HttpResponse<Buffer> after = call(two, "GET", "/api/v1/people", reader, null);
        assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(403);
        assertThat(after.bodyAsString()).contains("people:read");
        assertThat(call(two, "GET", "/api/v1/users", reader, null).statusCode())
                .as("what the level still grants")
                .isEqualTo(200);
        assertThat(call(two, "GET", "/api/v1/me", reader, null)
                        .bodyAsJsonObject()
                        .getJsonArray("permissions")
                        .getList())
                .containsExactly("users:read");
    }

    @Test
    @DisplayName("sign-in failures count across replicas: 3 on one and 2 on the other, then either answers 429")
    void signInThrottling_countsAcrossReplicas() throws Exception {
        String email = email("replica-throttle");
        signUp(one, "Throttle Replica Org", email);
        for (int i = 0; i < 3; i++) {
            assertThat(signIn(one, email, "wrong password " + i).statusCode()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(signIn(two, email, "wrong password again " + i).statusCode())
                    .isEqualTo(401);
        }
        for (ServerProcess replica : new ServerProcess[] {one, two}) {
            HttpResponse<Buffer> r = signIn(replica, email, PASSWORD);
            assertThat(r.statusCode())
                    .as("replica on port %s: %s", replica.port, r.bodyAsString())
                    .isEqualTo(429);
            assertThat(java.util.Optional.ofNullable(r.getHeader("Retry-After")))
                    .isPresent();
        }
    }
}
