package io.keysmith.http;

import io.keysmith.db.DbErrors;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.DomainException;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.Precondition;
import io.keysmith.errors.TooMany;
import io.keysmith.errors.Unauthenticated;
import io.keysmith.errors.Unavailable;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses: every error leaves as problem+json. Services and repositories
 * throw {@link DomainException}s (ADR 0011), the http layer's own checks {@link ApiProblem}s; {@link #problemOf}
 * maps the first to the second. Unexpected exceptions are
 * logged with an error id that the 500 body repeats, so support can find the log line; the body itself carries no
 * internals.
 */
public final class FailureHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
    public static final String PROBLEM_JSON = "application/problem+json";

    @Override
    public void handle(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        if (response.headWritten()) {
            response.reset(); // too late for a problem body: cut the stream rather than send a half response
            return;
        }
        send(rc, toProblem(rc));
    }

    /** The raw path's failure (FastPath): the same problem, headers and drain as a routed failure's. */
    static void handle(Vertx vertx, HttpServerRequest request, Throwable failure, int statusCode) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        send(vertx, request, toProblem(failure, statusCode, request));
    }

    /**
     * A request the HTTP decoder could not read (HttpServer#invalidRequestHandler): 414 for a URI over the limit, 431
     * for too large headers, 400 otherwise. The decoder discards the rest of the connection, so it is closed after.
     */
    static void invalidRequest(Vertx vertx, HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiProblem problem = cause instanceof TooLongHttpLineException
                ? new ApiProblem(414, "uri-too-long", "URI too long", "The request's address is longer than 8 KB", null)
                : cause instanceof TooLongHttpHeaderException
                        ? new ApiProblem(
                                431,
                                "headers-too-large",
                                "Request headers too large",
                                "The request's headers are larger than the server accepts",
                                null)
                        : ApiProblem.badRequest("The request could not be read", null);
        HttpServerResponse response = request.response();
        response.setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(problem.toJson(null).toBuffer()) // no instance: the address was never read
                .onComplete(done -> request.connection().close());
    }

    public static void send(RoutingContext rc, ApiProblem problem) {
        // a request's capture (an Idempotency-Key claim) hears of a refusal before it leaves, as of a success, so a
        // retry sent right after the refusal finds the key released
        Responses.Capture capture = rc.get(Responses.CAPTURE);
        if (capture == null || rc.response().ended()) {
            send(rc.vertx(), rc.request(), problem);
            return;
        }
        rc.remove(Responses.CAPTURE);
        capture.answered(problem.status(), rc.response().headers(), null)
                .onComplete(x -> send(rc.vertx(), rc.request(), problem));
    }

    static void send(Vertx vertx, HttpServerRequest request, ApiProblem problem) {
        HttpServerResponse response = request.response();
        response.setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (problem.challenge() != null) {
            response.putHeader("WWW-Authenticate", problem.challenge());
        }
        if (problem.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", Integer.toString(problem.retryAfterSeconds()));
        }
        if (!request.isEnded()) {
            UploadDrain.drain(vertx, request); // refused before its body was read (413 from Content-Length)
        }
        response.end(problem.toJson(request.path()).toBuffer());
    }

    static ApiProblem toProblem(RoutingContext rc) {
        return toProblem(rc.failure(), rc.statusCode(), rc.request());
    }

    /** {@code statusCode}: the status the request failed with (-1 when it failed with an exception only). */
    static ApiProblem toProblem(Throwable failure, int statusCode, HttpServerRequest request) {
        if (failure instanceof HttpException h
                && (h.getCause() instanceof ApiProblem || h.getCause() instanceof DomainException)) {
            failure = h.getCause(); // authentication handlers wrap what our authenticators say
        }
        if (failure instanceof DomainException e) {
            return problemOf(e);
        }
        if (failure instanceof ApiProblem p) {
            return p;
        }
        if (failure instanceof HttpException h
                && h.getStatusCode() == 401
                && h.getCause() instanceof HttpException inner) {
            failure = inner; // vertx-web wraps our authenticators' 401 in its own
        }
        if (failure instanceof HttpException h
                && h.getStatusCode() == 401
                && h.getCause() != null
                && !(h.getCause() instanceof HttpException)) {
            failure = h.getCause(); // an authenticator's own failure (database down, a bug) is not a 401
            if (isDatabaseUnavailable(failure)) {
                return ApiProblem.unavailable("The database is unreachable; try again shortly")
                        .retryAfter(5);
            }
            String errorId = UUID.randomUUID().toString();
            LOG.error(
                    "Unexpected failure {} while authenticating {} {}",
                    errorId,
                    request.method(),
                    request.path(),
                    failure);
            return new ApiProblem(
                    500,
                    "internal",
                    "Internal server error",
                    "Something went wrong on our side; quote error id " + errorId + " to support",
                    null);
        }
        if (DbErrors.isUnstorableCharacter(failure)) {
            // a character PostgreSQL cannot store (NUL): the request's fault; RequestValidation names the field first,
            // this is the backstop for values that reach SQL by another way
            return ApiProblem.badRequest("The request contains a character that is not allowed (NUL)", null);
        }
        if (isDatabaseUnavailable(failure)) {
            LOG.warn("Database unavailable on {} {}: {}", request.method(), request.path(), failure.toString());
            return ApiProblem.unavailable("The database is unreachable; try again shortly")
                    .retryAfter(5);
        }
        int status = failure instanceof HttpException h ? h.getStatusCode() : statusCode;
        return switch (status) {
            case 400 -> ApiProblem.badRequest("The request could not be read", null);
            case 401 -> new ApiProblem(401, "unauthenticated", "Authentication required", null, null);
            case 403 -> new ApiProblem(403, "forbidden", "Forbidden", null, null);
            case 404 -> ApiProblem.notFound("No resource at " + request.path());
            case 405 ->
                new ApiProblem(
                        405,
                        "method-not-allowed",
                        "Method not allowed",
                        request.method() + " is not allowed on " + request.path(),
                        null);
            case 413 ->
                new ApiProblem(
                        413,
                        "payload-too-large",
                        "Payload too large",
                        "The request body is larger than the server accepts",
                        null);
            case 415 -> unsupportedMediaType();
            case 503 -> ApiProblem.unavailable("The service is temporarily unavailable");
            default -> {
                if (status >= 400 && status < 500) {
                    yield new ApiProblem(status, "client-error", "Client error", null, null);
                }
                String errorId = UUID.randomUUID().toString();
                LOG.error("Unexpected failure {} on {} {}", errorId, request.method(), request.path(), failure);
                yield new ApiProblem(
                        500,
                        "internal",
                        "Internal server error",
                        "Something went wrong on our side; quote error id " + errorId + " to support",
                        null);
            }
        };
    }

    static boolean isDatabaseUnavailable(Throwable t) {
        return DbErrors.isUnavailable(t);
    }

    /**
     * The one mapping from the product's refusals to HTTP: status by kind, title by kind unless the problem type has
     * its own, and the type, detail and field as the service said them.
     */
    public static ApiProblem problemOf(DomainException e) {
        int status;
        String title;
        if (e instanceof NotFound) {
            status = 404;
            title = "Not found";
        } else if (e instanceof Forbidden) {
            status = 403;
            title = "Forbidden";
        } else if (e instanceof Conflict) {
            status = 409;
            title = "Conflict";
        } else if (e instanceof Invalid) {
            status = 400;
            title = "The request is invalid";
        } else if (e instanceof Unauthenticated) {
            status = 401;
            title = "Authentication required";
        } else if (e instanceof TooMany) {
            status = 429;
            title = "Too many attempts";
        } else if (e instanceof Unavailable) {
            status = 503;
            title = "Service unavailable";
        } else if (e instanceof Precondition pre) {
            status = pre.status();
            title = status == 422 ? "Idempotency-Key reused" : "Precondition failed";
        } else {
            throw new IllegalStateException("Unmapped domain failure " + e.getClass()); // the hierarchy is sealed
        }
        ApiProblem p =
                new ApiProblem(status, e.code(), TITLES.getOrDefault(e.code(), title), e.getMessage(), e.field());
        if (e instanceof Unavailable u) {
            return p.retryAfter(u.retryAfterSeconds());
        }
        return e instanceof TooMany t ? p.retryAfter(t.retryAfterSeconds()) : p;
    }

    /** Problem types whose title is not their kind's. */
    private static final Map<String, String> TITLES = Map.of(
            "invalid-credentials", "Sign-in failed",
            "policy-violation", "Against the organization's key policy",
            "sign-up-disabled", "Sign-up is disabled",
            "precondition-required", "Precondition required",
            "step-up-required", "Fresh authentication required",
            "second-factor-enrolment-required", "Second factor required",
            "second-factor-required", "Second factor required",
            "invalid-second-factor", "Sign-in failed");

    static ApiProblem unsupportedMediaType() {
        return new ApiProblem(
                415, "unsupported-media-type", "Unsupported media type", "The body must be application/json", null);
    }
}
