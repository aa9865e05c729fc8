package io.keysmith.notifications;

import io.keysmith.auth.Caller;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The signed-in user's notifications (session only). */
public final class NotificationHandlers {
    private final NotificationService notifications;

    public NotificationHandlers(NotificationService notifications) {
        this.notifications = notifications;
    }

    public void list(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Long before = Page.cursor(in).map(Page::longCursor).orElse(null);
        notifications
                .list(Caller.of(rc), before, limit + 1)
                .map(body -> {
                    JsonArray rows = body.getJsonArray("items");
                    JsonObject page = Page.of(rows, limit, n -> Page.encode(n.getString("id")));
                    return page.put("unreadCount", body.getInteger("unreadCount"));
                })
                .onSuccess(page -> Responses.ok(rc, page))
                .onFailure(rc::fail);
    }

    public void markRead(RoutingContext rc) {
        long upTo = Long.parseLong(RequestValidation.input(rc).bodyObject().getString("upToId"));
        notifications
                .markRead(Caller.of(rc), upTo)
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }
}
