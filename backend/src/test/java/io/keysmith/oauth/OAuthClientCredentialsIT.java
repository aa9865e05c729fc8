package io.keysmith.oauth;

import static io.keysmith.support.KeysApi.keyBody;
import static io.keysmith.support.KeysApi.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.support.Api.Session;
import io.keysmith.support.DbProbe;
import io.keysmith.support.KeysApi;
import io.keysmith.support.KeysApi.Reply;
import io.keysmith.support.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OAuth clients end to end on a real server and database, driven by an independent OAuth client library
 * (vertx-auth-oauth2): created like keys, their secret buys RFC 9068 tokens verified against the published JWKS,
 * the tokens read what a key of the same rights reads (and never another organization's data), and every refusal
 * is an RFC 6749 error or a 401.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("OAuth clients obtain scoped access tokens that the API honours exactly like keys")
class OAuthClientCredentialsIT {
    private static final String ISSUER = "http://keysmith.test";
    private static KeysApi api;
    private static Vertx vertx;
    private static Session a;
    private static Session b;
    private static String bPerson;

    @BeforeAll
    static void start(Vertx v) {
        vertx = v;
        api = KeysApi.onNewServer(v, "oauth_clients", KeysApi.manyFailures().put("gateway.cidrs", "127.0.0.0/8"));
        a = api.signUp("OAuth Org A", uniqueEmail("oauth-a"));
        b = api.signUp("OAuth Org B", uniqueEmail("oauth-b"));
        api.createPerson(a, KeysApi.person("Ann", "Alpha"));
        api.createPerson(a, KeysApi.person("Aldo", "Aster"));
        bPerson = api.createPerson(b, KeysApi.person("Bea", "OnlyInB")).getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static JsonObject client(Session s, String name, String... permissions) {
        JsonObject body = keyBody(name, "PEOPLE", permissions.length == 0 ? "INHERIT" : "SCOPED")
                .put("credentialKind", "OAUTH_CLIENT");
        if (permissions.length > 0) {
            body.put("permissions", new JsonArray(List.of(permissions)));
            body.put("fieldRights", new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW"));
        }
        return api.createKey(s, body);
    }

    private static HttpResponse<Buffer> form(String path, Map<String, String> params, Map<String, String> headers) {
        String body = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return formRaw(path, body, headers);
    }

    private static HttpResponse<Buffer> formRaw(String path, String body, Map<String, String> headers) {
        HttpRequest<Buffer> req = api.http().request(HttpMethod.POST, path, null);
        req.putHeader("Content-Type", "application/x-www-form-urlencoded");
        headers.forEach(req::putHeader);
        return req.sendBuffer(Buffer.buffer(body)).await();
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A token by client_secret_post. */
    private static String token(JsonObject created, String... extra) {
        Map<String, String> p = params(
                "grant_type", "client_credentials",
                "client_id", created.getJsonObject("key").getString("clientId"),
                "client_secret", created.getString("secret"));
        p.putAll(params(extra));
        HttpResponse<Buffer> r = form("/oauth/token", p, Map.of());
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getString("access_token");
    }

    private static OAuth2Auth library(JsonObject created) {
        return OAuth2Auth.create(
                vertx,
                new OAuth2Options()
                        .setClientId(created.getJsonObject("key").getString("clientId"))
                        .setClientSecret(created.getString("secret"))
                        .setSite("http://127.0.0.1:" + api.http().port())
                        .setTokenPath("/oauth/token")
                        .setJwkPath("/.well-known/jwks.json")
                        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAudience(List.of(ISSUER + "/api/v1"))));
    }

    private static Set<String> lastNames(Reply r) {
        return r.json().getJsonArray("items").stream()
                .map(o -> ((JsonObject) o).getString("lastName"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------------------------------------- tests

    @Test
    @DisplayName(
            "a client secret sent to the public revocation API stops the client: no new token, the old ones refused")
    void aLeakedClientSecret_reportedToThePublicRevocationApi_stopsTheClient() {
        JsonObject created = client(a, "Leaked client");
        String secret = created.getString("secret");
        String access = token(created);
        assertThat(api.withKey("/api/v1/people", access).status()).isEqualTo(200);

        HttpResponse<Buffer> reported = api.http()
                .request(HttpMethod.POST, "/api/v1/credentials/revoke", null)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(new JsonObject()
                        .put("credentials", new JsonArray().add(secret))
                        .toBuffer())
                .await();
        assertThat(reported.statusCode()).as(reported.bodyAsString()).isEqualTo(202);

        Poll.until(
                () -> api.withKey("/api/v1/people", access).status() == 401,
                Duration.ofSeconds(2),
                "the leaked client's token refused");
        HttpResponse<Buffer> again = form(
                "/oauth/token",
                params(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        created.getJsonObject("key").getString("clientId"),
                        "client_secret",
                        secret),
                Map.of());
        assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(401);
        assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    }

    @Test
    @DisplayName("an OAuth client is created like a key: kso_ secret shown once, client_id, listed, audited")
    void anOAuthClient_isCreatedLikeAKey() {
        JsonObject created = client(a, "Payroll OAuth", "people:read");
        String secret = created.getString("secret");
        JsonObject key = created.getJsonObject("key");
        assertThat(secret).startsWith("kso_").hasSize(42);
        assertThat(key.getString("credentialKind")).isEqualTo("OAUTH_CLIENT");
        assertThat(key.getString("clientId")).isEqualTo(key.getString("id"));
        assertThat(key.getString("hint")).startsWith("kso_");
        assertThat(api.getKey(a, key.getString("id")).body()).doesNotContain(secret);
        JsonArray mine = api.get("/api/v1/api-keys", a).json().getJsonArray("items");
        assertThat(mine.stream().map(o -> ((JsonObject) o).getString("id"))).contains(key.getString("id"));
        JsonArray events = api.get("/api/v1/audit-events?limit=50", a).json().getJsonArray("items");
        assertThat(events.stream()
                        .map(o -> (JsonObject) o)
                        .filter(e -> "oauth_client.created".equals(e.getString("action")))
                        .map(e -> e.getString("targetId"))
                        .toList())
                .contains(key.getString("id"));
        JsonObject plainKey = api.inheritKey(a, "A plain key", "PEOPLE");
        assertThat(plainKey.getJsonObject("key").getString("credentialKind")).isEqualTo("API_KEY");
        assertThat(plainKey.getJsonObject("key").containsKey("clientId")).isFalse();
    }

    @Test
    @DisplayName("the client secret is not a bearer credential: the API refuses it as a key (401)")
    void theClientSecret_isRefusedAsAKey() {
        JsonObject created = client(a, "Not a key", "people:read");
        assertThat(api.withKey("/api/v1/people", created.getString("secret")).status())
                .isEqualTo(401);
    }

    @Test
    @DisplayName("an independent OAuth library obtains a token (Basic) and validates it against the JWKS")
    void anIndependentLibrary_obtainsAndValidatesAToken() {
        JsonObject created = client(a, "Library client", "people:read");
        OAuth2Auth oauth = library(created);
        User user = oauth.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.CLIENT))
                .await();
        String token = user.principal().getString("access_token");
        assertThat(user.principal().getString("token_type")).isEqualTo("Bearer");
        assertThat(user.principal().getString("scope")).isEqualTo("people:read");
        assertThat(user.principal().getLong("expires_in")).isEqualTo(900L);
        assertThat(user.principal().containsKey("refresh_token")).isFalse();
        oauth.jWKSet().await();
        User verified = oauth.authenticate(new TokenCredentials(token)).await();
        JsonObject claims = verified.attributes().getJsonObject("accessToken");
        assertThat(claims.getString("iss")).isEqualTo(ISSUER);
        assertThat(claims.getString("client_id"))
                .isEqualTo(created.getJsonObject("key").getString("id"));
        assertThat(claims.getString("sub"))
                .isEqualTo(created.getJsonObject("key").getString("id"));
        assertThat(claims.getString("org_id")).isEqualTo(a.organizationId());
        assertThat(claims.getString("scope")).isEqualTo("people:read");
        assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(900L);
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(new JsonObject(header).getString("typ")).isEqualTo("at+jwt");
        assertThat(new JsonObject(header).getString("alg")).isEqualTo("ES256");
    }

    @Test
    @DisplayName("a token reads people exactly as a key with the same rights does, and never another organization's")
    void aToken_readsWhatAnEqualKeyReads_andNothingOfAnotherOrganization() {
        JsonObject created = client(a, "Equivalence client", "people:read");
        JsonObject key = api.createKey(
                a,
                keyBody("Equivalent key", "PEOPLE", "SCOPED")
                        .put("permissions", new JsonArray().add("people:read"))
                        .put(
                                "fieldRights",
                                new JsonObject().put("firstName", "VIEW").put("lastName", "VIEW")));
        String token = token(created);
        Reply withToken = api.withKey("/api/v1/people", token);
        Reply withKey = api.withKey("/api/v1/people", key.getString("secret"));
        assertThat(withToken.status()).as(withToken.toString()).isEqualTo(200);
        assertThat(withKey.status()).isEqualTo(200);
        assertThat(withToken.json().getJsonArray("items"))
                .isEqualTo(withKey.json().getJsonArray("items"));
        assertThat(lastNames(withToken)).containsExactly("Alpha", "Aster");
        JsonObject first = withToken.json().getJsonArray("items").getJsonObject(0);
        assertThat(first.fieldNames()).doesNotContain("salary", "dateOfBirth");
        assertThat(api.withKey("/api/v1/people/" + bPerson, token).status()).isEqualTo(404);
        Reply write = api.withKey(
                HttpMethod.POST, "/api/v1/people", token, KeysApi.Scheme.BEARER, KeysApi.person("No", "Write"));
        assertThat(write.status()).isEqualTo(403);
        assertThat(api.withKey("/api/v1/audit-events", token).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("client_secret_post answers no-store JSON; scope narrows; a scope the client lacks is invalid_scope")
    void secretPost_scopeNarrowing_andInvalidScope() {
        JsonObject created = client(a, "Post client", "people:read", "people:create");
        String id = created.getJsonObject("key").getString("clientId");
        HttpResponse<Buffer> r = form(
                "/oauth/token",
                params(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        id,
                        "client_secret",
                        created.getString("secret"),
                        "scope",
                        "people:read"),
                Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(r.getHeader("Content-Type")).startsWith("application/json");
        assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("people:read");
        String narrowed = r.bodyAsJsonObject().getString("access_token");
        assertThat(api.withKey(
                                HttpMethod.POST,
                                "/api/v1/people",
                                narrowed,
                                KeysApi.Scheme.BEARER,
                                KeysApi.person("Narrow", "Ed"))
                        .status())
                .isEqualTo(403);
        HttpResponse<Buffer> wide = form(
                "/oauth/token",
                params(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        id,
                        "client_secret",
                        created.getString("secret"),
                        "scope",
                        "people:read people:delete"),
                Map.of());
        assertThat(wide.statusCode()).isEqualTo(400);
        assertThat(wide.bodyAsJsonObject().getString("error")).isEqualTo("invalid_scope");
    }

    @Test
    @DisplayName(
            "wrong secrets are invalid_client 401 (WWW-Authenticate only for Basic); bad requests are invalid_request")
    void refusals_areRfc6749Errors() {
        JsonObject created = client(a, "Refusals client", "people:read");
        String id = created.getJsonObject("key").getString("clientId");
        String secret = created.getString("secret");
        String wrong = io.keysmith.keys.KeyFormat.generate(io.keysmith.keys.KeyFormat.CLIENT_SECRET_PREFIX);

        HttpResponse<Buffer> basic = form(
                "/oauth/token", params("grant_type", "client_credentials"), Map.of("Authorization", basic(id, wrong)));
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.getHeader("WWW-Authenticate")).startsWith("Basic");
        assertThat(basic.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
        assertThat(basic.bodyAsString()).doesNotContain(wrong);

        HttpResponse<Buffer> post = form(
                "/oauth/token",
                params("grant_type", "client_credentials", "client_id", id, "client_secret", wrong),
                Map.of());
        assertThat(post.statusCode()).isEqualTo(401);
        assertThat(post.getHeader("WWW-Authenticate")).isNull();

        // the right secret under another client's id authenticates nothing
        JsonObject other = client(a, "Other client", "people:read");
        assertThat(form(
                                "/oauth/token",
                                params("grant_type", "client_credentials"),
                                Map.of(
                                        "Authorization",
                                        basic(other.getJsonObject("key").getString("id"), secret)))
                        .statusCode())
                .isEqualTo(401);
        // an API key's secret is no client secret
        JsonObject key = api.inheritKey(a, "Key, not client", "PEOPLE");
        assertThat(form(
                                "/oauth/token",
                                params("grant_type", "client_credentials"),
                                Map.of(
                                        "Authorization",
                                        basic(key.getJsonObject("key").getString("id"), key.getString("secret"))))
                        .statusCode())
                .isEqualTo(401);

        assertThat(form("/oauth/token", params("grant_type", "password"), Map.of("Authorization", basic(id, secret)))
                        .bodyAsJsonObject()
                        .getString("error"))
                .isEqualTo("unsupported_grant_type");
        assertThat(form("/oauth/token", params(), Map.of("Authorization", basic(id, secret)))
                        .bodyAsJsonObject()
                        .getString("error"))
                .isEqualTo("invalid_request");
        HttpResponse<Buffer> twice = formRaw(
                "/oauth/token",
                "grant_type=client_credentials&scope=people%3Aread&scope=people%3Aread",
                Map.of("Authorization", basic(id, secret)));
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
        HttpResponse<Buffer> both = form(
                "/oauth/token",
                params("grant_type", "client_credentials", "client_id", id, "client_secret", secret),
                Map.of("Authorization", basic(id, secret)));
        assertThat(both.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
        HttpResponse<Buffer> json = api.http()
                .request(HttpMethod.POST, "/oauth/token", null)
                .putHeader("Authorization", basic(id, secret))
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"grant_type\":\"client_credentials\"}"))
                .await();
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
        HttpResponse<Buffer> none = form("/oauth/token", params("grant_type", "client_credentials"), Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.getHeader("WWW-Authenticate")).startsWith("Basic");
        HttpResponse<Buffer> huge = formRaw(
                "/oauth/token",
                "grant_type=client_credentials&scope=" + "a".repeat(5000),
                Map.of("Authorization", basic(id, secret)));
        assertThat(huge.statusCode()).isEqualTo(413);
    }

    @Test
    @DisplayName("tampered and unsigned (alg none) tokens are 401")
    void tamperedAndUnsignedTokens_are401() {
        JsonObject created = client(a, "Tamper client", "people:read");
        String token = token(created);
        String[] parts = token.split("\\.");
        JsonObject payload =
                new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        payload.put("org_id", b.organizationId());
        String forged = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
        assertThat(api.withKey("/api/v1/people", parts[0] + "." + forged + "." + parts[2])
                        .status())
                .isEqualTo(401);
        String none = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(api.withKey("/api/v1/people", none + "." + parts[1] + ".").status())
                .isEqualTo(401);
        assertThat(api.withKey("/api/v1/people", token).status()).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "disabling the client stops its tokens at once; enabling restores them; revoking one token stops only it")
    void disableEnable_andRevocation_stopTokens() {
        JsonObject created = client(a, "Lifecycle client", "people:read");
        String id = created.getJsonObject("key").getString("id");
        String t1 = token(created);
        String t2 = token(created);
        assertThat(api.withKey("/api/v1/people", t1).status()).isEqualTo(200);
        assertThat(api.keyAction(a, id, "disable", new JsonObject()).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", t1).status()).isEqualTo(401);
        assertThat(form(
                                "/oauth/token",
                                params("grant_type", "client_credentials"),
                                Map.of("Authorization", basic(id, created.getString("secret"))))
                        .statusCode())
                .isEqualTo(401);
        assertThat(api.keyAction(a, id, "enable", new JsonObject()).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", t1).status()).isEqualTo(200);

        HttpResponse<Buffer> introspected = form("/oauth/introspect", params("token", t1), Map.of());
        assertThat(introspected.statusCode()).isEqualTo(200);
        assertThat(introspected.bodyAsJsonObject().getBoolean("active")).isTrue();
        assertThat(introspected.bodyAsJsonObject().getString("client_id")).isEqualTo(id);

        HttpResponse<Buffer> revoked = form(
                "/oauth/revoke", params("token", t1), Map.of("Authorization", basic(id, created.getString("secret"))));
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", t1).status()).isEqualTo(401);
        assertThat(api.withKey("/api/v1/people", t2).status()).isEqualTo(200);
        assertThat(form("/oauth/introspect", params("token", t1), Map.of())
                        .bodyAsJsonObject()
                        .getBoolean("active"))
                .isFalse();
        // another client cannot revoke this client's token (200, nothing changes)
        JsonObject other = client(a, "Other revoker", "people:read");
        assertThat(form(
                                "/oauth/revoke",
                                params("token", t2),
                                Map.of(
                                        "Authorization",
                                        basic(other.getJsonObject("key").getString("id"), other.getString("secret"))))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", t2).status()).isEqualTo(200);

        assertThat(api.keyAction(a, id, "revoke", new JsonObject()).status()).isEqualTo(200);
        assertThat(api.withKey("/api/v1/people", t2).status()).isEqualTo(401);
    }

    @Test
    @DisplayName(
            "rotating the secret keeps the old one working through the grace period; the new one has the kso_ prefix")
    void rotation_keepsTheKindsPrefix_andHonoursGrace() {
        JsonObject created = client(a, "Rotated client", "people:read");
        String id = created.getJsonObject("key").getString("id");
        Reply rotated = api.keyAction(a, id, "rotate", new JsonObject().put("gracePeriodSeconds", 3600));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String fresh = rotated.json().getString("secret");
        assertThat(fresh).startsWith("kso_");
        for (String secret : List.of(created.getString("secret"), fresh)) {
            assertThat(form(
                                    "/oauth/token",
                                    params("grant_type", "client_credentials"),
                                    Map.of("Authorization", basic(id, secret)))
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    @DisplayName("user_id makes the token act for that user too (sub; rights ∩); an unknown user is invalid_request")
    void userId_becomesSub_andIntersects() {
        JsonObject created = client(a, "Acting client", "people:read");
        String id = created.getJsonObject("key").getString("id");
        String noPeopleLevel = api.createLevel(a, KeysApi.levelBody("No people", Map.of(), "audit:read"));
        Session weak = api.createSignedInUser(a, uniqueEmail("weak"), noPeopleLevel);
        HttpResponse<Buffer> r = form(
                "/oauth/token",
                params("grant_type", "client_credentials", "user_id", weak.userId()),
                Map.of("Authorization", basic(id, created.getString("secret"))));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("scope")).isEmpty();
        String token = r.bodyAsJsonObject().getString("access_token");
        JsonObject payload = new JsonObject(
                new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
        assertThat(payload.getString("sub")).isEqualTo(weak.userId());
        assertThat(api.withKey("/api/v1/people", token).status()).isEqualTo(403);
        assertThat(form(
                                "/oauth/token",
                                params(
                                        "grant_type",
                                        "client_credentials",
                                        "user_id",
                                        weak.userId(),
                                        "scope",
                                        "people:read"),
                                Map.of("Authorization", basic(id, created.getString("secret"))))
                        .bodyAsJsonObject()
                        .getString("error"))
                .isEqualTo("invalid_scope");
        for (String user : List.of(b.userId(), "not-a-uuid")) {
            HttpResponse<Buffer> bad = form(
                    "/oauth/token",
                    params("grant_type", "client_credentials", "user_id", user),
                    Map.of("Authorization", basic(id, created.getString("secret"))));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
        }
    }

    @Test
    @DisplayName(
            "another organization's admin and a weaker user of the same organization cannot see or change a client")
    void isolation_ofClients() {
        JsonObject created = client(a, "Isolated client", "people:read");
        String id = created.getJsonObject("key").getString("id");
        assertThat(api.getKey(b, id).status()).isEqualTo(404);
        assertThat(api.keyAction(b, id, "disable", new JsonObject()).status()).isEqualTo(404);
        Session employee = api.createSignedInUser(a, uniqueEmail("emp"), api.builtinLevel(a, "EMPLOYEE"));
        assertThat(api.getKey(employee, id).status()).isEqualTo(404);
        assertThat(api.keyAction(employee, id, "revoke", new JsonObject()).status())
                .isEqualTo(404);
        assertThat(api.withKey("/api/v1/people", token(created)).status()).isEqualTo(200);
    }

    @Test
    @DisplayName(
            "discovery (RFC 8414) names the issuer, endpoints and the permission catalog as scopes; the JWKS has the next key")
    void discoveryAndJwks() {
        HttpResponse<Buffer> m = api.http().get("/.well-known/oauth-authorization-server");
        assertThat(m.statusCode()).isEqualTo(200);
        JsonObject meta = m.bodyAsJsonObject();
        assertThat(meta.getString("issuer")).isEqualTo(ISSUER);
        assertThat(meta.getString("token_endpoint")).isEqualTo(ISSUER + "/oauth/token");
        assertThat(meta.getString("jwks_uri")).isEqualTo(ISSUER + "/.well-known/jwks.json");
        assertThat(meta.getJsonArray("grant_types_supported")).containsExactly("client_credentials");
        Set<String> catalog = new TreeSet<>();
        api.get("/api/v1/permissions", a)
                .json()
                .getJsonArray("groups")
                .forEach(g -> ((JsonObject) g)
                        .getJsonArray("permissions")
                        .forEach(p -> catalog.add(((JsonObject) p).getString("name"))));
        assertThat(new TreeSet<>(meta.getJsonArray("scopes_supported").getList()))
                .isEqualTo(catalog);
        JsonArray keys =
                api.http().get("/.well-known/jwks.json").bodyAsJsonObject().getJsonArray("keys");
        assertThat(keys.size()).as("the signing key and the next one").isGreaterThanOrEqualTo(2);
        keys.forEach(k -> assertThat(((JsonObject) k).containsKey("d"))
                .as("no private part")
                .isFalse());
    }

    @Test
    @DisplayName("verify accepts a token in its key field and answers for the client")
    void verify_acceptsAToken() {
        JsonObject created = client(a, "Verified client", "people:read");
        JsonObject gateway = api.inheritKey(a, "Gateway", "VERIFICATION");
        Reply r = api.withKey(
                HttpMethod.POST,
                "/api/v1/api-keys/verify",
                gateway.getString("secret"),
                KeysApi.Scheme.BEARER,
                new JsonObject().put("key", token(created)).put("permissions", new JsonArray().add("people:read")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().getBoolean("valid")).isTrue();
        assertThat(r.json().getString("keyId"))
                .isEqualTo(created.getJsonObject("key").getString("id"));
        assertThat(r.json().getString("credentialKind")).isEqualTo("OAUTH_CLIENT");
        assertThat(r.json().getString("clientId"))
                .isEqualTo(created.getJsonObject("key").getString("id"));
    }

    @Test
    @DisplayName(
            "the deny-list purge deletes only rows of tokens expired (a minute ago), in every organization; a revoked live token stays refused")
    void theDenyListPurge_dropsOnlyExpiredRows() throws Exception {
        JsonObject created = client(a, "Purged client", "people:read");
        String id = created.getJsonObject("key").getString("id");
        String live = token(created);
        String dead = token(created);
        for (String t : List.of(live, dead)) {
            assertThat(form(
                                    "/oauth/revoke",
                                    params("token", t),
                                    Map.of("Authorization", basic(id, created.getString("secret"))))
                            .statusCode())
                    .isEqualTo(200);
        }
        String deadJti = new JsonObject(
                        new String(Base64.getUrlDecoder().decode(dead.split("\\.")[1]), StandardCharsets.UTF_8))
                .getString("jti");
        DbProbe db = new DbProbe(api.server().database.getDatabase());
        try (java.sql.Connection c = db.owner();
                java.sql.PreparedStatement st = c.prepareStatement(
                        "UPDATE oauth_revoked_tokens SET expires_at = now() - interval '2 minutes' WHERE jti = ?::uuid")) {
            st.setString(1, deadJti);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        long before = db.count("SELECT count(*) FROM oauth_revoked_tokens");
        assertThat(api.server()
                        .app
                        .purgeTokenDenyList()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(1L);
        assertThat(db.count("SELECT count(*) FROM oauth_revoked_tokens")).isEqualTo(before - 1);
        assertThat(db.count("SELECT count(*) FROM oauth_revoked_tokens WHERE jti = ?::uuid", deadJti))
                .isZero();
        assertThat(api.withKey("/api/v1/people", live).status())
                .as("the live revoked token")
                .isEqualTo(401);
    }

    /** The key that signs now, read from PostgreSQL and decrypted with the test server's secret (as a replica does). */
    private static com.nimbusds.jose.jwk.ECKey signingKeyNow(DbProbe db) throws Exception {
        String jwe = db.text("SELECT convert_from(private_jwk, 'UTF8') FROM oauth_signing_keys"
                + " WHERE signs_from <= now() AND signs_until > now() ORDER BY signs_from DESC LIMIT 1");
        com.nimbusds.jose.JWEObject o = com.nimbusds.jose.JWEObject.parse(jwe);
        o.decrypt(new com.nimbusds.jose.crypto.DirectDecrypter(SigningKeys.wrappingKey(
                io.keysmith.config.ServerSecret.parse(io.keysmith.support.TestServer.TEST_SECRET)
                        .current())));
        return com.nimbusds.jose.jwk.ECKey.parse(o.getPayload().toString());
    }

    private static String signed(com.nimbusds.jose.jwk.ECKey key, com.nimbusds.jwt.JWTClaimsSet claims)
            throws Exception {
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                        .type(new com.nimbusds.jose.JOSEObjectType("at+jwt"))
                        .keyID(key.getKeyID())
                        .build(),
                claims);
        jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    @DisplayName(
            "signed with the server's own key, a token for another audience, of another issuer, or expired is 401; the same claims re-signed are 200")
    void wrongAudience_wrongIssuer_expired_are401_evenWithTheRealKey() throws Exception {
        JsonObject created = client(a, "Audience client", "people:read");
        String token = token(created);
        DbProbe db = new DbProbe(api.server().database.getDatabase());
        com.nimbusds.jose.jwk.ECKey key = signingKeyNow(db);
        com.nimbusds.jwt.JWTClaimsSet good =
                com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet();
        assertThat(com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID())
                .as("the token was signed by the key that signs now")
                .isEqualTo(key.getKeyID());
        assertThat(api.withKey("/api/v1/people", signed(key, good)).status())
                .as("the same claims re-signed with the real key")
                .isEqualTo(200);
        java.util.Date past = new java.util.Date(System.currentTimeMillis() - 120_000);
        Map<String, com.nimbusds.jwt.JWTClaimsSet> refused = Map.of(
                "another audience",
                new com.nimbusds.jwt.JWTClaimsSet.Builder(good)
                        .audience("https://elsewhere.example/api")
                        .build(),
                "another issuer",
                new com.nimbusds.jwt.JWTClaimsSet.Builder(good)
                        .issuer("https://evil.example")
                        .build(),
                "expired",
                new com.nimbusds.jwt.JWTClaimsSet.Builder(good)
                        .issueTime(new java.util.Date(past.getTime() - 900_000))
                        .notBeforeTime(new java.util.Date(past.getTime() - 900_000))
                        .expirationTime(past)
                        .build());
        refused.forEach((what, claims) -> {
            try {
                Reply r = api.withKey("/api/v1/people", signed(key, claims));
                assertThat(r.status()).as(what).isEqualTo(401);
                assertThat(r.body()).as(what).contains("problems/unauthenticated");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @DisplayName(
            "the rotation schedule: the next key is in the JWKS before it signs, starting when the current one stops, and stays published a token lifetime past its last signature")
    void theNextKey_isPublishedBeforeItSigns() {
        DbProbe db = new DbProbe(api.server().database.getDatabase());
        String now = db.text("SELECT kid FROM oauth_signing_keys WHERE signs_from <= now() AND signs_until > now()");
        String next = db.text(
                "SELECT n.kid FROM oauth_signing_keys n JOIN oauth_signing_keys c"
                        + " ON n.signs_from = c.signs_until WHERE c.kid = ?::text AND n.signs_from > now()",
                now);
        assertThat(next).as("a next key, starting when the current one stops").isNotNull();
        assertThat(db.count(
                        "SELECT count(*) FROM oauth_signing_keys WHERE kid = ?::text AND retired_at >="
                                + " signs_until + interval '900 seconds'",
                        now))
                .as("published a token lifetime past its last signature")
                .isEqualTo(1);
        Set<String> published = new TreeSet<>();
        api.http()
                .get("/.well-known/jwks.json")
                .bodyAsJsonObject()
                .getJsonArray("keys")
                .forEach(k -> published.add(((JsonObject) k).getString("kid")));
        assertThat(published).contains(now, next);
        String kid = new JsonObject(new String(
                        Base64.getUrlDecoder()
                                .decode(token(client(a, "Kid client", "people:read"))
                                        .split("\\.")[0]),
                        StandardCharsets.UTF_8))
                .getString("kid");
        assertThat(kid).as("tokens are signed by the current key, not the next").isEqualTo(now);
    }
}
