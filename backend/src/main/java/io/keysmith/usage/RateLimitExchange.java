package io.keysmith.usage;

import io.keysmith.db.Db;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares rate-limit budgets between replicas through PostgreSQL: every interval (default 1 s) one statement publishes
 * this replica's admitted totals per key and reads the other replicas' recent totals; the increase since the last
 * exchange is spent from this replica's view of each key ({@link RateLimiter#applyRemote}). Totals are absolute, so a
 * retried or repeated exchange never spends twice.
 *
 * <p>A replica hears of another's admissions within D = two intervals plus a statement's time; worst-case
 * over-admission is (replicas - 1) x (burst + rate x D) after an idle period, (replicas - 1) x rate x D under steady
 * load (docs/adr/0008). While the database is away each replica decides alone (up to N x the limit) and catches up on
 * return. A replica that starts takes the others' current totals as its baseline (it does not charge what it did not
 * see happen).
 */
public final class RateLimitExchange {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitExchange.class);

    private record Seen(long total, OffsetDateTime since, long atMillis) {}

    private final Db db;
    private final RateLimitRepository repository;
    private final RateLimiter limiter;
    private final UUID replica;
    private final int lookbackSeconds;
    private final Map<String, Seen> seen = new HashMap<>(); // replica|key -> last total; touched on one thread only
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter failures;
    private final Counter applied;
    private final Timer timer;
    private OffsetDateTime watchingSince;
    private long periodic = -1;

    public RateLimitExchange(
            Db db,
            RateLimitRepository repository,
            RateLimiter limiter,
            UUID replica,
            long intervalMillis,
            MeterRegistry registry) {
        this.db = db;
        this.repository = repository;
        this.limiter = limiter;
        this.replica = replica;
        this.lookbackSeconds = (int) Math.max(10, 5 * intervalMillis / 1000);
        this.failures = Counter.builder("keysmith_rate_limit_exchange_failures")
                .description("Rate-limit exchanges with the other replicas that failed")
                .register(registry);
        this.applied = Counter.builder("keysmith_rate_limit_remote_admitted")
                .description("Requests admitted by other replicas and spent from this replica's budgets")
                .register(registry);
        this.timer = Timer.builder("keysmith_rate_limit_exchange")
                .description("Time of one rate-limit exchange")
                .register(registry);
        Gauge.builder("keysmith_rate_limit_keys", limiter, RateLimiter::size)
                .description("Keys with rate-limit state on this replica")
                .register(registry);
    }

    public void start(Vertx vertx, long intervalMillis) {
        periodic = vertx.setPeriodic(intervalMillis, id -> exchange());
    }

    public void stop(Vertx vertx) {
        if (periodic >= 0) {
            vertx.cancelTimer(periodic);
        }
    }

    /** One exchange; skipped while the previous one is still under way. */
    public Future<Void> exchange() {
        if (!running.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        limiter.forgetIdle();
        List<RateLimiter.Admitted> mine = limiter.unpublished();
        long start = System.nanoTime();
        return db.withoutOrganization(conn -> repository.exchange(conn, replica, mine, lookbackSeconds))
                .map(result -> {
                    apply(result);
                    return (Void) null;
                })
                .onFailure(e -> {
                    limiter.unpublish(mine);
                    failures.increment();
                    LOG.debug("Rate-limit exchange failed; deciding locally until it works: {}", e.toString());
                })
                .onComplete(x -> {
                    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    running.set(false);
                });
    }

    private void apply(RateLimitRepository.Exchange result) {
        if (watchingSince == null) {
            watchingSince = result.now();
        }
        long nowMillis = System.currentTimeMillis();
        for (RateLimitRepository.Remote r : result.others()) {
            String id = r.replica() + "|" + r.key();
            Seen before = seen.put(id, new Seen(r.total(), r.since(), nowMillis));
            long spent;
            if (before != null && before.since().equals(r.since())) {
                spent = r.total() - before.total();
            } else if (before != null || r.since().isAfter(watchingSince)) {
                spent = r.total(); // a count that (re)started while this replica was watching: all of it is new
            } else {
                spent = 0; // counted before this replica was watching: the baseline
            }
            if (spent > 0) {
                limiter.applyRemote(r.key(), r.perMinute(), r.windowSeconds(), spent);
                applied.increment(spent);
            }
        }
        // another replica forgets a key after a minute idle and restarts its count with a new `since`
        seen.values().removeIf(s -> nowMillis - s.atMillis() > 300_000);
    }
}
