package io.keysmith.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small but real OpenID Connect provider on loopback for the tests: discovery, a JWKS with an RSA key, an authorize
 * endpoint that signs in the person the test chose and redirects with a one-time code, and a token endpoint that
 * checks the client's secret (HTTP Basic), the redirect URI and the PKCE verifier (S256) and answers an ID token
 * signed RS256 with Nimbus JOSE. A test can make it misbehave: another audience, an expired token, another issuer,
 * another signing key; {@link #stop} makes it unreachable.
 */
public final class OidcProvider implements AutoCloseable {
    /** Who the authorize endpoint signs in next, and how the ID token is made. */
    public record Person(String subject, String email, boolean emailVerified, String givenName, String familyName) {}

    public final String clientId;
    public final String clientSecret;
    private final String redirectUri;
    private final HttpServer server;
    private final RSAKey key;
    private final RSAKey stranger;
    private final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();
    private final AtomicReference<Person> next = new AtomicReference<>();
    private volatile String audience;
    private volatile Duration lifetime = Duration.ofMinutes(5);
    private volatile String issuerClaim;
    private volatile boolean signWithStranger;
    /** The last ID token handed out (the tests look for it in logs and audit). */
    public volatile String lastIdToken;

    private OidcProvider(String clientId, String clientSecret, String redirectUri) throws IOException {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.redirectUri = redirectUri;
        try {
            this.key = new RSAKeyGenerator(2048).keyID("k1").generate();
            this.stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/jwks", this::jwks);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.start();
    }

    public static OidcProvider start(String redirectUri) {
        try {
            return new OidcProvider(
                    "keysmith-" + UUID.randomUUID().toString().substring(0, 8),
                    "client-secret-" + UUID.randomUUID(),
                    redirectUri);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public OidcProvider signsIn(Person p) {
        next.set(p);
        return this;
    }

    /** The ID tokens' audience from now on (null: the client id). */
    public OidcProvider audience(String aud) {
        this.audience = aud;
        return this;
    }

    /** How long the ID tokens live; negative: already expired when issued. */
    public OidcProvider lifetime(Duration d) {
        this.lifetime = d;
        return this;
    }

    public OidcProvider issuerClaim(String iss) {
        this.issuerClaim = iss;
        return this;
    }

    public OidcProvider signWithUnpublishedKey(boolean on) {
        this.signWithStranger = on;
        return this;
    }

    /** Back to a well-behaved provider. */
    public OidcProvider reset() {
        audience = null;
        lifetime = Duration.ofMinutes(5);
        issuerClaim = null;
        signWithStranger = false;
        return this;
    }

    public void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
    }

    private void discovery(HttpExchange x) throws IOException {
        String base = issuer();
        send(
                x,
                200,
                new JsonObject()
                        .put("issuer", base)
                        .put("authorization_endpoint", base + "/authorize")
                        .put("token_endpoint", base + "/token")
                        .put("jwks_uri", base + "/jwks")
                        .put("response_types_supported", new JsonArray().add("code"))
                        .put("subject_types_supported", new JsonArray().add("public"))
                        .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
                        .put("code_challenge_methods_supported", new JsonArray().add("S256"))
                        .put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic"))
                        .encode());
    }

    private void jwks(HttpExchange x) throws IOException {
        send(x, 200, new JWKSet(key.toPublicJWK()).toString());
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = form(x.getRequestURI().getRawQuery());
        Person p = next.get();
        if (!clientId.equals(q.get("client_id"))
                || !redirectUri.equals(q.get("redirect_uri"))
                || !"code".equals(q.get("response_type"))
                || !"S256".equals(q.get("code_challenge_method"))
                || q.get("code_challenge") == null
                || q.get("state") == null
                || q.get("nonce") == null
                || p == null) {
            send(x, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        String code = UUID.randomUUID().toString();
        Map<String, String> grant = new HashMap<>(q);
        grant.put("subject", p.subject());
        grant.put("email", p.email());
        grant.put("email_verified", Boolean.toString(p.emailVerified()));
        grant.put("given_name", p.givenName());
        grant.put("family_name", p.familyName());
        codes.put(code, grant);
        x.getResponseHeaders()
                .add(
                        "Location",
                        redirectUri + "?code=" + enc(code) + "&state=" + enc(q.get("state")) + "&iss=" + enc(issuer()));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private void token(HttpExchange x) throws IOException {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString((enc(clientId) + ":" + enc(clientSecret)).getBytes(StandardCharsets.UTF_8));
        Map<String, String> f = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!expected.equals(auth)) {
            send(x, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        Map<String, String> grant = f.get("code") == null ? null : codes.remove(f.get("code"));
        if (grant == null
                || !"authorization_code".equals(f.get("grant_type"))
                || !redirectUri.equals(f.get("redirect_uri"))
                || f.get("code_verifier") == null
                || !s256(f.get("code_verifier")).equals(grant.get("code_challenge"))) {
            send(x, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuerClaim == null ? issuer() : issuerClaim)
                .subject(grant.get("subject"))
                .audience(audience == null ? clientId : audience)
                .issueTime(Date.from(now.minusSeconds(lifetime.isNegative() ? 600 : 0)))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim("nonce", grant.get("nonce"))
                .claim("email", grant.get("email"))
                .claim("email_verified", Boolean.parseBoolean(grant.get("email_verified")))
                .claim("given_name", grant.get("given_name"))
                .claim("family_name", grant.get("family_name"))
                .build();
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
            jwt.sign(new RSASSASigner(signWithStranger ? stranger : key));
            lastIdToken = jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        send(
                x,
                200,
                new JsonObject()
                        .put("access_token", "at-" + UUID.randomUUID())
                        .put("token_type", "Bearer")
                        .put("expires_in", 300)
                        .put("id_token", lastIdToken)
                        .encode());
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                            MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    public static Map<String, String> form(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /** The query of a URL as a map. */
    public static Map<String, String> query(String url) {
        return form(URI.create(url).getRawQuery());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
