package io.keysmith.keys;

import io.keysmith.auth.Caller;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.auth.SessionService;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Exchange;
import io.keysmith.keys.Verification.Reason;
import io.keysmith.keys.Verification.Refused;
import io.keysmith.keys.Verification.Valid;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Authentication for operations the contract opens to keys (keyBasic / keyBearer) and usually to the session too.
 * A key goes in {@code Authorization} only: as the Basic user name (any password) or as a Bearer token; a key in the
 * query string is refused. The decision (authentication, API type, permission, rate limit) is the verifier's, the
 * same one forward-auth asks for. Failures say nothing about whether a key exists, are throttled per source address,
 * and challenge with {@code WWW-Authenticate: Basic} only requests that used Basic (so no browser pops a login
 * dialog over the SPA).
 */
public final class KeyAuthHandler {
    private static final Set<String> KEY_PARAMS =
            Set.of("key", "api_key", "apikey", "access_token", "token", "api-key");
    static final String NO_KEY = "Send an API key as HTTP Basic (key as user name) or as a Bearer token";

    private final KeyVerifier verifier;
    private final SessionAuthentication sessions;
    private final ClientAddress client;

    public KeyAuthHandler(KeyVerifier verifier, SessionAuthentication sessions, ClientAddress client) {
        this.verifier = verifier;
        this.sessions = sessions;
        this.client = client;
    }

    /**
     * The handler of an operation whose security accepts keys: a key in Authorization is decided by the verifier
     * (and the request metered once it is answered); without one, the session when the operation accepts it.
     */
    public Exchange.Step forOperation(KeyOperations.Rule rule) {
        Handler<RoutingContext> session = SimpleAuthenticationHandler.create().authenticate(rc -> {
            Cookie cookie = rc.request().getCookie(SessionService.COOKIE);
            if (cookie == null) {
                return Future.failedFuture(unauthenticated(NO_KEY, false));
            }
            return sessions.authenticate(new TokenCredentials(cookie.getValue()))
                    .recover(e -> Future.failedFuture(unauthenticated(null, false)));
        });
        return new Exchange.Step() {
            @Override
            public void handle(RoutingContext rc) {
                // the session (a vertx-web authentication handler) only on the router; the raw path serves no
                // operation that accepts one (FastPath)
                if (rule.acceptsSession()
                        && rc.request().getHeader("Authorization") == null
                        && !keyInQuery(rc.queryParams())) {
                    session.handle(rc);
                } else {
                    handle(Exchange.of(rc));
                }
            }

            @Override
            public void handle(Exchange rc) {
                authenticate(rc, rule);
            }
        };
    }

    private void authenticate(Exchange rc, KeyOperations.Rule rule) {
        if (keyInQuery(rc.queryParams())) {
            rc.fail(keyInUrl());
            return;
        }
        String header = rc.request().getHeader("Authorization");
        if (header == null) {
            if (rule.acceptsSession()) {
                throw new IllegalStateException("A session is authenticated on the router only");
            }
            rc.fail(unauthenticated(NO_KEY, false));
            return;
        }
        String address = client.address(rc.request());
        decide(header, address, rule, null).onComplete(ar -> {
            if (ar.failed()) {
                rc.fail(ar.cause());
                return;
            }
            Verification v = ar.result();
            // counted as the answer's headers are written: before the client can see it, so a graceful stop's
            // final flush includes every answered request
            rc.addHeadersEndHandler(
                    x -> verifier.meter(v, rule.operationId(), rc.response().getStatusCode(), address));
            if (v instanceof Valid ok) {
                rateLimitHeaders(rc.response(), ok.limit());
                quotaHeaders(rc.response(), ok.quota());
                rc.put(KeyVerifier.VERIFIED, ok);
                rc.put(Caller.CONTEXT, ok.key().caller());
                rc.next();
            } else {
                Refused r = (Refused) v;
                rateLimitHeaders(rc.response(), r.limit());
                quotaHeaders(rc.response(), r.quota());
                rc.fail(problem(r, isBasic(header)));
            }
        });
    }

    /**
     * The whole decision on a key presented in an Authorization header: the address's failure throttle, the
     * verifier's verdict for the operation, then the key's rate limit (spent only when everything else passed).
     */
    public Future<Verification> decide(String header, String address, KeyOperations.Rule rule, UUID organization) {
        if (verifier.throttled(address)) {
            return Future.succeededFuture(Refused.of(Reason.THROTTLED));
        }
        String key = presentedKey(header);
        if (key == null) {
            verifier.failed(address);
            return Future.succeededFuture(Refused.of(Reason.MALFORMED));
        }
        return verifier.verify(key, address, rule, organization).compose(v -> {
            if (v instanceof Valid ok) {
                return verifier.admit(ok, 1); // a request costs one of a usage quota
            }
            verifier.failed(address, v);
            return Future.succeededFuture(v);
        });
    }

    /** The IETF RateLimit headers of a decision (none for an unlimited key or no decision). */
    static void rateLimitHeaders(HttpServerResponse response, KeyUsage.Limit d) {
        if (d != null && !d.named().isEmpty()) {
            RateLimits.headers(response, d); // ADR 0021: one item per limit, the per-minute one named "key"
        } else if (d != null && d.limit() > 0) {
            response.putHeader("RateLimit-Policy", "\"key\";q=" + d.limit() + ";w=" + d.windowSeconds());
            response.putHeader("RateLimit", "\"key\";r=" + d.remaining() + ";t=" + d.resetSeconds());
        }
    }

    /** A usage quota's state (ADR 0015): its limit and what is left (approximate across replicas). */
    static void quotaHeaders(HttpServerResponse response, Quotas.State q) {
        if (q != null) {
            response.putHeader("Keysmith-Quota-Limit", Long.toString(q.limit()))
                    .putHeader("Keysmith-Quota-Remaining", Long.toString(q.remaining()));
        }
    }

    /** The problem a refusal answers, as BRIEF's verdict shape says; a 401 never says why. */
    static ApiProblem problem(Refused r, boolean basic) {
        return switch (r.reason()) {
            case OUTSIDE_API_TYPE ->
                new ApiProblem(
                        403,
                        "outside-api-type",
                        "Forbidden",
                        "This key's API type does not include this operation",
                        null);
            case PERMISSION_MISSING ->
                new ApiProblem(
                        403,
                        "permission-missing",
                        "Forbidden",
                        "This needs the permission '" + r.permission() + "'",
                        null);
            case RATE_LIMITED ->
                new ApiProblem(
                                429,
                                "rate-limited",
                                "Too many requests",
                                r.limit().named().isEmpty()
                                        ? "This key is over its limit of "
                                                + r.limit().limit() + " requests per minute"
                                        : RateLimits.detail(r.limit()),
                                null)
                        .retryAfter((int) Math.max(1, r.limit().retryAfterSeconds()));
            case THROTTLED ->
                new ApiProblem(
                                429,
                                "too-many-requests",
                                "Too many failed authentications",
                                "Too many invalid API keys from this address; try again in a minute",
                                null)
                        .retryAfter(60);
            case USAGE_EXCEEDED -> {
                ApiProblem p = new ApiProblem(
                        429,
                        "usage-exceeded",
                        "Usage quota spent",
                        r.quota().resetsAt() == null
                                ? "This key has used all " + r.quota().limit() + " requests of its quota, which does"
                                        + " not refill"
                                : "This key has used its quota of " + r.quota().limit() + " requests per "
                                        + r.quota().period().toLowerCase(Locale.ROOT) + "; it refills at "
                                        + r.quota().resetsAt(),
                        null);
                yield r.quota().resetsAt() == null
                        ? p
                        : p.retryAfter((int) Math.max(
                                1,
                                Math.min(
                                        2_678_400L,
                                        java.time.Duration.between(
                                                        java.time.Instant.now(),
                                                        r.quota().resetsAt())
                                                .toSeconds())));
            }
            case PENDING_APPROVAL ->
                new ApiProblem(
                        403,
                        "pending-approval",
                        "Awaiting approval",
                        "This key awaits a credential administrator's approval: it authenticates nothing until then",
                        null);
            case KEY_IN_URL -> keyInUrl();
            case AMBIGUOUS_URI ->
                ApiProblem.badRequest(
                        "The forwarded URI is ambiguous (encoded '/' or '\\', dot segments, NUL): refused",
                        "X-Forwarded-Uri");
            case UNKNOWN_OPERATION ->
                new ApiProblem(
                        404,
                        "unknown-operation",
                        "Unknown operation",
                        "No operation of the API matches the forwarded method and URI",
                        null);
            default -> unauthenticated(null, basic);
        };
    }

    /** True when a query string carries something that looks like a key: refused, never logged. */
    public static boolean keyInQuery(io.vertx.core.MultiMap params) {
        for (var e : params) {
            if (KEY_PARAMS.contains(e.getKey().toLowerCase(Locale.ROOT))
                    || e.getValue().startsWith(KeyFormat.PREFIX)) {
                return true;
            }
        }
        return false;
    }

    static boolean isBasic(String header) {
        return header != null && header.regionMatches(true, 0, "Basic ", 0, 6);
    }

    /** The key in an Authorization header: the Basic user name or the Bearer token; null for anything else. */
    static String presentedKey(String header) {
        if (header == null) {
            return null;
        }
        if (isBasic(header)) {
            return basicUser(header.substring(6).trim());
        }
        return header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : null;
    }

    private static String basicUser(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? decoded : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static ApiProblem keyInUrl() {
        return ApiProblem.badRequest("Send the API key in the Authorization header, never in the URL", null);
    }

    static ApiProblem unauthenticated(String detail, boolean basic) {
        ApiProblem p = new ApiProblem(
                401,
                "unauthenticated",
                "Authentication required",
                detail == null ? "The credentials are not valid" : detail,
                null);
        return basic ? p.challenge("Basic realm=\"keysmith\", charset=\"UTF-8\"") : p;
    }
}
