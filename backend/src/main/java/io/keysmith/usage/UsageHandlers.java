package io.keysmith.usage;

import io.keysmith.auth.Caller;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Usage over time: one key's and the organization's. */
public final class UsageHandlers {
    private final UsageService usage;

    public UsageHandlers(UsageService usage) {
        this.usage = usage;
    }

    public void key(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        usage.ofKey(Caller.of(rc), UUID.fromString(in.pathString("keyId")), time(in, "from"), time(in, "to"), (String)
                        in.query().get("granularity"))
                .onSuccess(u -> Responses.ok(rc, u))
                .onFailure(rc::fail);
    }

    public void organization(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        usage.ofOrganization(Caller.of(rc), time(in, "from"), time(in, "to"), (String)
                        in.query().get("granularity"))
                .onSuccess(u -> Responses.ok(rc, u))
                .onFailure(rc::fail);
    }

    private static OffsetDateTime time(RequestValidation.Input in, String name) {
        Object v = in.query().get(name);
        return v == null ? null : OffsetDateTime.parse((String) v);
    }
}
