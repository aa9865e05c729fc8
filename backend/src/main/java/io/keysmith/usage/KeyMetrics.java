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
    /** Meters by their label values: looked up, not built and registered, on every request. */
    private final java.util.Map<java.util.List<String>, Counter> requests =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.Map<java.util.List<String>, Counter> verifications =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Counter> rateLimited = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer verificationDuration;

    /**
     * The same counters by the raw values, so a repeat (the hot path) builds no label strings; only for values
     * whose labels were all admitted (a folded one takes the full path each time, which counts the folding), and
     * at most {@link #MAX_SHORTCUTS} of them.
     */
    private record RequestKey(UUID org, UUID key, String operation, UsageMeter.Outcome outcome, int status) {}

    private record VerificationKey(UUID org, String outcome) {}

    private static final int MAX_SHORTCUTS = 100_000;
    private final java.util.Map<RequestKey, Counter> requestShortcuts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<VerificationKey, Counter> verificationShortcuts =
            new java.util.concurrent.ConcurrentHashMap<>();

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
        this.verificationDuration = Timer.builder("keysmith_key_verification_duration")
                .description("Time to answer a key verification")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(20_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
    }

    public void request(UUID org, UUID key, String operation, UsageMeter.Outcome outcome, int status) {
        RequestKey shortcut = new RequestKey(org, key, operation, outcome, status);
        Counter known = requestShortcuts.get(shortcut);
        if (known != null) {
            known.increment();
            return;
        }
        String organization = org == null ? "none" : organizations.apply(org.toString());
        String keyId = key == null ? "none" : keys.apply(key.toString());
        String result = outcome.name().toLowerCase();
        Counter counter = requests.computeIfAbsent(
                java.util.List.of(organization, keyId, operation, result, Integer.toString(status)),
                t -> Counter.builder("keysmith_requests")
                        .description("Key-authenticated requests")
                        .tag("organization", t.get(0))
                        .tag("key_id", t.get(1))
                        .tag("operation", t.get(2))
                        .tag("outcome", t.get(3))
                        .tag("status", t.get(4))
                        .register(registry));
        counter.increment();
        if (outcome != UsageMeter.Outcome.RATE_LIMITED
                && !LabelCap.OTHER.equals(organization)
                && !LabelCap.OTHER.equals(keyId)
                && requestShortcuts.size() < MAX_SHORTCUTS) {
            requestShortcuts.put(shortcut, counter);
        }
        if (outcome == UsageMeter.Outcome.RATE_LIMITED) {
            rateLimited
                    .computeIfAbsent(
                            organization,
                            o -> Counter.builder("keysmith_rate_limited")
                                    .description("Requests refused by a rate limit")
                                    .tag("organization", o)
                                    .register(registry))
                    .increment();
        }
    }

    public void verification(UUID org, String outcome, long nanos) {
        VerificationKey shortcut = new VerificationKey(org, outcome);
        Counter known = verificationShortcuts.get(shortcut);
        if (known != null) {
            known.increment();
            verificationDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            return;
        }
        String organization = org == null ? "none" : organizations.apply(org.toString());
        Counter counter = verifications.computeIfAbsent(
                java.util.List.of(organization, outcome.toLowerCase()),
                t -> Counter.builder("keysmith_key_verifications")
                        .description("Key verifications (verify and forward-auth)")
                        .tag("organization", t.get(0))
                        .tag("outcome", t.get(1))
                        .register(registry));
        counter.increment();
        if (!LabelCap.OTHER.equals(organization) && verificationShortcuts.size() < MAX_SHORTCUTS) {
            verificationShortcuts.put(shortcut, counter);
        }
        verificationDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void cache(boolean hit) {
        (hit ? cacheHits : cacheMisses).increment();
    }
}
