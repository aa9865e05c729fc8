package io.keysmith.oauth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keysmith.http.ClientAddress;
import io.keysmith.keys.AccessTokens;
import io.keysmith.keys.ForwardAuthHandlers;
import io.keysmith.keys.KeyVerifier;
import io.keysmith.keys.Verification;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The authorization server's HTTP side: the token endpoint, introspection, revocation, the JWKS and the RFC 8414
 * metadata. Requests are {@code application/x-www-form-urlencoded}; errors are RFC 6749 §5.2 JSON, never cached.
 */
public final class OAuthHandlers {
    private static final int MAX_PARAMETERS = 20;

    private final OAuthService service;
    private final SigningKeys keys;
    private final KeyVerifier verifier;
    private final ClientAddress client;
    private final JsonArray scopes;

    public OAuthHandlers(
            OAuthService service, SigningKeys keys, KeyVerifier verifier, ClientAddress client, JsonArray scopes) {
        this.service = service;
        this.keys = keys;
        this.verifier = verifier;
        this.client = client;
        this.scopes = scopes;
    }

    /** POST /oauth/token: client credentials (RFC 6749 §4.4). */
    public void token(RoutingContext rc) {
        String address = client.address(rc);
        Map<String, String> form;
        OAuthService.ClientCredentials credentials;
        try {
            form = form(rc);
            credentials = credentials(rc, form);
        } catch (OAuthError e) {
            error(rc, e);
            return;
        }
        service.authenticate(credentials, address)
                .compose(principal -> {
                    String grant = form.get("grant_type");
                    if (grant == null) {
                        return Future.failedFuture(OAuthError.invalidRequest("Parameter 'grant_type' is missing"));
                    }
                    if (!grant.equals("client_credentials")) {
                        return Future.failedFuture(OAuthError.unsupportedGrantType());
                    }
                    return service.issue(principal, form.get("scope"), form.get(OAuthService.USER_PARAMETER));
                })
                .onSuccess(issued -> answer(
                        rc,
                        200,
                        new JsonObject()
                                .put("access_token", issued.token())
                                .put("token_type", "Bearer")
                                .put("expires_in", service.codec().lifetime().toSeconds())
                                .put("scope", issued.scope())))
                .onFailure(e -> error(rc, e));
    }

    /** POST /oauth/revoke (RFC 7009): the client revokes one of its own tokens; 200 whatever the token was. */
    public void revoke(RoutingContext rc) {
        String address = client.address(rc);
        Map<String, String> form;
        OAuthService.ClientCredentials credentials;
        try {
            form = form(rc);
            credentials = credentials(rc, form);
        } catch (OAuthError e) {
            error(rc, e);
            return;
        }
        service.authenticate(credentials, address)
                .compose(principal -> {
                    String token = form.get("token");
                    if (token == null || token.isEmpty()) {
                        return Future.failedFuture(OAuthError.invalidRequest("Parameter 'token' is missing"));
                    }
                    return service.revoke(principal, token, address);
                })
                .onSuccess(x -> rc.response()
                        .setStatusCode(200)
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                        .end())
                .onFailure(e -> error(rc, e));
    }

    /**
     * POST /oauth/introspect (RFC 7662), authenticated as verify is (a gateway's key or address): whether the token
     * is active now, decided by the same verifier and cache as every request that carries it.
     */
    public void introspect(RoutingContext rc) {
        Map<String, String> form;
        try {
            form = form(rc);
        } catch (OAuthError e) {
            error(rc, e);
            return;
        }
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            error(rc, OAuthError.invalidRequest("Parameter 'token' is missing"));
            return;
        }
        if (!AccessTokens.looksLikeToken(token)) {
            answer(rc, 200, new JsonObject().put("active", false));
            return;
        }
        ForwardAuthHandlers.Gateway gateway = rc.get(ForwardAuthHandlers.GATEWAY);
        UUID organization = gateway == null ? null : gateway.organization();
        verifier.verify(token, null, null, organization)
                .onSuccess(v -> {
                    if (!(v instanceof Verification.Valid ok)) {
                        answer(rc, 200, new JsonObject().put("active", false));
                        return;
                    }
                    try {
                        JWTClaimsSet c = SignedJWT.parse(token).getJWTClaimsSet();
                        answer(
                                rc,
                                200,
                                new JsonObject()
                                        .put("active", true)
                                        .put(
                                                "scope",
                                                String.join(
                                                        " ",
                                                        ok.key()
                                                                .rights()
                                                                .rights()
                                                                .permissions()))
                                        .put("client_id", c.getStringClaim(AccessTokenCodec.CLIENT_CLAIM))
                                        .put("token_type", "Bearer")
                                        .put("exp", c.getExpirationTime().getTime() / 1000)
                                        .put("iat", c.getIssueTime().getTime() / 1000)
                                        .put("sub", c.getSubject())
                                        .put("aud", c.getAudience().get(0))
                                        .put("iss", c.getIssuer())
                                        .put("jti", c.getJWTID())
                                        .put(
                                                AccessTokenCodec.ORGANIZATION_CLAIM,
                                                ok.key().organizationId().toString()));
                    } catch (Exception e) {
                        answer(rc, 200, new JsonObject().put("active", false));
                    }
                })
                .onFailure(rc::fail);
    }

    /** GET /.well-known/jwks.json: every published key, the next one included, public parts only. */
    public void jwks(RoutingContext rc) {
        rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
                .end(Buffer.buffer(keys.published().toString(true)));
    }

    /** GET /.well-known/oauth-authorization-server (RFC 8414). */
    public void metadata(RoutingContext rc) {
        String issuer = service.codec().issuer();
        JsonObject m = new JsonObject()
                .put("issuer", issuer)
                .put("token_endpoint", issuer + "/oauth/token")
                .put("jwks_uri", issuer + "/.well-known/jwks.json")
                .put("introspection_endpoint", issuer + "/oauth/introspect")
                .put("revocation_endpoint", issuer + "/oauth/revoke")
                .put("grant_types_supported", new JsonArray().add("client_credentials"))
                .put("response_types_supported", new JsonArray())
                .put(
                        "token_endpoint_auth_methods_supported",
                        new JsonArray().add("client_secret_basic").add("client_secret_post"))
                .put(
                        "revocation_endpoint_auth_methods_supported",
                        new JsonArray().add("client_secret_basic").add("client_secret_post"))
                .put("scopes_supported", scopes);
        rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
                .end(m.toBuffer());
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** The form body: url-encoded, each parameter at most once (RFC 6749 §3.2), a bounded number of them. */
    static Map<String, String> form(RoutingContext rc) {
        String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null
                || !type.toLowerCase(Locale.ROOT).split(";")[0].trim().equals("application/x-www-form-urlencoded")) {
            throw OAuthError.invalidRequest("The body must be application/x-www-form-urlencoded");
        }
        Buffer body = rc.body() == null ? null : rc.body().buffer();
        String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
        Map<String, List<String>> decoded;
        try {
            decoded = new QueryStringDecoder(text, StandardCharsets.UTF_8, false, MAX_PARAMETERS + 1).parameters();
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidRequest("The body is not a valid url-encoded form");
        }
        if (decoded.size() > MAX_PARAMETERS) {
            throw OAuthError.invalidRequest("The body has too many parameters");
        }
        Map<String, String> out = new HashMap<>();
        decoded.forEach((name, values) -> {
            if (values.size() > 1) {
                throw OAuthError.invalidRequest("Parameter '" + safe(name) + "' appears more than once");
            }
            String value = values.get(0);
            if (value.indexOf('\0') >= 0) {
                throw OAuthError.invalidRequest("Parameter '" + safe(name) + "' holds a NUL character");
            }
            out.put(name, value);
        });
        return out;
    }

    /** client_secret_basic or client_secret_post; both at once is invalid_request (RFC 6749 §2.3). */
    static OAuthService.ClientCredentials credentials(RoutingContext rc, Map<String, String> form) {
        String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        boolean inForm = form.containsKey("client_secret");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (inForm) {
                throw OAuthError.invalidRequest("Authenticate the client one way: HTTP Basic or the form, not both");
            }
            try {
                String decoded = new String(
                        Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw OAuthError.invalidClient(true);
                }
                // RFC 6749 §2.3.1: both parts are form-url-encoded before Basic encoding
                return new OAuthService.ClientCredentials(
                        URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8),
                        true);
            } catch (IllegalArgumentException e) {
                throw OAuthError.invalidClient(true);
            }
        }
        if (header != null) {
            throw OAuthError.invalidClient(false); // another scheme (a Bearer token) authenticates no client
        }
        if (!inForm || form.get("client_id") == null) {
            throw OAuthError.invalidClient(true); // no client authentication at all: challenge with Basic
        }
        return new OAuthService.ClientCredentials(form.get("client_id"), form.get("client_secret"), false);
    }

    private static void answer(RoutingContext rc, int status, JsonObject body) {
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("Pragma", "no-cache")
                .end(body.toBuffer());
    }

    private static void error(RoutingContext rc, Throwable failure) {
        if (!(failure instanceof OAuthError e)) {
            rc.fail(failure);
            return;
        }
        if (e.challenge()) {
            rc.response().putHeader("WWW-Authenticate", "Basic realm=\"keysmith\", charset=\"UTF-8\"");
        }
        if (e.retryAfter() > 0) {
            rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfter()));
        }
        answer(rc, e.status(), new JsonObject().put("error", e.error()).put("error_description", e.getMessage()));
    }

    /** A parameter name as echoed in an error: short and printable. */
    private static String safe(String name) {
        String s = name.length() > 40 ? name.substring(0, 40) : name;
        return s.replaceAll("[^A-Za-z0-9_.-]", "?");
    }
}
