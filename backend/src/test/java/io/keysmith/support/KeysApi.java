package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A blocking client for the API-key tests: sessions the way the admin SPA holds them (cookie + X-CSRF-Token), keys
 * the way partners send them (HTTP Basic user name or Bearer), and the setup steps the key suites share. Every
 * answer is remembered, so a suite can scan everything the server said for secrets.
 */
public final class KeysApi {
    public static final String COOKIE = "ks_session";
    public static final String PASSWORD = "correct horse battery staple";

    /** A signed-in browser. */
    public record Session(String cookie, String csrf, JsonObject me) {
        public String userId() {
            return me.getJsonObject("user").getString("id");
        }

        public String organizationId() {
            return me.getJsonObject("organization").getString("id");
        }
    }

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

    private final WebClient client;
    private final int port;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();

    public KeysApi(Vertx vertx, int port) {
        this.client = WebClient.create(
                vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setFollowRedirects(false));
        this.port = port;
    }

    /** Every answer this client received, in order. */
    public List<Reply> replies() {
        return new ArrayList<>(replies);
    }

    // ---------------------------------------------------------------------------------------------- raw calls

    public Reply call(HttpMethod method, String path, Session session, Object body, Map<String, String> headers) {
        HttpRequest<Buffer> req = client.request(method, port, "127.0.0.1", path);
        if (session != null) {
            req.putHeader("Cookie", COOKIE + "=" + session.cookie());
            if (session.csrf() != null) {
                req.putHeader("X-CSRF-Token", session.csrf());
            }
        }
        headers.forEach(req::putHeader);
        HttpResponse<Buffer> r;
        if (body == null) {
            r = req.send().await();
        } else {
            String text = body instanceof JsonObject o
                    ? o.encode()
                    : body instanceof JsonArray a ? a.encode() : body.toString();
            r = req.putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(text))
                    .await();
        }
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
        Reply r = post(
                "/api/v1/signup",
                null,
                new JsonObject()
                        .put("organizationName", organization)
                        .put("firstName", "Ada")
                        .put("lastName", "Owner")
                        .put("email", email)
                        .put("password", PASSWORD));
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
        return new JsonObject()
                .put("name", name)
                .put("recordScope", "ALL")
                .put("fieldRights", new JsonObject(new LinkedHashMap<>(fieldRights)))
                .put("permissions", new JsonArray(List.of(permissions)));
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
        JsonObject body = new JsonObject()
                .put("email", email)
                .put("firstName", "Grace")
                .put("lastName", "User")
                .put("kind", "EMPLOYEE");
        if (levelId != null) {
            body.put("accessLevelId", levelId);
        }
        Reply created = post("/api/v1/users", admin, body);
        assertThat(created.status()).as("create user: %s", created).isEqualTo(201);
        String url = created.json().getJsonObject("invitation").getString("url");
        String token = url.substring(url.indexOf("#token=") + "#token=".length());
        Reply accepted = post(
                "/api/v1/invitations/accept",
                null,
                new JsonObject().put("token", token).put("password", PASSWORD));
        assertThat(accepted.status()).as("accept invitation: %s", accepted).isEqualTo(200);
        return session(accepted);
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
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
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
