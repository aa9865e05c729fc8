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
    public record Admitted(UUID key, long perMinute, long total, long generation, long windowSeconds) {
        public Admitted(UUID key, long perMinute, long total, long generation) {
            this(key, perMinute, total, generation, 60);
        }
    }

    /**
     * One of a key's named limits (issue 20 item 3, ADR 0021): {@code id} is derived from the key and the name, so
     * its state and its exchange rows are those of an opaque key of its own; {@code limit} per {@code windowSeconds}.
     */
    public record Named(UUID id, long limit, long windowSeconds) {}

    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final Decision UNLIMITED = new Decision(true, 0, 60, Long.MAX_VALUE, 0, 0);

    /** Guarded by its own monitor; {@code admitted} only grows, {@code published} is what the exchange last wrote. */
    static final class State {
        long tat = Long.MIN_VALUE;
        long perMinute; // the limit per window (named so for the per-minute limit it began as)
        long window = WINDOW_NANOS;
        long admitted;
        long published;
        final long generation;

        State(long generation) {
            this.generation = generation;
        }
    }

    private final Map<UUID, State> states = new ConcurrentHashMap<>();
    /** Serializes the decisions of one key's limits together (striped: no lock lives and dies with a state). */
    private final Object[] keyLocks = new Object[64];

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
        for (int i = 0; i < keyLocks.length; i++) {
            keyLocks[i] = new Object();
        }
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
            s.window = WINDOW_NANOS;
            Decision d = decide(s, clock.getAsLong(), true);
            if (d.allowed()) {
                s.admitted++;
            }
            return d;
        }
    }

    /**
     * One request of {@code key} against its per-minute limit ({@code perMinute}, 0: none) and its named limits: it is
     * admitted only when every limit admits it, and then spends all of them; a refused request spends none. The
     * answer has the per-minute decision first (when it has one), then the named ones in their order.
     */
    public Decision[] acquireAll(UUID key, long perMinute, List<Named> named) {
        int n = named.size() + (perMinute > 0 ? 1 : 0);
        Decision[] out = new Decision[n];
        if (!enabled) {
            java.util.Arrays.fill(out, UNLIMITED);
            return out;
        }
        State[] st = new State[n];
        long[] limits = new long[n];
        long[] windows = new long[n];
        int j = 0;
        if (perMinute > 0) {
            st[j] = state(key);
            limits[j] = perMinute;
            windows[j++] = WINDOW_NANOS;
        }
        for (Named l : named) {
            st[j] = state(l.id());
            limits[j] = l.limit();
            windows[j++] = l.windowSeconds() * 1_000_000_000L;
        }
        // every acquire of this key's limits holds the key's stripe first, then one state at a time: decided
        // together, and only the exchange (which spends, never admits) can come between the check and the spend
        synchronized (keyLocks[(key.hashCode() & 0x7fffffff) % keyLocks.length]) {
            long now = clock.getAsLong();
            boolean all = true;
            for (int i = 0; i < n; i++) {
                State s = st[i];
                synchronized (s) {
                    s.perMinute = limits[i];
                    s.window = windows[i];
                    out[i] = decide(s, now, false);
                    all &= out[i].allowed();
                }
            }
            if (all) {
                for (int i = 0; i < n; i++) {
                    State s = st[i];
                    synchronized (s) {
                        out[i] = decide(s, now, true);
                        s.admitted++;
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    Decision d = out[i];
                    if (d.allowed()) { // admitted by this limit, refused by another: nothing spent, state as it stands
                        out[i] = new Decision(false, d.limit(), d.windowSeconds(), d.remaining(), d.resetSeconds(), 0);
                    }
                }
            }
        }
        return out;
    }

    /** Other replicas admitted {@code count} more requests of {@code key}: they spend this replica's view too. */
    public void applyRemote(UUID key, long perMinute, long count) {
        applyRemote(key, perMinute, 60, count);
    }

    /** As above for a limit of {@code limit} per {@code windowSeconds} (a named limit's derived id). */
    public void applyRemote(UUID key, long limit, long windowSeconds, long count) {
        if (!enabled || limit <= 0 || count <= 0 || windowSeconds <= 0) {
            return;
        }
        State s = state(key);
        synchronized (s) {
            if (s.perMinute <= 0) {
                s.perMinute = limit;
                s.window = windowSeconds * 1_000_000_000L;
            }
            long now = clock.getAsLong();
            long base = s.tat == Long.MIN_VALUE ? now : Math.max(s.tat, now);
            // never further ahead than a full window past the burst: the debt is bounded like the bucket
            s.tat = Math.min(base + count * (s.window / s.perMinute), now + 2 * s.window);
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
                    out.add(new Admitted(key, s.perMinute, s.admitted, s.generation, s.window / 1_000_000_000L));
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
                boolean idle = s.admitted == s.published && (s.tat == Long.MIN_VALUE || now - s.tat > s.window);
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

    /** {@code commit}: spend the request when admitted (else say whether it would be, and the state unspent). */
    private static Decision decide(State s, long now, boolean commit) {
        long limit = s.perMinute;
        long windowSeconds = s.window / 1_000_000_000L;
        long interval = s.window / limit; // emission interval T
        long tolerance = interval * (limit - 1); // burst tolerance: the whole quota at once
        long current = s.tat == Long.MIN_VALUE ? now : Math.max(s.tat, now);
        long next = current + interval;
        if (next - now > tolerance + interval) {
            long retry = next - interval - tolerance - now;
            return new Decision(false, limit, windowSeconds, 0, seconds(current - now), Math.max(1, seconds(retry)));
        }
        if (!commit) { // admitted by this limit, not (yet) spent: its state as it stands
            long left = Math.max(0, (tolerance + interval - (current - now)) / interval);
            return new Decision(true, limit, windowSeconds, left, seconds(current - now), 0);
        }
        s.tat = next;
        long remaining = Math.max(0, (tolerance + interval - (next - now)) / interval);
        return new Decision(true, limit, windowSeconds, remaining, seconds(next - now), 0);
    }

    private static long seconds(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
