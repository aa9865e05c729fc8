package io.keysmith.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.PostgresFixture;
import io.keysmith.support.ServerProcess;
import io.keysmith.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two server processes on one database: sessions, their ending and sign-in throttling are shared by replicas. */
@DisplayName("Two replicas share sessions, deactivation and sign-in throttling")
class TwoReplicasIT {
    private static final String PASSWORD = "correct horse battery staple";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static ServerProcess one;
    private static ServerProcess two;

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String cookie() {
            return raw.headers().allValues("set-cookie").stream()
                    .filter(c -> c.startsWith("ks_session="))
                    .map(c -> c.substring("ks_session=".length()).split(";", 2)[0])
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no session cookie in " + raw.headers()));
        }
    }

    record Session(String cookie, String csrf, JsonObject me) {
        String userId() {
            return me.getJsonObject("user").getString("id");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        var database = PostgresFixture.get().newDatabase("two_replicas");
        Path dir = Path.of(
                System.getProperty("keysmith.test.dir", "target/test-data"), "two-replicas-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Map<String, String> env = Map.of(
                "KEYSMITH_DATABASE_URL",
                PostgresFixture.uri(database),
                "KEYSMITH_SECRET",
                TestServer.TEST_SECRET,
                "KEYSMITH_DATA_DIR",
                dir.toAbsolutePath().toString(),
                "KEYSMITH_SHUTDOWN_GRACE_SECONDS",
                "1",
                "KEYSMITH_INSTANCES",
                "1");
        one = ServerProcess.start(env, dir.resolve("replica-1.log"));
        two = ServerProcess.start(env, dir.resolve("replica-2.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServerProcess p : new ServerProcess[] {one, two}) {
            if (p != null) {
                p.process.destroy();
                if (!p.process.waitFor(20, TimeUnit.SECONDS)) {
                    p.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Reply call(ServerProcess replica, String method, String path, Session session, JsonObject body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (session != null) {
            b.header("Cookie", "ks_session=" + session.cookie());
            b.header("X-CSRF-Token", session.csrf());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    private static Session signUp(ServerProcess replica, String organization, String email) throws Exception {
        Reply r = call(
                replica,
                "POST",
                "/api/v1/signup",
                null,
                new JsonObject()
                        .put("organizationName", organization)
                        .put("firstName", "Rep")
                        .put("lastName", "Lica")
                        .put("email", email)
                        .put("password", PASSWORD));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new Session(r.cookie(), r.json().getString("csrfToken"), r.json());
    }

    private static Reply signIn(ServerProcess replica, String email, String password) throws Exception {
        return call(
                replica,
                "POST",
                "/api/v1/session",
                null,
                new JsonObject().put("email", email).put("password", password));
    }

    private static String email(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    @DisplayName("a session created on replica 1 works on replica 2")
    void aSessionFromReplicaOne_worksOnReplicaTwo() throws Exception {
        Session owner = signUp(one, "Replica Org", email("replica-owner"));
        Reply me = call(two, "GET", "/api/v1/me", owner, null);
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.json().getJsonObject("user").getString("id")).isEqualTo(owner.userId());
        assertThat(me.json().getString("csrfToken"))
                .as("the CSRF token is the same on every replica")
                .isEqualTo(owner.csrf());
        // a state change on replica 2 with the token replica 1 issued
        Reply created = call(
                two,
                "POST",
                "/api/v1/users",
                owner,
                new JsonObject()
                        .put("email", email("replica-user"))
                        .put("firstName", "A")
                        .put("lastName", "B")
                        .put("kind", "EMPLOYEE"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    @Test
    @DisplayName("deactivating a user via replica 1 makes replica 2 refuse their session at once")
    void deactivationOnReplicaOne_endsTheSessionOnReplicaTwo() throws Exception {
        Session owner = signUp(one, "Deactivation Replica Org", email("replica-deact-owner"));
        Reply created = call(
                one,
                "POST",
                "/api/v1/users",
                owner,
                new JsonObject()
                        .put("email", email("replica-deact"))
                        .put("firstName", "Dee")
                        .put("lastName", "Act")
                        .put("kind", "EMPLOYEE"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String url = created.json().getJsonObject("invitation").getString("url");
        String token = url.substring(url.indexOf("#token=") + "#token=".length());
        Reply accepted = call(
                two,
                "POST",
                "/api/v1/invitations/accept",
                null,
                new JsonObject().put("token", token).put("password", PASSWORD));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        Session user = new Session(accepted.cookie(), accepted.json().getString("csrfToken"), accepted.json());
        assertThat(call(two, "GET", "/api/v1/me", user, null).status()).isEqualTo(200);
        assertThat(call(one, "GET", "/api/v1/me", user, null).status()).isEqualTo(200);

        Reply d = call(one, "POST", "/api/v1/users/" + user.userId() + "/deactivate", owner, null);
        assertThat(d.status()).as(d.body()).isEqualTo(200);

        Reply after = call(two, "GET", "/api/v1/me", user, null);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.raw().headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(call(one, "GET", "/api/v1/me", user, null).status()).isEqualTo(401);
    }

    @Test
    @DisplayName(
            "a user's access level (an object) is the same on both replicas, and shrinking it via replica 1 applies on replica 2's next request")
    void accessLevelChangesOnReplicaOne_applyOnReplicaTwo() throws Exception {
        Session owner = signUp(one, "Rights Replica Org", email("replica-rights-owner"));
        JsonObject body = new JsonObject()
                .put("name", "Readers")
                .put("recordScope", "ALL")
                .put("fieldRights", new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW"))
                .put(
                        "permissions",
                        new io.vertx.core.json.JsonArray().add("people:read").add("users:read"));
        Reply level = call(one, "POST", "/api/v1/access-levels", owner, body);
        assertThat(level.status()).as(level.body()).isEqualTo(201);
        String levelId = level.json().getString("id");
        Reply created = call(
                one,
                "POST",
                "/api/v1/users",
                owner,
                new JsonObject()
                        .put("email", email("replica-reader"))
                        .put("firstName", "Rea")
                        .put("lastName", "Der")
                        .put("kind", "EMPLOYEE")
                        .put("accessLevelId", levelId));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json()
                        .getJsonObject("user")
                        .getJsonObject("accessLevel")
                        .getString("id"))
                .isEqualTo(levelId);
        String url = created.json().getJsonObject("invitation").getString("url");
        Reply accepted = call(
                two,
                "POST",
                "/api/v1/invitations/accept",
                null,
                new JsonObject()
                        .put("token", url.substring(url.indexOf("#token=") + "#token=".length()))
                        .put("password", PASSWORD));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        Session reader = new Session(accepted.cookie(), accepted.json().getString("csrfToken"), accepted.json());
        assertThat(call(two, "GET", "/api/v1/users/" + reader.userId(), owner, null)
                        .json()
                        .getJsonObject("accessLevel")
                        .getString("name"))
                .isEqualTo("Readers");
        assertThat(call(two, "GET", "/api/v1/people", reader, null).status()).isEqualTo(200);
        assertThat(call(two, "GET", "/api/v1/users", reader, null).status()).isEqualTo(200);

        Reply shrunk = call(
                one,
                "PUT",
                "/api/v1/access-levels/" + levelId,
                owner,
                body.copy().put("permissions", new io.vertx.core.json.JsonArray().add("users:read")));
        assertThat(shrunk.status()).as(shrunk.body()).isEqualTo(200);

        Reply after = call(two, "GET", "/api/v1/people", reader, null);
        assertThat(after.status()).as(after.body()).isEqualTo(403);
        assertThat(after.body()).contains("people:read");
        assertThat(call(two, "GET", "/api/v1/users", reader, null).status())
                .as("what the level still grants")
                .isEqualTo(200);
        assertThat(call(two, "GET", "/api/v1/me", reader, null)
                        .json()
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
            assertThat(signIn(one, email, "wrong password " + i).status()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(signIn(two, email, "wrong password again " + i).status()).isEqualTo(401);
        }
        for (ServerProcess replica : new ServerProcess[] {one, two}) {
            Reply r = signIn(replica, email, PASSWORD);
            assertThat(r.status())
                    .as("replica on port %s: %s", replica.port, r.body())
                    .isEqualTo(429);
            assertThat(r.raw().headers().firstValue("Retry-After")).isPresent();
        }
    }
}
