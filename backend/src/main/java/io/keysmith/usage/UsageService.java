package io.keysmith.usage;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Invalid;
import io.keysmith.keys.KeyService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Usage reads and their rules: a key's usage is visible to whoever may see the key (its owner, or "manage ALL"),
 * the organization's to "manage ALL" (the operation's permission); the range defaults to the last 24 hours by hour
 * and spans at most 400 days.
 */
public final class UsageService {
    private static final int MAX_DAYS = 400;

    private final Db db;
    private final UsageRepository usage;
    private final KeyService keys;

    public UsageService(Db db, UsageRepository usage, KeyService keys) {
        this.db = db;
        this.usage = usage;
        this.keys = keys;
    }

    /** {@code from}, {@code to} and {@code unit} may be null: the defaults. */
    public Future<JsonObject> ofKey(Caller caller, UUID key, OffsetDateTime from, OffsetDateTime to, String unit) {
        Range range = Range.of(from, to, unit);
        return keys.get(caller, key) // 404 unless the caller may see the key
                .compose(k -> db.inOrganization(
                        caller.organizationId(), t -> usage.usage(t, key, range.from, range.to, range.unit)));
    }

    public Future<JsonObject> ofOrganization(Caller caller, OffsetDateTime from, OffsetDateTime to, String unit) {
        Range range = Range.of(from, to, unit);
        return db.inOrganization(caller.organizationId(), t -> usage.usage(t, null, range.from, range.to, range.unit));
    }

    private record Range(OffsetDateTime from, OffsetDateTime to, String unit) {
        static Range of(OffsetDateTime from, OffsetDateTime to, String unit) {
            OffsetDateTime end = to == null ? OffsetDateTime.now(ZoneOffset.UTC) : to;
            OffsetDateTime start = from == null ? end.minusHours(24) : from;
            if (!start.isBefore(end)) {
                throw new Invalid("from", "Parameter 'from' must be before 'to'");
            }
            if (Duration.between(start, end).toDays() > MAX_DAYS) {
                throw new Invalid("from", "The range may span at most 400 days");
            }
            return new Range(start, end, unit == null ? "hour" : unit);
        }
    }
}
