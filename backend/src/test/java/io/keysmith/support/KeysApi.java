package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The API-key tests' view of {@link Api}: sessions the way the admin SPA holds them (cookie + X-CSRF-Token), keys
 * the way partners send them (HTTP Basic user name or Bearer), and the setup steps the key suites share (a server of
 * their own, owners, levels, users, people, keys). Every answer is remembered as a {@link Reply}, so a suite can scan
 * everything the server said for secrets.
 */
public final class KeysApi implements AutoCloseable {
    public static final String COOKIE = Api.COOKIE;
    public static final String PASSWORD = Api.PASSWORD;

    /** How a key is presented. */
    public enum Scheme {
        BASIC,
        BEARER
    }

    /** One answer: status, body text and headers. */
    public record Reply(String method, String path, int status, String body, MultiMap headers) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        public JsonArray items() {
            return json().getJsonArray("items");
        }

        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + body;
        }
    }

    private final Api http;
    private final TestServer server;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();

    public KeysApi(Vertx vertx, int port) {
        this(vertx, port, null);
    }

    private KeysApi(Vertx vertx, int port, TestServer server) {
        this(new Api(vertx, port), server);
    }

    private KeysApi(Api http, TestServer server) {
        this.http = http;
        this.server = server;
    }

    /**
     * A client of something in front of Keysmith (nginx and the partner service behind it): its answers are the
     * gateway's and the partner's, not Keysmith's, so they are not held to openapi.yaml.
     */
    public static KeysApi throughGateway(Vertx vertx, int port) {
        return new KeysApi(Api.notKeysmith(vertx, port), null);
    }

    /**
     * A test server of its own on a fresh database ({@code name}), with {@code config} over the test defaults, and a
     * client on it; {@link #close} stops the server.
     */
    public static KeysApi onNewServer(Vertx vertx, String name, JsonObject config) {
        TestServer server = TestServer.start(PostgresFixture.get().newDatabase(name), config);
        return new KeysApi(vertx, server.port(), server);
    }

    /** Test configuration for suites refused many times from 127.0.0.1 by design: no per-address failure throttle. */
    public static JsonObject manyFailures() {
        return new JsonObject().put("key.failures.per.minute", 1_000_000);
    }

    /** The same client answering with the plain responses (no Reply kept). */
    public Api http() {
        return http;
    }

    /** The server of {@link #onNewServer}. */
    public TestServer server() {
        return server;
    }

    @Override
    public void close() throws Exception {
        http.close();
        if (server != null) {
            server.close();
        }
    }

    /** Every answer this client received, in order. */
    public List<Reply> replies() {
        return new ArrayList<>(replies);
    }

    // ---------------------------------------------------------------------------------------------- raw calls

    public Reply call(HttpMethod method, String path, Session session, Object body, Map<String, String> headers) {
        HttpRequest<Buffer> req = http.request(method, path, session);
        headers.forEach(req::putHeader);
        HttpResponse<Buffer> r = Api.send(req, body).await();
        Reply reply = new Reply(
                method.name(), path, r.statusCode(), r.bodyAsString() == null ? "" : r.bodyAsString(), r.headers());
        replies.add(reply);
        return reply;
    }

    public Reply call(HttpMethod method, String path, Session session, Object body) {
        return call(method, path, session, body, Map.of());
    }

    public Reply get(String path, Session session) {
        return call(HttpMethod.GET, path, session, null);
    }

    public Reply post(String path, Session session, Object body) {
        return call(HttpMethod.POST, path, session, body);
    }

    public Reply put(String path, Session session, Object body) {
        return call(HttpMethod.PUT, path, session, body);
    }

    public Reply patch(String path, Session session, Object body) {
        return call(HttpMethod.PATCH, path, session, body);
    }

    /** A request authenticated by a key only (no cookie). */
    public Reply withKey(HttpMethod method, String path, String key, Scheme scheme, Object body) {
        return call(method, path, null, body, Map.of("Authorization", authorization(key, scheme)));
    }

    public Reply withKey(String path, String key, Scheme scheme) {
        return withKey(HttpMethod.GET, path, key, scheme, null);
    }

    /** GET with the key as a Bearer token. */
    public Reply withKey(String path, String key) {
        return withKey(path, key, Scheme.BEARER);
    }

    public static String authorization(String key, Scheme scheme) {
        return scheme == Scheme.BEARER
                ? "Bearer " + key
                : "Basic " + Base64.getEncoder().encodeToString((key + ":x").getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------- set-up steps

    public Session signUp(String organization, String email) {
        Reply r = post("/api/v1/signup", null, Api.signUpBody(organization, email, PASSWORD));
        assertThat(r.status()).as("sign-up of %s: %s", organization, r.body()).isEqualTo(201);
        return session(r);
    }

    private static Session session(Reply r) {
        String cookie = r.headers().getAll("set-cookie").stream()
                .filter(c -> c.startsWith(COOKIE + "="))
                .map(c -> c.substring(COOKIE.length() + 1).split(";", 2)[0])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie in " + r));
        return new Session(cookie, r.json().getString("csrfToken"), r.json());
    }

    /** The id of a built-in level ("FULL_ADMIN", "EMPLOYEE", "ACCOUNT_OWNER"). */
    public String builtinLevel(Session admin, String builtin) {
        Reply r = get("/api/v1/access-levels", admin);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        for (Object o : r.items()) {
            JsonObject l = (JsonObject) o;
            if (builtin.equals(l.getString("builtin"))) {
                return l.getString("id");
            }
        }
        throw new AssertionError("no built-in level " + builtin);
    }

    public static JsonObject levelBody(String name, Map<String, String> fieldRights, String... permissions) {
        return Api.accessLevelBody(name, "ALL", fieldRights, permissions);
    }

    public String createLevel(Session admin, JsonObject body) {
        Reply r = post("/api/v1/access-levels", admin, body);
        assertThat(r.status()).as("create level: %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    public void updateLevel(Session admin, String levelId, JsonObject body) {
        Reply r = put("/api/v1/access-levels/" + levelId, admin, body);
        assertThat(r.status()).as("update level: %s", r).isEqualTo(200);
    }

    /** A new user on {@code levelId} (null: the default Employee level) who accepted the invitation: their session. */
    public Session createSignedInUser(Session admin, String email, String levelId) {
        JsonObject body = Api.userBody(email, "EMPLOYEE", levelId);
        Reply created = post("/api/v1/users", admin, body);
        assertThat(created.status()).as("create user: %s", created).isEqualTo(201);
        String token = Api.token(created.json().getJsonObject("invitation").getString("url"));
        Reply accepted = post(
                "/api/v1/invitations/accept",
                null,
                new JsonObject().put("token", token).put("password", PASSWORD));
        assertThat(accepted.status()).as("accept invitation: %s", accepted).isEqualTo(200);
        return session(accepted);
    }

    /** A person body: the names and a unique work e-mail; more fields with {@code put}. */
    public static JsonObject person(String firstName, String lastName) {
        return new JsonObject()
                .put("firstName", firstName)
                .put("lastName", lastName)
                .put("workEmail", uniqueEmail(lastName.toLowerCase()));
    }

    public JsonObject createPerson(Session admin, JsonObject person) {
        Reply r = post("/api/v1/people", admin, person);
        assertThat(r.status()).as("create person: %s", r).isEqualTo(201);
        return r.json();
    }

    public void deactivate(Session admin, String userId) {
        Reply r = post("/api/v1/users/" + userId + "/deactivate", admin, null);
        assertThat(r.status()).as("deactivate: %s", r).isEqualTo(200);
    }

    public void reactivate(Session admin, String userId) {
        Reply r = post("/api/v1/users/" + userId + "/reactivate", admin, null);
        assertThat(r.status()).as("reactivate: %s", r).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------- keys

    /** A key body: name, type and mode; more fields with {@code put}. */
    public static JsonObject keyBody(String name, String apiType, String mode) {
        return new JsonObject().put("name", name).put("apiType", apiType).put("permissionMode", mode);
    }

    public Reply createKeyReply(Session s, JsonObject body) {
        return post("/api/v1/api-keys", s, body);
    }

    /** Creates a key, expecting 201: the ApiKeyWithSecret answer. */
    public JsonObject createKey(Session s, JsonObject body) {
        Reply r = createKeyReply(s, body);
        assertThat(r.status()).as("create key: %s", r).isEqualTo(201);
        return r.json();
    }

    /** An INHERIT key of {@code apiType} owned by {@code s}: {key, secret}. */
    public JsonObject inheritKey(Session s, String name, String apiType) {
        return createKey(s, keyBody(name, apiType, "INHERIT"));
    }

    public Reply keyAction(Session s, String keyId, String action, JsonObject body) {
        return post("/api/v1/api-keys/" + keyId + "/" + action, s, body);
    }

    public Reply getKey(Session s, String keyId) {
        return get("/api/v1/api-keys/" + keyId, s);
    }

    public Reply patchKey(Session s, String keyId, JsonObject changes) {
        return patch("/api/v1/api-keys/" + keyId, s, changes);
    }

    public static String uniqueEmail(String who) {
        return Api.uniqueEmail(who);
    }

    public static String inSeconds(long seconds) {
        return Instant.now().plusSeconds(seconds).toString();
    }

    /** Asserts an RFC 9457 problem with the status; returns its body. */
    public static JsonObject problem(Reply r, int status) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.header("content-type")).as("content type of %s", r).startsWith("application/problem+json");
        return r.json();
    }

    /** The problem's type without the common base, e.g. "escalation". */
    public static String problemType(Reply r) {
        String type = r.json().getString("type", "");
        return type.substring(type.lastIndexOf('/') + 1);
    }
}
