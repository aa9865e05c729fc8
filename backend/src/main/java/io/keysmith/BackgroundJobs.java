package io.keysmith;

import io.keysmith.config.KeysmithConfig;
import io.keysmith.usage.UsageFeature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/** The periodic work of a replica: usage flushes, the usage roll-up, the rate-limit exchange. */
final class BackgroundJobs {
    private static final Duration ROLL_UP_EVERY = Duration.ofMinutes(10);

    private final UsageFeature usage;

    private BackgroundJobs(UsageFeature usage) {
        this.usage = usage;
    }

    static BackgroundJobs start(Vertx vertx, KeysmithConfig config, UsageFeature usage) {
        usage.meter().start(vertx, config.usageFlushSeconds() * 1000L);
        usage.retention().start(vertx, ROLL_UP_EVERY.toMillis());
        usage.exchange().ifPresent(e -> e.start(vertx, config.rateLimitSyncMillis()));
        return new BackgroundJobs(usage);
    }

    /** Writes every count still in memory (graceful stop, after the servers closed). */
    Future<Void> flushFinal() {
        return usage.meter().flushFinal();
    }

    /** Runs the usage roll-up now; the number of minute rows merged. */
    Future<Long> rollUpUsage() {
        return usage.retention().run();
    }
}
