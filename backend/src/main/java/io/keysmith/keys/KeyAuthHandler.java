package io.keysmith.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.auth.SessionService;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authentication for operations the contract opens to keys (keyBasic / keyBearer) and usually to the session too.
 * A key goes in {@code Authorization} only: as the Basic user name (any password) or as a Bearer token; a key in the
 * query string is refused. Failures say nothing about whether a key exists, are throttled per source address, and
 * challenge with {@code WWW-Authenticate: Basic} only requests that used Basic (so no browser pops a login dialog
 * over the SPA).
 */
public final class KeyAuthHandler {
    private static final Set<String> KEY_PARAMS =
            Set.of("key", "api_key", "apikey", "access_token", "token", "api-key");

    private final KeyAuthentication keys;
    private final SessionAuthentication sessions;
    private final ClientAddress client;
    private final int failuresPerMinute;
    private final Cache<String, AtomicInteger> failures = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();

    private final io.keysmith.usage.UsageMeter meter;
    private final io.keysmith.usage.KeyMetrics metrics;
    private final io.keysmith.usage.RateLimiter limiter;

    public KeyAuthHandler(
            KeyAuthentication keys,
            SessionAuthentication sessions,
            ClientAddress client,
            int failuresPerMinute,
            io.keysmith.usage.UsageMeter meter,
            io.keysmith.usage.KeyMetrics metrics,
            io.keysmith.usage.RateLimiter limiter) {
        this.limiter = limiter;
        this.meter = meter;
        this.metrics = metrics;
        this.keys = keys;
        this.sessions = sessions;
        this.client = client;
        this.failuresPerMinute = failuresPerMinute;
    }

    public Handler<RoutingContext> forOperation(boolean allowsSession, String operationTag, String operationId) {
        // vertx-web's SimpleAuthenticationHandler installs the user we resolve; our problems pass through as failures
        Handler<RoutingContext> authentication = SimpleAuthenticationHandler.create()
                .authenticate(rc -> {
                    try {
                        return authenticate(rc, allowsSession, operationTag);
                    } catch (ApiProblem p) {
                        return Future.failedFuture(p);
                    }
                });
        return rc -> {
            if (rc.request().getHeader("Authorization") != null) {
                // counted as the answer's headers are written: before the client can see it, so a graceful stop's
                // final flush includes every answered request
                rc.addHeadersEndHandler(v -> meter(rc, operationId));
            }
            authentication.handle(rc);
        };
    }

    /** Every key-authenticated request is counted once it is answered: in memory, written behind. */
    private void meter(RoutingContext rc, String operationId) {
        int status = rc.response().getStatusCode();
        io.keysmith.usage.UsageMeter.Outcome outcome = outcome(status);
        User user = rc.user();
        if (user != null && user.attributes().containsKey("keyId")) {
            UUID org = UUID.fromString(user.principal().getString("organizationId"));
            UUID key = UUID.fromString(user.attributes().getString("keyId"));
            meter.record(org, key, operationId, outcome, client.address(rc));
            metrics.request(org, key, operationId, outcome, status);
        } else {
            // a refused key that exists (disabled, revoked, expired, fenced, owner inactive) counts against that key
            String key = presentedKey(rc.request().getHeader("Authorization"));
            String address = client.address(rc);
            if (key == null || outcome != io.keysmith.usage.UsageMeter.Outcome.INVALID) {
                metrics.request(null, null, operationId, outcome, status);
                return;
            }
            keys.identify(key).onComplete(ids -> {
                UUID[] id = ids.succeeded() ? ids.result() : null;
                if (id != null) {
                    meter.record(id[0], id[1], operationId, outcome, address);
                }
                metrics.request(id == null ? null : id[0], id == null ? null : id[1], operationId, outcome, status);
            });
        }
    }

    public static io.keysmith.usage.UsageMeter.Outcome outcome(int status) {
        return switch (status) {
            case 401 -> io.keysmith.usage.UsageMeter.Outcome.INVALID;
            case 403 -> io.keysmith.usage.UsageMeter.Outcome.DENIED;
            case 429 -> io.keysmith.usage.UsageMeter.Outcome.RATE_LIMITED;
            default -> io.keysmith.usage.UsageMeter.Outcome.ALLOWED;
        };
    }

    private Future<User> authenticate(RoutingContext rc, boolean allowsSession, String operationTag) {
        if (keyInQuery(rc.queryParams())) {
            throw keyInUrl();
        }
        String address = client.address(rc);
        String header = rc.request().getHeader("Authorization");
        if (header == null) {
            Cookie cookie = rc.request().getCookie(SessionService.COOKIE);
            if (allowsSession && cookie != null) {
                return sessions.authenticate(new TokenCredentials(cookie.getValue()))
                        .recover(e -> Future.failedFuture(unauthenticated(null, false)));
            }
            throw unauthenticated("Send an API key as HTTP Basic (key as user name) or as a Bearer token", false);
        }
        return fromAuthorization(header, address, operationTag);
    }

    /**
     * A key presented in an {@code Authorization} header (Basic user name or Bearer), throttled per source address;
     * also used by forward-auth, where the header is the partner's, forwarded by the gateway.
     */
    public Future<User> fromAuthorization(String header, String address, String operationTag) {
        AtomicInteger failed = failures.getIfPresent(address);
        if (failed != null && failed.get() >= failuresPerMinute) {
            return Future.failedFuture(new ApiProblem(
                            429,
                            "too-many-requests",
                            "Too many failed authentications",
                            "Too many invalid API keys from this address; try again in a minute",
                            null)
                    .retryAfter(60));
        }
        if (header == null) {
            return Future.failedFuture(
                    unauthenticated("Send an API key as HTTP Basic (key as user name) or as a Bearer token", false));
        }
        boolean basic = isBasic(header);
        String key = presentedKey(header);
        if (key == null) {
            return fail(address, basic);
        }
        return keys.authenticate(key, address, operationTag)
                .compose(outcome ->
                        outcome.user() == null ? fail(address, basic) : Future.succeededFuture(outcome.user()));
    }

    /**
     * After authentication: the key's rate limit, decided locally (GCRA). The IETF RateLimit headers go on every
     * answer; over the limit the request is refused with 429 and Retry-After.
     */
    public Handler<RoutingContext> rateLimit() {
        return rc -> {
            User user = rc.user();
            if (user == null || !user.attributes().containsKey("keyId")) {
                rc.next(); // a session, not a key
                return;
            }
            io.keysmith.usage.RateLimiter.Decision d = limiter.acquire(
                    UUID.fromString(user.attributes().getString("keyId")),
                    user.attributes().getLong("ratePerMinute", 0L));
            if (d.limit() > 0) {
                rc.response().putHeader("RateLimit-Policy", "\"key\";q=" + d.limit() + ";w=" + d.windowSeconds());
                rc.response().putHeader("RateLimit", "\"key\";r=" + d.remaining() + ";t=" + d.resetSeconds());
            }
            if (!d.allowed()) {
                throw new ApiProblem(
                                429,
                                "rate-limited",
                                "Too many requests",
                                "This key is over its limit of " + d.limit() + " requests per minute",
                                null)
                        .retryAfter((int) d.retryAfterSeconds());
            }
            rc.next();
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

    private Future<User> fail(String address, boolean basic) {
        failures.get(address, a -> new AtomicInteger()).incrementAndGet();
        return Future.failedFuture(unauthenticated(null, basic));
    }

    private static boolean isBasic(String header) {
        return header.regionMatches(true, 0, "Basic ", 0, 6);
    }

    /** The key in an Authorization header: the Basic user name or the Bearer token; null for anything else. */
    private static String presentedKey(String header) {
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
