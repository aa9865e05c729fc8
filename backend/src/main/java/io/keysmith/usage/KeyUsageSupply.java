package io.keysmith.usage;

import io.keysmith.keys.KeyUsage;
import java.util.UUID;

/** What usage supplies to key verification: the rate limiter, the usage meter and the key metrics, behind one port. */
public final class KeyUsageSupply implements KeyUsage {
    private static final UsageMeter.Outcome[] OUTCOMES = {
        UsageMeter.Outcome.ALLOWED,
        UsageMeter.Outcome.DENIED,
        UsageMeter.Outcome.RATE_LIMITED,
        UsageMeter.Outcome.INVALID
    };

    private final RateLimiter limiter;
    private final UsageMeter meter;
    private final KeyMetrics metrics;

    public KeyUsageSupply(RateLimiter limiter, UsageMeter meter, KeyMetrics metrics) {
        this.limiter = limiter;
        this.meter = meter;
        this.metrics = metrics;
    }

    private static UsageMeter.Outcome outcome(Outcome o) {
        return OUTCOMES[o.ordinal()];
    }

    @Override
    public Limit acquire(UUID key, long perMinute) {
        RateLimiter.Decision d = limiter.acquire(key, perMinute);
        return new Limit(
                d.allowed(), d.limit(), d.windowSeconds(), d.remaining(), d.resetSeconds(), d.retryAfterSeconds());
    }

    @Override
    public Limit acquire(UUID key, long perMinute, java.util.List<RateLimit> named) {
        if (named.isEmpty()) {
            return acquire(key, perMinute);
        }
        java.util.List<RateLimiter.Named> specs = new java.util.ArrayList<>(named.size());
        for (RateLimit l : named) {
            specs.add(new RateLimiter.Named(l.id(), l.limit(), l.windowSeconds()));
        }
        RateLimiter.Decision[] d = limiter.acquireAll(key, perMinute, specs);
        java.util.List<Named> out = new java.util.ArrayList<>(d.length);
        int offset = perMinute > 0 ? 1 : 0;
        RateLimiter.Decision top = d[0];
        boolean allowed = true;
        for (int i = 0; i < d.length; i++) {
            String name = i < offset ? "key" : named.get(i - offset).name();
            out.add(new Named(
                    name,
                    d[i].allowed(),
                    d[i].limit(),
                    d[i].windowSeconds(),
                    d[i].remaining(),
                    d[i].resetSeconds(),
                    d[i].retryAfterSeconds()));
            allowed &= d[i].allowed();
            if (d[i].retryAfterSeconds() > top.retryAfterSeconds()) {
                top = d[i]; // refused: the limit that makes the client wait longest
            }
        }
        return new Limit(
                allowed,
                top.limit(),
                top.windowSeconds(),
                top.remaining(),
                top.resetSeconds(),
                top.retryAfterSeconds(),
                java.util.List.copyOf(out));
    }

    @Override
    public void record(UUID org, UUID key, String operationId, Outcome outcome, String address) {
        meter.record(org, key, operationId, outcome(outcome), address);
    }

    @Override
    public void request(UUID org, UUID key, String operationId, Outcome outcome, int status) {
        metrics.request(org, key, operationId, outcome(outcome), status);
    }

    @Override
    public void verification(UUID org, String code, long nanos) {
        metrics.verification(org, code, nanos);
    }

    @Override
    public void cache(boolean hit) {
        metrics.cache(hit);
    }
}
