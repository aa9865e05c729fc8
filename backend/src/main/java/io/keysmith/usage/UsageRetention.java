package io.keysmith.usage;

import io.keysmith.db.Db;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps usage storage bounded: minute rows older than {@code minuteRetention} are merged into hour rows (replicas
 * summed), hour rows older than {@code hourRetention} are deleted. Runs every few minutes on each replica; the
 * database lets one at a time through (advisory lock). {@link UsageMeter} drops counts older than the minute
 * retention instead of writing them, so a rolled-up minute is never written again (no double count).
 */
public final class UsageRetention {
    private static final Logger LOG = LoggerFactory.getLogger(UsageRetention.class);

    private final Db db;
    private final UsageRepository repository;
    private final Duration minuteRetention;
    private final Duration hourRetention;
    private final Counter moved;

    public UsageRetention(
            Db db,
            UsageRepository repository,
            Duration minuteRetention,
            Duration hourRetention,
            MeterRegistry registry) {
        this.db = db;
        this.repository = repository;
        this.minuteRetention = minuteRetention;
        this.hourRetention = hourRetention;
        this.moved = Counter.builder("keysmith_usage_rolled_up_rows")
                .description("Minute usage rows merged into hour rows")
                .register(registry);
    }

    public void start(Vertx vertx, long intervalMillis) {
        vertx.setPeriodic(intervalMillis / 10, intervalMillis, id -> run());
    }

    public Future<Long> run() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return db.withoutOrganization(
                        conn -> repository.rollUp(conn, now.minus(minuteRetention), now.minus(hourRetention)))
                .onSuccess(moved::increment)
                .onFailure(e -> LOG.warn("Usage roll-up failed; it runs again later: {}", e.toString()));
    }
}
