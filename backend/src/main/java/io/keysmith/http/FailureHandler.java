package io.keysmith.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses: every error leaves as problem+json. Unexpected exceptions are
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

    public static void send(RoutingContext rc, ApiProblem problem) {
        HttpServerResponse response = rc.response();
        response.setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (problem.challenge() != null) {
            response.putHeader("WWW-Authenticate", problem.challenge());
        }
        if (problem.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", Integer.toString(problem.retryAfterSeconds()));
        }
        if (!rc.request().isEnded()) {
            // refused before its body was read (413 from Content-Length): the rest of the upload is read and thrown
            // away, never buffered or parsed, so the client can read the answer (closing at once made clients see a
            // reset instead of the 413); past SWALLOW_MAX bytes or SWALLOW_MILLIS the connection is closed
            swallow(rc);
        }
        response.end(problem.toJson(rc.request().path()).toBuffer());
    }

    static final long SWALLOW_MAX = 2L * 1024 * 1024;
    static final long SWALLOW_MILLIS = 10_000;

    private static void swallow(RoutingContext rc) {
        var request = rc.request();
        long[] read = {0};
        // closes only an upload still under way: the request may end without our endHandler (already consumed),
        // and a kept-alive connection then carries the client's next request
        long timer = rc.vertx().setTimer(SWALLOW_MILLIS, t -> {
            if (!request.isEnded()) {
                request.connection().close();
            }
        });
        request.handler(chunk -> {
            read[0] += chunk.length();
            if (read[0] > SWALLOW_MAX) {
                rc.vertx().cancelTimer(timer);
                request.connection().close();
            }
        });
        request.endHandler(v -> rc.vertx().cancelTimer(timer));
        request.resume();
    }

    static ApiProblem toProblem(RoutingContext rc) {
        Throwable failure = rc.failure();
        if (failure instanceof ApiProblem p) {
            return p;
        }
        if (failure instanceof HttpException h && h.getCause() instanceof ApiProblem p) {
            return p; // authentication handlers wrap what our authenticators say
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
                    rc.request().method(),
                    rc.request().path(),
                    failure);
            return new ApiProblem(
                    500,
                    "internal",
                    "Internal server error",
                    "Something went wrong on our side; quote error id " + errorId + " to support",
                    null);
        }
        if (failure instanceof io.vertx.pgclient.PgException pg
                && ("22021".equals(pg.getSqlState()) || "22P05".equals(pg.getSqlState()))) {
            // a character PostgreSQL cannot store (NUL): the request's fault; RequestValidation names the field first,
            // this is the backstop for values that reach SQL by another way
            return ApiProblem.badRequest("The request contains a character that is not allowed (NUL)", null);
        }
        if (isDatabaseUnavailable(failure)) {
            LOG.warn(
                    "Database unavailable on {} {}: {}",
                    rc.request().method(),
                    rc.request().path(),
                    failure.toString());
            return ApiProblem.unavailable("The database is unreachable; try again shortly")
                    .retryAfter(5);
        }
        int status = failure instanceof HttpException h ? h.getStatusCode() : rc.statusCode();
        return switch (status) {
            case 400 -> ApiProblem.badRequest("The request could not be read", null);
            case 401 -> new ApiProblem(401, "unauthenticated", "Authentication required", null, null);
            case 403 -> new ApiProblem(403, "forbidden", "Forbidden", null, null);
            case 404 -> ApiProblem.notFound("No resource at " + rc.request().path());
            case 405 ->
                new ApiProblem(
                        405,
                        "method-not-allowed",
                        "Method not allowed",
                        rc.request().method() + " is not allowed on "
                                + rc.request().path(),
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
                LOG.error(
                        "Unexpected failure {} on {} {}",
                        errorId,
                        rc.request().method(),
                        rc.request().path(),
                        failure);
                yield new ApiProblem(
                        500,
                        "internal",
                        "Internal server error",
                        "Something went wrong on our side; quote error id " + errorId + " to support",
                        null);
            }
        };
    }

    /** Connection failures (refused, reset, closed; SQLSTATE classes 08 and 57P) mean the database is away, not that we have a bug. */
    static boolean isDatabaseUnavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            // a reset or closed socket reaches a handler only from a database connection cut mid-query
            if (c instanceof java.net.ConnectException
                    || c instanceof java.net.SocketException
                    || c instanceof java.nio.channels.ClosedChannelException
                    || c instanceof io.vertx.sqlclient.ClosedConnectionException
                    || c instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
                return true;
            }
            if (c instanceof io.vertx.pgclient.PgException pg
                    && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    static ApiProblem unsupportedMediaType() {
        return new ApiProblem(
                415, "unsupported-media-type", "Unsupported media type", "The body must be application/json", null);
    }
}
