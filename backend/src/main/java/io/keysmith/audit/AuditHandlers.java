package io.keysmith.audit;

import io.keysmith.auth.Caller;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** GET /api/v1/audit-events: filterable, keyset-paginated, newest first. */
public final class AuditHandlers {
    private final AuditService audit;

    public AuditHandlers(AuditService audit) {
        this.audit = audit;
    }

    public void list(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Long before = Page.cursor(in).map(c -> Page.longCursor(c)).orElse(null);
        String action = (String) in.query().get("action");
        Object actor = in.query().get("actorUserId");
        audit.list(caller, action, actor == null ? null : UUID.fromString((String) actor), before, limit + 1)
                .onSuccess(rows -> {
                    JsonObject page = Page.of(rows, limit, last -> Page.encode(last.getString("id")));
                    Responses.ok(rc, page);
                })
                .onFailure(rc::fail);
    }
}
