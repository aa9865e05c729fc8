package io.keysmith.usage;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key rate limits decided locally with GCRA (the generic cell rate algorithm): O(1) state per key (its
 * theoretical arrival time), no database on the hot path. A limit of {@code q} requests per {@code w} seconds
 * admits a burst of up to {@code q} and then one request every {@code w/q} seconds.
 *
 * <p>Across replicas each one decides alone, so the worst-case over-admission is (replicas - 1) x the limit over the
 * window in which they have not heard of each other's traffic; exchanging counts through PostgreSQL every second is
 * not built yet (see the usage issue's note), so today that window is unbounded per replica: N replicas admit up to
 * N x the limit.
 */
public final class RateLimiter {

    /** The decision and what the IETF RateLimit headers report. */
    public record Decision(
            boolean allowed,
            long limit,
            long windowSeconds,
            long remaining,
            long resetSeconds,
            long retryAfterSeconds) {}

    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final Map<UUID, long[]> tat = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier clock;

    public RateLimiter() {
        this(System::nanoTime);
    }

    RateLimiter(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    /** One request of {@code key} against {@code perMinute} (a limit of 0 or less means unlimited). */
    public Decision acquire(UUID key, long perMinute) {
        if (perMinute <= 0) {
            return new Decision(true, 0, 60, Long.MAX_VALUE, 0, 0);
        }
        return decide(tat.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE}), clock.getAsLong(), perMinute);
    }

    static Decision decide(long[] state, long now, long perMinute) {
        long interval = WINDOW_NANOS / perMinute; // emission interval T
        long tolerance = interval * (perMinute - 1); // burst tolerance: the whole quota at once
        synchronized (state) {
            long current = state[0] == Long.MIN_VALUE ? now : Math.max(state[0], now);
            long next = current + interval;
            if (next - now > tolerance + interval) {
                long retry = next - interval - tolerance - now;
                return new Decision(false, perMinute, 60, 0, seconds(current - now), Math.max(1, seconds(retry)));
            }
            state[0] = next;
            long remaining = Math.max(0, (tolerance + interval - (next - now)) / interval);
            return new Decision(true, perMinute, 60, remaining, seconds(next - now), 0);
        }
    }

    private static long seconds(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
