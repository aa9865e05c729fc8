package io.keysmith.sso;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.keysmith.errors.Unauthenticated;
import io.keysmith.errors.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relying party's side of OpenID Connect towards an organization's IdP: discovery
 * ({@code /.well-known/openid-configuration}), the issuer's JWKS, the token endpoint (authorization code + PKCE), and
 * the ID token's validation with Nimbus JOSE+JWT (signature by a key of the issuer's JWKS with an asymmetric
 * algorithm of the allow-list, iss, aud, azp, exp, iat, nonce). All calls are non-blocking (Vert.x HTTP client), time
 * out, follow no redirect and read at most {@link #MAX_BODY} bytes. Discovery and JWKS are cached per issuer; an
 * unknown kid refetches the JWKS once (key rotation). Nothing from a token, code or secret is logged.
 */
public final class OidcClient {
    private static final Logger LOG = LoggerFactory.getLogger(OidcClient.class);
    static final int MAX_BODY = 256 * 1024;
    private static final int TIMEOUT_MS = 5000;
    private static final int RETRY_AFTER = 30;
    /** Asymmetric signatures only: no "none", no HMAC with a client secret an IdP admin could choose weakly. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA);

    /** What discovery told about an issuer. */
    public record Provider(
            String issuer,
            String authorizationEndpoint,
            String tokenEndpoint,
            String jwksUri,
            boolean clientSecretPost) {}

    /** The claims of a validated ID token that sign-in uses. */
    public record Identity(
            String issuer, String subject, String email, boolean emailVerified, String givenName, String familyName) {}

    private final HttpClient http;
    private final Cache<String, Provider> providers = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();
    private final Cache<String, JWKSet> keys = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();

    public OidcClient(Vertx vertx) {
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(TIMEOUT_MS)
                .setIdleTimeout(TIMEOUT_MS / 1000 + 1)
                .setMaxRedirects(0)
                .setKeepAlive(true));
    }

    /** Forgets what was cached for an issuer (its configuration changed). */
    public void forget(String issuer) {
        providers.invalidate(issuer);
        keys.invalidateAll(); // keyed by JWKS URI; a change of issuer is rare
    }

    public Future<Provider> discover(String issuer) {
        Provider known = providers.getIfPresent(issuer);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        String url = issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration";
        return getJson(url, "discovery").map(doc -> {
            // OpenID Connect Discovery 4.3: the document's issuer must be exactly the configured one
            if (!issuer.equals(doc.getValue("issuer"))) {
                throw down("its discovery document names another issuer");
            }
            String authorize = endpoint(doc, "authorization_endpoint");
            String token = endpoint(doc, "token_endpoint");
            String jwks = endpoint(doc, "jwks_uri");
            JsonArray methods = doc.getValue("token_endpoint_auth_methods_supported") instanceof JsonArray a
                    ? a
                    : new JsonArray().add("client_secret_basic");
            boolean post = !methods.contains("client_secret_basic") && methods.contains("client_secret_post");
            Provider p = new Provider(issuer, authorize, token, jwks, post);
            providers.put(issuer, p);
            return p;
        });
    }

    /** The authorization request's URL (code flow, PKCE S256, state and nonce). */
    public static String authorizationUrl(
            Provider p, String clientId, String redirectUri, String state, String nonce, String codeChallenge) {
        String query = "response_type=code"
                + "&client_id=" + enc(clientId)
                + "&redirect_uri=" + enc(redirectUri)
                + "&scope=" + enc("openid email profile")
                + "&state=" + enc(state)
                + "&nonce=" + enc(nonce)
                + "&code_challenge=" + enc(codeChallenge)
                + "&code_challenge_method=S256";
        return p.authorizationEndpoint() + (p.authorizationEndpoint().contains("?") ? "&" : "?") + query;
    }

    /** Exchanges the code at the token endpoint and validates the ID token it answers with. */
    public Future<Identity> redeem(
            Provider p,
            String clientId,
            String clientSecret,
            String redirectUri,
            String code,
            String verifier,
            String nonce) {
        MultiMap form = MultiMap.caseInsensitiveMultiMap()
                .add("grant_type", "authorization_code")
                .add("code", code)
                .add("redirect_uri", redirectUri)
                .add("code_verifier", verifier);
        RequestOptions options = request(HttpMethod.POST, p.tokenEndpoint())
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("Accept", "application/json");
        if (p.clientSecretPost()) {
            form.add("client_id", clientId).add("client_secret", clientSecret);
        } else {
            // RFC 6749 2.3.1: both parts form-encoded before Basic
            String basic = enc(clientId) + ":" + enc(clientSecret);
            options.putHeader(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        StringBuilder body = new StringBuilder();
        form.forEach(e -> body.append(body.isEmpty() ? "" : "&")
                .append(enc(e.getKey()))
                .append('=')
                .append(enc(e.getValue())));
        return send(options, Buffer.buffer(body.toString()), "token").compose(answer -> {
            if (answer.status() >= 400 && answer.status() < 500) {
                // invalid_grant and friends: the code was not accepted (used, expired, wrong verifier or client)
                return Future.failedFuture(Unauthenticated.sso(
                        "sso-rejected", "The identity provider did not accept the sign-in; start again"));
            }
            if (answer.status() != 200) {
                return Future.failedFuture(down("its token endpoint answered " + answer.status()));
            }
            JsonObject json = parse(answer.body(), "token");
            if (!(json.getValue("id_token") instanceof String idToken)) {
                return Future.failedFuture(
                        Unauthenticated.sso("sso-rejected", "The identity provider answered without an ID token"));
            }
            return validate(p, clientId, idToken, nonce, false);
        });
    }

    private Future<Identity> validate(Provider p, String clientId, String idToken, String nonce, boolean refreshed) {
        return jwks(p.jwksUri(), refreshed).compose(set -> {
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(set)));
            DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                    clientId,
                    new JWTClaimsSet.Builder()
                            .issuer(p.issuer())
                            .claim("nonce", nonce)
                            .build(),
                    Set.of("sub", "iat", "exp"));
            verifier.setMaxClockSkew(60);
            processor.setJWTClaimsSetVerifier(verifier);
            JWTClaimsSet claims;
            try {
                claims = processor.process(idToken, null);
            } catch (BadJWTException e) {
                return Future.failedFuture(rejected(e));
            } catch (BadJOSEException e) {
                if (!refreshed && e.getMessage() != null && e.getMessage().contains("matching key")) {
                    return validate(p, clientId, idToken, nonce, true); // the IdP may have rotated its keys
                }
                return Future.failedFuture(rejected(e));
            } catch (ParseException | JOSEException e) {
                return Future.failedFuture(rejected(e));
            }
            List<String> aud = claims.getAudience();
            Object azp = claims.getClaim("azp");
            if (aud.size() > 1 && !clientId.equals(azp)) {
                return Future.failedFuture(Unauthenticated.sso(
                        "sso-rejected", "The ID token was issued to another party (azp is not this client)"));
            }
            try {
                Boolean verified = claims.getBooleanClaim("email_verified");
                return Future.succeededFuture(new Identity(
                        claims.getIssuer(),
                        claims.getSubject(),
                        claims.getStringClaim("email"),
                        Boolean.TRUE.equals(verified),
                        claims.getStringClaim("given_name"),
                        claims.getStringClaim("family_name")));
            } catch (ParseException e) {
                return Future.failedFuture(rejected(e));
            }
        });
    }

    /** Why an ID token was refused, in words an admin can act on; never the token or its values. */
    private static Unauthenticated rejected(Exception e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        String why;
        if (m.contains("audience") || m.contains(" aud ")) {
            why = "it was issued for another client (aud)";
        } else if (m.contains("Expired")) {
            why = "it has expired (exp)";
        } else if (m.contains("nonce")) {
            why = "its nonce does not match this sign-in";
        } else if (m.contains("iss")) {
            why = "it names another issuer (iss)";
        } else if (m.contains("algorithm") || m.contains("matching key") || m.contains("signature")) {
            why = "its signature is not by a key of the issuer's JWKS with an accepted algorithm";
        } else if (m.contains("missing required claims")) {
            why = "it lacks a required claim (sub, iat, exp)";
        } else {
            why = "it is not a valid signed JWT";
        }
        return Unauthenticated.sso("sso-rejected", "The identity provider's ID token was refused: " + why);
    }

    private Future<JWKSet> jwks(String uri, boolean refresh) {
        JWKSet known = refresh ? null : keys.getIfPresent(uri);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return send(request(HttpMethod.GET, uri).putHeader("Accept", "application/json"), null, "JWKS")
                .map(answer -> {
                    if (answer.status() != 200) {
                        throw down("its JWKS answered " + answer.status());
                    }
                    try {
                        JWKSet set = JWKSet.parse(answer.body().toString(StandardCharsets.UTF_8));
                        keys.put(uri, set);
                        return set;
                    } catch (ParseException e) {
                        throw down("its JWKS is not a JWK set");
                    }
                });
    }

    private Future<JsonObject> getJson(String url, String what) {
        return send(request(HttpMethod.GET, url).putHeader("Accept", "application/json"), null, what)
                .map(answer -> {
                    if (answer.status() != 200) {
                        throw down("its " + what + " answered " + answer.status());
                    }
                    return parse(answer.body(), what);
                });
    }

    private static JsonObject parse(Buffer body, String what) {
        try {
            return new JsonObject(body);
        } catch (RuntimeException e) {
            throw down("its " + what + " answer is not a JSON object");
        }
    }

    private record Answer(int status, Buffer body) {}

    private static RequestOptions request(HttpMethod method, String url) {
        return new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(url)
                .setFollowRedirects(false)
                .setConnectTimeout(TIMEOUT_MS)
                .setIdleTimeout(TIMEOUT_MS);
    }

    /** One request; the answer's body is read up to {@link #MAX_BODY} bytes, past that the connection is reset. */
    private Future<Answer> send(RequestOptions options, Buffer body, String what) {
        Promise<Answer> done = Promise.promise();
        http.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .onFailure(e -> {
                    LOG.warn(
                            "Identity provider {} {} failed: {}",
                            what,
                            host(options),
                            e.getClass().getSimpleName());
                    done.tryFail(down("it could not be reached"));
                })
                .onSuccess(resp -> {
                    Buffer acc = Buffer.buffer();
                    resp.exceptionHandler(e -> done.tryFail(down("its answer broke off")));
                    resp.handler(chunk -> {
                        if (acc.length() + chunk.length() > MAX_BODY) {
                            resp.request().reset();
                            done.tryFail(down("its " + what + " answer is larger than " + MAX_BODY + " bytes"));
                        } else {
                            acc.appendBuffer(chunk);
                        }
                    });
                    resp.endHandler(x -> done.tryComplete(new Answer(resp.statusCode(), acc)));
                });
        return done.future();
    }

    private static String host(RequestOptions o) {
        return o.getHost() == null ? "?" : o.getHost();
    }

    private static String endpoint(JsonObject doc, String name) {
        if (!(doc.getValue(name) instanceof String url) || !IssuerUrl.acceptable(url)) {
            throw down("its discovery document lacks a usable " + name);
        }
        return url;
    }

    static Unavailable down(String why) {
        return new Unavailable(
                "identity-provider-unavailable",
                "The organization's identity provider cannot be used right now (" + why + "); try again shortly",
                RETRY_AFTER);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
