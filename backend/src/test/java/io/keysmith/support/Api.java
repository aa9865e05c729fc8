package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.http.ApiProblem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one HTTP client of the tests (Vert.x WebClient): signs up, signs in, and calls operations with a session cookie
 * and its CSRF token, the way the admin SPA does; plain calls without a session (management port, static files, raw
 * bodies). Blocking helpers for tests that read top to bottom; {@link #request} for concurrency. {@link KeysApi}
 * (answers as remembered {@code Reply}s) and {@link KeyTraffic} (key-authenticated load) are views on it.
 */
public final class Api implements AutoCloseable {
    public static final String COOKIE = "ks_session";
    public static final String PASSWORD = "correct horse battery staple";

    /** A signed-in browser: the session cookie's value, the CSRF token and the /me it was given. */
    public record Session(String cookie, String csrf, JsonObject me) {
        public String userId() {
            return me.getJsonObject("user").getString("id");
        }

        public String organizationId() {
            return me.getJsonObject("organization").getString("id");
        }

        public String email() {
            return me.getJsonObject("user").getString("email");
        }
    }

    private final WebClient client;
    private final int port;

    public Api(Vertx vertx, int port) {
        this(vertx, port, true);
    }

    /** A client of a server that is not Keysmith (a gateway, a partner service): its answers are not checked. */
    public static Api notKeysmith(Vertx vertx, int port) {
        return new Api(vertx, port, false);
    }

    private Api(Vertx vertx, int port, boolean heldToContract) {
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setFollowRedirects(false)
                        .setConnectTimeout(5_000)
                        .setIdleTimeout(30),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
        this.port = port;
        // every answer a test sees must match openapi.yaml (status, headers, body): a mismatch fails the request
        if (heldToContract) {
            ((WebClientInternal) client).addInterceptor(Api::checkAgainstContract);
        }
    }

    private static void checkAgainstContract(HttpContext<?> ctx) {
        if (ctx.phase() == ClientPhase.DISPATCH_RESPONSE) {
            HttpResponse<?> r = ctx.response();
            List<String> problems = ResponseContract.mismatches(
                    ctx.request().method().name(),
                    ctx.request().uri(),
                    r.statusCode(),
                    r.headers(),
                    r.body() instanceof Buffer b ? b : null);
            if (!problems.isEmpty()) {
                ctx.fail(new AssertionError("The answer does not match openapi.yaml: " + problems));
                return;
            }
        }
        ctx.next();
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        client.close();
    }

    /** GET without a session. */
    public HttpResponse<Buffer> get(String path) {
        return get(path, null);
    }

    /** POST of a JSON body without a session. */
    public HttpResponse<Buffer> postJson(String path, JsonObject body) {
        return post(path, null, body);
    }

    /** A raw body with the given content type (null: no Content-Type header) and no session. */
    public HttpResponse<Buffer> raw(HttpMethod method, String path, String contentType, String body) {
        HttpRequest<Buffer> req = request(method, path, null);
        if (contentType != null) {
            req.putHeader("content-type", contentType);
        }
        return body == null
                ? req.send().await()
                : req.sendBuffer(Buffer.buffer(body)).await();
    }

    /** A request carrying the session's cookie and, always, its CSRF token. */
    public HttpRequest<Buffer> request(HttpMethod method, String path, Session session) {
        HttpRequest<Buffer> req = client.request(method, port, "127.0.0.1", path);
        if (session != null) {
            req.putHeader("Cookie", COOKIE + "=" + session.cookie());
            if (session.csrf() != null) {
                req.putHeader("X-CSRF-Token", session.csrf());
            }
        }
        return req;
    }

    /** {@code body}: null, a JsonObject / JsonArray, or a raw String sent as application/json. */
    public HttpResponse<Buffer> call(HttpMethod method, String path, Session session, Object body) {
        return call(method, path, session, body, Map.of());
    }

    public HttpResponse<Buffer> call(
            HttpMethod method, String path, Session session, Object body, Map<String, String> headers) {
        HttpRequest<Buffer> req = request(method, path, session);
        headers.forEach(req::putHeader);
        return send(req, body).await();
    }

    public static Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> req, Object body) {
        if (body == null) {
            return req.send();
        }
        String text =
                body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : body.toString();
        return req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(text));
    }

    public HttpResponse<Buffer> get(String path, Session session) {
        return call(HttpMethod.GET, path, session, null);
    }

    public HttpResponse<Buffer> post(String path, Session session, Object body) {
        return call(HttpMethod.POST, path, session, body);
    }

    public HttpResponse<Buffer> signUpResponse(
            String organization, String email, String password, Map<String, String> headers) {
        return call(HttpMethod.POST, "/api/v1/signup", null, signUpBody(organization, email, password), headers);
    }

    /** A sign-up body: the organization and its owner, Ada Owner. */
    public static JsonObject signUpBody(String organization, String email, String password) {
        return new JsonObject()
                .put("organizationName", organization)
                .put("firstName", "Ada")
                .put("lastName", "Owner")
                .put("email", email)
                .put("password", password);
    }

    /** A new user's body (Grace User); {@code accessLevelId} null: the default level. */
    public static JsonObject userBody(String email, String kind, String accessLevelId) {
        JsonObject body = new JsonObject()
                .put("email", email)
                .put("firstName", "Grace")
                .put("lastName", "User")
                .put("kind", kind);
        if (accessLevelId != null) {
            body.put("accessLevelId", accessLevelId);
        }
        return body;
    }

    public Session signUp(String organization, String email) {
        return signUp(organization, email, PASSWORD);
    }

    public Session signUp(String organization, String email, String password) {
        HttpResponse<Buffer> r = signUpResponse(organization, email, password, Map.of());
        assertThat(r.statusCode())
                .as("sign-up of %s: %s", organization, r.bodyAsString())
                .isEqualTo(201);
        return session(r, r.bodyAsJsonObject());
    }

    public HttpResponse<Buffer> signIn(String email, String password, String organizationId) {
        JsonObject body = new JsonObject().put("email", email).put("password", password);
        if (organizationId != null) {
            body.put("organizationId", organizationId);
        }
        return post("/api/v1/session", null, body);
    }

    /** A sign-in as if from {@code address} (X-Forwarded-For). */
    public HttpResponse<Buffer> signInFrom(String address, String email, String password) {
        return call(
                HttpMethod.POST,
                "/api/v1/session",
                null,
                new JsonObject().put("email", email).put("password", password),
                Map.of("X-Forwarded-For", address));
    }

    /** Signs in expecting a single organization (or the chosen one). */
    public Session signInOk(String email, String password, String organizationId) {
        HttpResponse<Buffer> r = signIn(email, password, organizationId);
        assertThat(r.statusCode())
                .as("sign-in of %s: %s", email, r.bodyAsString())
                .isEqualTo(200);
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("status")).isEqualTo("SIGNED_IN");
        return session(r, body.getJsonObject("me"));
    }

    /**
     * Creates a user as {@code admin}; the answer is the UserWithLink body. {@code accessLevel}: null (the default,
     * the built-in Employee level), a built-in ("ACCOUNT_OWNER", "FULL_ADMIN", "EMPLOYEE"), a level's name or its id.
     */
    public JsonObject createUser(Session admin, String email, String kind, String accessLevel) {
        JsonObject body = userBody(email, kind, accessLevel == null ? null : accessLevelId(admin, accessLevel));
        HttpResponse<Buffer> r = post("/api/v1/users", admin, body);
        assertThat(r.statusCode())
                .as("create user %s: %s", email, r.bodyAsString())
                .isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    /** The organization's access levels as {@code session} sees them (needs access-levels:read). */
    public JsonArray accessLevels(Session session) {
        HttpResponse<Buffer> r = get("/api/v1/access-levels", session);
        assertThat(r.statusCode())
                .as("list access levels: %s", r.bodyAsString())
                .isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("items");
    }

    /** The id of a level named by its id, its built-in ("FULL_ADMIN") or its name ("Full Admin", "Auditors"). */
    public String accessLevelId(Session session, String level) {
        if (isUuid(level)) {
            return level;
        }
        for (Object o : accessLevels(session)) {
            JsonObject l = (JsonObject) o;
            if (level.equals(l.getString("builtin")) || level.equalsIgnoreCase(l.getString("name"))) {
                return l.getString("id");
            }
        }
        throw new AssertionError("no access level " + level);
    }

    /** An access-level body: all of {@code permissions}, the scope, and the field rights given as name -> right. */
    public static JsonObject accessLevelBody(
            String name, String recordScope, Map<String, String> fieldRights, String... permissions) {
        return new JsonObject()
                .put("name", name)
                .put("recordScope", recordScope)
                .put("fieldRights", new JsonObject(new java.util.LinkedHashMap<>(fieldRights)))
                .put("permissions", new JsonArray(java.util.List.of(permissions)));
    }

    /** Creates a custom access level as {@code admin}; the answer is the AccessLevel. */
    public JsonObject createAccessLevel(Session admin, JsonObject body) {
        HttpResponse<Buffer> r = post("/api/v1/access-levels", admin, body);
        assertThat(r.statusCode())
                .as("create access level %s: %s", body.getString("name"), r.bodyAsString())
                .isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    /** Creates a person record as {@code admin}; the answer is the Person. */
    public JsonObject createPerson(Session admin, JsonObject body) {
        HttpResponse<Buffer> r = post("/api/v1/people", admin, body);
        assertThat(r.statusCode()).as("create person: %s", r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    public HttpResponse<Buffer> patch(String path, Session session, Object body) {
        return call(HttpMethod.PATCH, path, session, body);
    }

    public HttpResponse<Buffer> put(String path, Session session, Object body) {
        return call(HttpMethod.PUT, path, session, body);
    }

    public HttpResponse<Buffer> delete(String path, Session session) {
        return call(HttpMethod.DELETE, path, session, null);
    }

    private static boolean isUuid(String s) {
        try {
            return s.length() == 36 && UUID.fromString(s) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public HttpResponse<Buffer> accept(String token, String password) {
        return post(
                "/api/v1/invitations/accept",
                null,
                new JsonObject().put("token", token).put("password", password));
    }

    /** Creates a user and has them accept the invitation: a signed-in session of the new user (level as in createUser). */
    public Session createSignedInUser(Session admin, String email, String accessLevel) {
        JsonObject created = createUser(admin, email, "EMPLOYEE", accessLevel);
        HttpResponse<Buffer> r =
                accept(token(created.getJsonObject("invitation").getString("url")), PASSWORD);
        assertThat(r.statusCode()).as("accept invitation: %s", r.bodyAsString()).isEqualTo(200);
        return session(r, r.bodyAsJsonObject());
    }

    /** The session the response's Set-Cookie started, with the CSRF token of its Me. */
    public static Session session(HttpResponse<Buffer> r, JsonObject me) {
        String cookie = cookieValue(r);
        assertThat(cookie).as("session cookie set").isNotBlank();
        return new Session(cookie, me.getString("csrfToken"), me);
    }

    public static String setCookieHeader(HttpResponse<Buffer> r) {
        return r.cookies().stream()
                .filter(c -> c.startsWith(COOKIE + "="))
                .findFirst()
                .orElse(null);
    }

    public static String cookieValue(HttpResponse<Buffer> r) {
        String header = setCookieHeader(r);
        if (header == null) {
            return null;
        }
        return header.substring(COOKIE.length() + 1).split(";", 2)[0];
    }

    /** The one-time token of an invitation or password-reset link (it travels in the fragment). */
    public static String token(String url) {
        int at = url.indexOf("#token=");
        assertThat(at).as("link %s carries #token=", url).isGreaterThan(0);
        return url.substring(at + "#token=".length());
    }

    public static String uniqueEmail(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    /** Asserts an RFC 9457 problem with the status and returns its body. */
    public static JsonObject problem(HttpResponse<Buffer> r, int status) {
        assertThat(r.statusCode()).as("status of %s", r.bodyAsString()).isEqualTo(status);
        assertThat(r.getHeader("content-type")).as("content type").startsWith("application/problem+json");
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("type")).startsWith(ApiProblem.TYPE_BASE);
        assertThat(body.getString("title")).isNotBlank();
        assertThat(body.getInteger("status")).isEqualTo(status);
        return body;
    }
}
