package io.keysmith.usage;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.keys.KeyLastUse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key usage counted in memory and written behind. Each replica writes absolute counts of its own (replica, key,
 * operation, outcome, minute) rows, so a retried flush overwrites and never double counts; at most one statement
 * batch per organization per flush interval, never a write per request. Last use (time, address) travels the same
 * way, and the first use of a key from a new address becomes an audit event, all without a query on the hot path.
 *
 * <p>While the database is away, counts stay in memory up to {@code maxBuckets}; past that, new buckets are dropped
 * and counted in {@code keysmith_usage_dropped_total} (existing buckets keep counting). A graceful stop flushes
 * everything; a kill -9 loses at most one flush interval. Counts older than the minute retention (held through a
 * longer outage) are dropped rather than written, since {@link UsageRetention} may have rolled that minute up already.
 * Metering can be switched off ({@code usage.metering.enabled}): then nothing is counted or written.
 */
public final class UsageMeter {
    private static final Logger LOG = LoggerFactory.getLogger(UsageMeter.class);

    public enum Outcome {
        ALLOWED,
        DENIED,
        RATE_LIMITED,
        INVALID
    }

    record Bucket(UUID org, UUID key, String operation, Outcome outcome, long minute) {}

    record LastUse(UUID org, long at, String address) {}

    private final Db db;
    private final UsageRepository repository;
    private final KeyLastUse keys;
    private final AuditRepository audit;
    private final UUID replica = UUID.randomUUID();
    private final int maxBuckets;
    private final boolean enabled;
    private final long retentionMinutes;
    private final Map<Bucket, LongAdder> buckets = new ConcurrentHashMap<>();
    private final Map<UUID, LastUse> lastUse = new ConcurrentHashMap<>();
    // bounded: addresses are validated IP literals, but a partner may rotate through many; past the caps a key's
    // further new addresses are not announced (once per key and address per day, at most 16 per key per hour)
    private static final int NEW_ADDRESSES_PER_KEY = 16;
    private static final int MAX_PENDING_ADDRESSES = 10_000;
    /** A key and an address already announced (looked up per request: no text built for it). */
    private record KnownAddress(UUID key, String address) {}

    private final com.github.benmanes.caffeine.cache.Cache<KnownAddress, Boolean> knownAddresses =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .maximumSize(100_000)
                    .expireAfterWrite(java.time.Duration.ofDays(1))
                    .build();
    private final com.github.benmanes.caffeine.cache.Cache<UUID, java.util.concurrent.atomic.AtomicInteger>
            addressesPerKey = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .maximumSize(100_000)
                    .expireAfterWrite(java.time.Duration.ofHours(1))
                    .build();
    private final Map<String, UUID> newAddresses = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private volatile Future<Void> inFlight = Future.succeededFuture();
    private volatile long timer = -1;
    private Vertx vertx;
    private final AtomicLong lastSuccess = new AtomicLong(System.currentTimeMillis());
    private final Counter dropped;
    private final Counter failures;
    private final Timer flushTimer;
    private final DistributionSummary batchSize;

    public UsageMeter(
            Db db,
            UsageRepository repository,
            KeyLastUse keys,
            AuditRepository audit,
            MeterRegistry registry,
            int maxBuckets,
            boolean enabled,
            java.time.Duration minuteRetention) {
        this.db = db;
        this.repository = repository;
        this.keys = keys;
        this.audit = audit;
        this.maxBuckets = maxBuckets;
        this.enabled = enabled;
        // an hour of margin: the roll-up works in whole hours before its cutoff
        this.retentionMinutes = Math.max(60, minuteRetention.toMinutes() - 60);
        this.dropped = Counter.builder("keysmith_usage_dropped")
                .description("Usage buckets dropped at the in-memory bound")
                .register(registry);
        this.failures = Counter.builder("keysmith_usage_flush_failures")
                .description("Usage flushes that failed")
                .register(registry);
        this.flushTimer = Timer.builder("keysmith_usage_flush")
                .description("Time to write one usage flush")
                .register(registry);
        this.batchSize = DistributionSummary.builder("keysmith_usage_flush_batch_size")
                .description("Rows written per usage flush")
                .register(registry);
        Gauge.builder(
                        "keysmith_usage_flush_lag_seconds",
                        this,
                        m -> (System.currentTimeMillis() - m.lastSuccess.get()) / 1000.0)
                .description("Seconds since the last successful usage flush")
                .register(registry);
        Gauge.builder("keysmith_usage_pending_buckets", buckets, Map::size)
                .description("Usage buckets held in memory")
                .register(registry);
    }

    /** On the hot path: two map operations, no I/O. */
    public void record(UUID org, UUID key, String operation, Outcome outcome, String address) {
        if (!enabled) {
            return;
        }
        long minute = System.currentTimeMillis() / 60_000;
        Bucket b = new Bucket(org, key, operation, outcome, minute);
        LongAdder counter = buckets.get(b);
        if (counter == null) {
            if (buckets.size() >= maxBuckets) {
                dropped.increment();
                return;
            }
            counter = buckets.computeIfAbsent(b, x -> new LongAdder());
        }
        counter.increment();
        if (outcome != Outcome.INVALID) {
            lastUse.put(key, new LastUse(org, System.currentTimeMillis(), address));
            if (address != null) {
                KnownAddress known = new KnownAddress(key, address);
                if (knownAddresses.getIfPresent(known) == null
                        && newAddresses.size() < MAX_PENDING_ADDRESSES
                        && addressesPerKey
                                        .get(key, k -> new java.util.concurrent.atomic.AtomicInteger())
                                        .incrementAndGet()
                                <= NEW_ADDRESSES_PER_KEY) {
                    knownAddresses.put(known, Boolean.TRUE);
                    newAddresses.put(key + "|" + address, org);
                }
            }
        }
    }

    public UUID replica() {
        return replica;
    }

    public void start(Vertx vertx, long intervalMillis) {
        if (!enabled) {
            return;
        }
        this.vertx = vertx;
        this.timer = vertx.setPeriodic(intervalMillis, id -> flush());
    }

    /** The graceful stop's flush: no more periodic ones, wait for one under way, then write everything. */
    public Future<Void> flushFinal() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return inFlight.transform(x -> flush());
    }

    /** Writes every organization's counts; one flush at a time; failures keep everything for the next one. */
    public Future<Void> flush() {
        if (!flushing.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        Map<Bucket, Long> snapshot = new HashMap<>();
        long oldest = System.currentTimeMillis() / 60_000 - retentionMinutes;
        buckets.forEach((b, c) -> {
            if (b.minute() < oldest) {
                buckets.remove(b); // past the retention: possibly rolled up already; never written twice
                dropped.increment();
            } else {
                snapshot.put(b, c.sum());
            }
        });
        Map<UUID, LastUse> uses = new HashMap<>(lastUse);
        Map<String, UUID> addresses = new HashMap<>(newAddresses);
        Map<UUID, List<Bucket>> byOrg = new HashMap<>();
        snapshot.keySet()
                .forEach(b ->
                        byOrg.computeIfAbsent(b.org(), o -> new ArrayList<>()).add(b));
        uses.forEach((k, u) -> byOrg.computeIfAbsent(u.org(), o -> new ArrayList<>()));
        long start = System.nanoTime();
        List<Future<Void>> writes = new ArrayList<>();
        byOrg.forEach(
                (org, list) -> writes.add(db.inOrganization(org, t -> write(t, list, snapshot, uses, addresses))));
        Future<Void> result = Future.join(writes).transform(all -> {
            flushing.set(false);
            flushTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            batchSize.record(snapshot.size());
            long currentMinute = System.currentTimeMillis() / 60_000;
            List<UUID> failedOrgs = new ArrayList<>();
            int i = 0;
            for (UUID org : byOrg.keySet()) {
                if (writes.get(i++).failed()) {
                    failedOrgs.add(org);
                }
            }
            // written rows of past minutes are final: drop them unless they changed meanwhile
            snapshot.forEach((b, value) -> {
                if (!failedOrgs.contains(b.org()) && b.minute() < currentMinute) {
                    buckets.computeIfPresent(b, (k, c) -> c.sum() == value ? null : c);
                }
            });
            uses.forEach((k, u) -> {
                if (!failedOrgs.contains(u.org())) {
                    lastUse.remove(k, u);
                }
            });
            addresses.forEach((k, org) -> {
                if (!failedOrgs.contains(org)) {
                    newAddresses.remove(k);
                }
            });
            if (failedOrgs.isEmpty()) {
                lastSuccess.set(System.currentTimeMillis());
                return Future.succeededFuture();
            }
            failures.increment();
            LOG.warn(
                    "Usage flush failed for {} organization(s); the counts stay in memory: {}",
                    failedOrgs.size(),
                    all.failed() ? all.cause().toString() : "");
            return Future.failedFuture(all.failed() ? all.cause() : new IllegalStateException("usage flush failed"));
        });
        inFlight = result;
        return result;
    }

    private Future<Void> write(
            Tenant t,
            List<Bucket> list,
            Map<Bucket, Long> snapshot,
            Map<UUID, LastUse> uses,
            Map<String, UUID> addresses) {
        List<UsageRepository.MinuteCount> counts = new ArrayList<>();
        for (Bucket b : list) {
            counts.add(new UsageRepository.MinuteCount(
                    b.key(),
                    OffsetDateTime.ofInstant(Instant.ofEpochMilli(b.minute() * 60_000), ZoneOffset.UTC),
                    b.operation(),
                    b.outcome().name(),
                    replica,
                    snapshot.get(b)));
        }
        List<KeyLastUse.Use> lastUses = new ArrayList<>();
        uses.forEach((k, u) -> {
            if (u.org().equals(t.org())) {
                lastUses.add(new KeyLastUse.Use(
                        k, OffsetDateTime.ofInstant(Instant.ofEpochMilli(u.at()), ZoneOffset.UTC), u.address()));
            }
        });
        List<String> seen = new ArrayList<>();
        addresses.forEach((k, org) -> {
            if (org.equals(t.org())) {
                seen.add(k);
            }
        });
        return repository
                .writeMinuteCounts(t, counts)
                .compose(x -> keys.recordLastUses(t, lastUses))
                .compose(x -> firstUses(t, seen));
    }

    /** Records addresses ("key|address"); the ones never seen before become audit events. */
    private Future<Void> firstUses(Tenant t, List<String> seen) {
        Future<Void> chain = Future.succeededFuture();
        for (String s : seen) {
            int bar = s.indexOf('|');
            UUID key = UUID.fromString(s.substring(0, bar));
            String address = s.substring(bar + 1);
            chain = chain.compose(x -> repository
                    .recordAddress(t, key, address)
                    .compose(first -> !first
                            ? Future.succeededFuture()
                            : audit.append(
                                    t,
                                    new AuditEvent(
                                            null,
                                            "api-key",
                                            "api-key.used-from-new-address",
                                            "api-key",
                                            key.toString(),
                                            address,
                                            new io.vertx.core.json.JsonObject()))));
        }
        return chain;
    }
}
