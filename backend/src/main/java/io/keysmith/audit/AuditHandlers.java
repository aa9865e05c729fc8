package io.keysmith.audit;

import io.keysmith.auth.Caller;
import io.keysmith.errors.Invalid;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** GET /api/v1/audit-events (filterable, keyset-paginated, newest first) and its streamed CSV export. */
public final class AuditHandlers {
    private final AuditService audit;
    private final AuditExports running = new AuditExports();

    public AuditHandlers(AuditService audit) {
        this.audit = audit;
    }

    public void list(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Long before = Page.cursor(in).map(c -> Page.longCursor(c)).orElse(null);
        audit.list(caller, query(in), before, limit + 1)
                .onSuccess(rows -> {
                    JsonObject page = Page.of(rows, limit, last -> Page.encode(last.getString("id")));
                    Responses.ok(rc, page);
                })
                .onFailure(rc::fail);
    }

    public void export(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        AuditQuery q = query(RequestValidation.input(rc));
        HttpServerResponse resp = rc.response();
        boolean[] started = {false};
        running.acquire(caller.organizationId()); // 429 when this organization's or the server's slots are taken
        Future<Void> done;
        try {
            done = audit.export(
                    caller,
                    q,
                    resp,
                    () -> {
                        started[0] = true;
                        resp.setChunked(true)
                                .putHeader("Content-Type", "text/csv; charset=utf-8")
                                .putHeader("Cache-Control", "no-store")
                                .putHeader(
                                        "Content-Disposition",
                                        "attachment; filename=\"audit-events-"
                                                + OffsetDateTime.now(ZoneOffset.UTC)
                                                        .toLocalDate() + ".csv\"");
                        resp.write(AuditCsv.header());
                    },
                    AuditCsv::row);
        } catch (RuntimeException e) {
            running.release(caller.organizationId()); // refused before it started (bad parameters)
            throw e;
        }
        done.onComplete(x -> running.release(caller.organizationId()))
                .onSuccess(x -> resp.end())
                .onFailure(err -> {
                    if (!started[0]) {
                        rc.fail(err); // nothing sent yet: the usual problem+json
                    } else if (!resp.closed()) {
                        resp.reset(); // a truncated file must not look complete
                    }
                });
    }

    private static AuditQuery query(RequestValidation.Input in) {
        Object actor = in.query().get("actorUserId");
        return new AuditQuery(
                (String) in.query().get("action"),
                actor == null ? null : UUID.fromString((String) actor),
                (String) in.query().get("targetType"),
                (String) in.query().get("targetId"),
                time(in, "from"),
                time(in, "to"));
    }

    private static OffsetDateTime time(RequestValidation.Input in, String name) {
        Object v = in.query().get(name);
        if (v == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse((String) v);
        } catch (DateTimeParseException e) {
            throw new Invalid(name, "Parameter '" + name + "' must be a date-time such as 2026-12-01T00:00:00Z");
        }
    }
}
