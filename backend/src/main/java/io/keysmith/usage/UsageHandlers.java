package io.keysmith.usage;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Invalid;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.keysmith.keys.KeyService;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Usage over time: one key's (its owner, or "manage ALL") and the organization's ("manage ALL"). */
public final class UsageHandlers {
    private final Db db;
    private final UsageRepository usage;
    private final KeyService keys;

    public UsageHandlers(Db db, UsageRepository usage, KeyService keys) {
        this.db = db;
        this.usage = usage;
        this.keys = keys;
    }

    public void key(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        RequestValidation.Input in = RequestValidation.input(rc);
        UUID key = UUID.fromString(in.pathString("keyId"));
        Range range = range(in);
        keys.get(caller, key) // 404 unless the caller may see the key
                .compose(k -> db.inOrganization(
                        caller.organizationId(), t -> usage.usage(t, key, range.from, range.to, range.unit)))
                .onSuccess(u -> Responses.ok(rc, u))
                .onFailure(rc::fail);
    }

    public void organization(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        Range range = range(RequestValidation.input(rc));
        db.inOrganization(caller.organizationId(), t -> usage.usage(t, null, range.from, range.to, range.unit))
                .onSuccess(u -> Responses.ok(rc, u))
                .onFailure(rc::fail);
    }

    private record Range(OffsetDateTime from, OffsetDateTime to, String unit) {}

    private static Range range(RequestValidation.Input in) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime to = in.query().get("to") == null
                ? now
                : OffsetDateTime.parse((String) in.query().get("to"));
        OffsetDateTime from = in.query().get("from") == null
                ? to.minusHours(24)
                : OffsetDateTime.parse((String) in.query().get("from"));
        if (!from.isBefore(to)) {
            throw new Invalid("from", "Parameter 'from' must be before 'to'");
        }
        if (Duration.between(from, to).toDays() > 400) {
            throw new Invalid("from", "The range may span at most 400 days");
        }
        String unit = in.query().get("granularity") == null
                ? "hour"
                : (String) in.query().get("granularity");
        return new Range(from, to, unit);
    }
}
