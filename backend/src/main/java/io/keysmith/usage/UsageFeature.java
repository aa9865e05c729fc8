package io.keysmith.usage;

import io.keysmith.audit.AuditRepository;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.db.Db;
import io.keysmith.keys.KeyLastUse;
import io.keysmith.keys.KeyService;
import io.keysmith.keys.KeyUsage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;

/**
 * Usage assembled: the meter (counts written behind), the roll-up, the rate limiter and its exchange between
 * replicas, the key metrics. Its timers are started by the composition root's background jobs.
 */
public record UsageFeature(
        Db db,
        UsageRepository repository,
        UsageMeter meter,
        UsageRetention retention,
        RateLimiter limiter,
        Optional<RateLimitExchange> exchange,
        KeyMetrics metrics) {

    public static UsageFeature assemble(
            KeysmithConfig config, Db db, MeterRegistry registry, AuditRepository audit, KeyLastUse keys) {
        UsageRepository repository = new UsageRepository();
        RateLimiter limiter = new RateLimiter(config.rateLimits());
        UsageMeter meter = new UsageMeter(
                db,
                repository,
                keys,
                audit,
                registry,
                config.usageMaxBuckets(),
                config.usageMetering(),
                Duration.ofHours(config.usageMinuteRetentionHours()));
        UsageRetention retention = new UsageRetention(
                db,
                repository,
                Duration.ofHours(config.usageMinuteRetentionHours()),
                Duration.ofDays(config.usageHourRetentionDays()),
                registry);
        Optional<RateLimitExchange> exchange = config.rateLimits()
                ? Optional.of(new RateLimitExchange(
                        db,
                        new RateLimitRepository(),
                        limiter,
                        meter.replica(),
                        config.rateLimitSyncMillis(),
                        registry))
                : Optional.empty();
        KeyMetrics metrics = new KeyMetrics(registry, config.metricsMaxOrganizations(), config.metricsMaxKeys());
        return new UsageFeature(db, repository, meter, retention, limiter, exchange, metrics);
    }

    /** What key verification needs from usage. */
    public KeyUsage supply() {
        return new KeyUsageSupply(limiter, meter, metrics);
    }

    /** The usage read endpoints; a key's usage is visible to whoever may see the key. */
    public UsageHandlers handlers(KeyService keys) {
        return new UsageHandlers(new UsageService(db, repository, keys));
    }
}
