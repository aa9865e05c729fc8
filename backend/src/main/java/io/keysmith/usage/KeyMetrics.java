package io.keysmith.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.UUID;

/**
 * Prometheus series of key usage, for operators: requests by organization, operation, outcome and status; key
 * verifications by organization and outcome with a latency histogram; key-cache lookups. Organization and key
 * labels are capped (past the cap they fold into "other"). Never a secret, a key hint or an e-mail in a label.
 */
public final class KeyMetrics {
    private final MeterRegistry registry;
    private final LabelCap organizations;
    private final LabelCap keys;
    private final Counter cacheHits;
    private final Counter cacheMisses;

    public KeyMetrics(MeterRegistry registry, int maxOrganizations, int maxKeys) {
        this.registry = registry;
        this.organizations = new LabelCap(registry, "organization", maxOrganizations);
        this.keys = new LabelCap(registry, "key_id", maxKeys);
        this.cacheHits = Counter.builder("keysmith_key_cache_lookups")
                .tag("result", "hit")
                .description("Key verdict cache lookups")
                .register(registry);
        this.cacheMisses = Counter.builder("keysmith_key_cache_lookups")
                .tag("result", "miss")
                .description("Key verdict cache lookups")
                .register(registry);
    }

    public void request(UUID org, UUID key, String operation, UsageMeter.Outcome outcome, int status) {
        Counter.builder("keysmith_requests")
                .description("Key-authenticated requests")
                .tag("organization", org == null ? "none" : organizations.apply(org.toString()))
                .tag("key_id", key == null ? "none" : keys.apply(key.toString()))
                .tag("operation", operation)
                .tag("outcome", outcome.name().toLowerCase())
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
        if (outcome == UsageMeter.Outcome.RATE_LIMITED) {
            Counter.builder("keysmith_rate_limited")
                    .description("Requests refused by a rate limit")
                    .tag("organization", org == null ? "none" : organizations.apply(org.toString()))
                    .register(registry)
                    .increment();
        }
    }

    public void verification(UUID org, String outcome, long nanos) {
        String organization = org == null ? "none" : organizations.apply(org.toString());
        Counter.builder("keysmith_key_verifications")
                .description("Key verifications (verify and forward-auth)")
                .tag("organization", organization)
                .tag("outcome", outcome.toLowerCase())
                .register(registry)
                .increment();
        Timer.builder("keysmith_key_verification_duration")
                .description("Time to answer a key verification")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(20_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    public void cache(boolean hit) {
        (hit ? cacheHits : cacheMisses).increment();
    }
}
