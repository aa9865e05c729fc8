package io.keysmith.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key rate limits decided locally with GCRA (the generic cell rate algorithm): O(1) state per key (its
 * theoretical arrival time), no database on the hot path. A limit of {@code q} requests per minute admits a burst of
 * up to {@code q} and then one request every {@code 60/q} seconds.
 *
 * <p>Replicas share a key's budget through {@link RateLimitExchange}: each one publishes how many requests it admitted
 * and advances its own arrival time by what the others admitted ({@link #applyRemote}). What a replica has not heard
 * yet is the over-admission: at most (replicas - 1) x what one replica can admit within the exchange staleness D (its
 * burst plus rate x D); see docs/adr/0008.
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

    /**
     * A key's admitted total on this replica, for the exchange. {@code generation} changes when the count restarts
     * (the key was forgotten while idle), so the others take the whole total as new.
     */
    public record Admitted(UUID key, long perMinute, long total, long generation) {}

    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final Decision UNLIMITED = new Decision(true, 0, 60, Long.MAX_VALUE, 0, 0);

    /** Guarded by its own monitor; {@code admitted} only grows, {@code published} is what the exchange last wrote. */
    static final class State {
        long tat = Long.MIN_VALUE;
        long perMinute;
        long admitted;
        long published;
        final long generation;

        State(long generation) {
            this.generation = generation;
        }
    }

    private final Map<UUID, State> states = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong generations = new java.util.concurrent.atomic.AtomicLong();
    private final LongSupplier clock;
    private final boolean enabled;

    public RateLimiter(boolean enabled) {
        this(System::nanoTime, enabled);
    }

    RateLimiter(LongSupplier clock) {
        this(clock, true);
    }

    RateLimiter(LongSupplier clock, boolean enabled) {
        this.clock = clock;
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** One request of {@code key} against {@code perMinute} (a limit of 0 or less, or limiting off: unlimited). */
    public Decision acquire(UUID key, long perMinute) {
        if (!enabled || perMinute <= 0) {
            return UNLIMITED;
        }
        State s = state(key);
        synchronized (s) {
            s.perMinute = perMinute;
            Decision d = decide(s, clock.getAsLong(), perMinute);
            if (d.allowed()) {
                s.admitted++;
            }
            return d;
        }
    }

    /** Other replicas admitted {@code count} more requests of {@code key}: they spend this replica's view too. */
    public void applyRemote(UUID key, long perMinute, long count) {
        if (!enabled || perMinute <= 0 || count <= 0) {
            return;
        }
        State s = state(key);
        synchronized (s) {
            long limit = s.perMinute > 0 ? s.perMinute : perMinute;
            long now = clock.getAsLong();
            long base = s.tat == Long.MIN_VALUE ? now : Math.max(s.tat, now);
            // never further ahead than a full window past the burst: the debt is bounded like the bucket
            s.tat = Math.min(base + count * (WINDOW_NANOS / limit), now + 2 * WINDOW_NANOS);
            if (s.perMinute <= 0) {
                s.perMinute = perMinute;
            }
        }
    }

    private State state(UUID key) {
        State s = states.get(key); // the common case: no allocation
        return s != null ? s : states.computeIfAbsent(key, k -> new State(generations.incrementAndGet()));
    }

    /** Keys admitted since the last call, with their totals; marks them published. */
    public List<Admitted> unpublished() {
        List<Admitted> out = new ArrayList<>();
        states.forEach((key, s) -> {
            synchronized (s) {
                if (s.admitted != s.published) {
                    s.published = s.admitted;
                    out.add(new Admitted(key, s.perMinute, s.admitted, s.generation));
                }
            }
        });
        return out;
    }

    /** Totals that failed to publish go out again next time. */
    public void unpublish(List<Admitted> failed) {
        for (Admitted a : failed) {
            State s = states.get(a.key());
            if (s != null) {
                synchronized (s) {
                    s.published = Math.min(s.published, a.total() - 1);
                }
            }
        }
    }

    /** Forgets keys idle for more than a window: their bucket is full again. Published totals restart with them. */
    public int forgetIdle() {
        long now = clock.getAsLong();
        int[] forgotten = {0};
        states.entrySet().removeIf(e -> {
            State s = e.getValue();
            synchronized (s) {
                boolean idle = s.admitted == s.published && (s.tat == Long.MIN_VALUE || now - s.tat > WINDOW_NANOS);
                if (idle) {
                    forgotten[0]++;
                }
                return idle;
            }
        });
        return forgotten[0];
    }

    public int size() {
        return states.size();
    }

    private static Decision decide(State s, long now, long perMinute) {
        long interval = WINDOW_NANOS / perMinute; // emission interval T
        long tolerance = interval * (perMinute - 1); // burst tolerance: the whole quota at once
        long current = s.tat == Long.MIN_VALUE ? now : Math.max(s.tat, now);
        long next = current + interval;
        if (next - now > tolerance + interval) {
            long retry = next - interval - tolerance - now;
            return new Decision(false, perMinute, 60, 0, seconds(current - now), Math.max(1, seconds(retry)));
        }
        s.tat = next;
        long remaining = Math.max(0, (tolerance + interval - (next - now)) / interval);
        return new Decision(true, perMinute, 60, remaining, seconds(next - now), 0);
    }

    private static long seconds(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
