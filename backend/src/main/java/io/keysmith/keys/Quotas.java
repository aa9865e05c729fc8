package io.keysmith.keys;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage quotas (issue 20 item 2, ADR 0015): each replica leases a small block of a key's quota from PostgreSQL
 * (one atomic statement, so the blocks granted never add up to more than the limit) and spends it locally, one
 * database round trip per block, leasing the next block when half of one is left so that no request waits for it.
 * What it leased and did not spend goes back when the lease is idle and on a graceful stop; a crash loses at most
 * one and a half blocks per key (until the refill).
 */
public final class Quotas {
    /** A quota's state as an answer reports it; {@code resetsAt} null for TOTAL. */
    public record State(long limit, String period, long remaining, Instant resetsAt) {}

    /** The outcome of spending: allowed, and the state afterwards. */
    record Spent(boolean allowed, State state) {}

    /**
     * One replica's lease of one key's quota. {@code left} is spent lock-free (the hot path); leasing, a period's
     * turn and the give-back take the lease's monitor.
     */
    private static final class Lease {
        final UUID org;
        final long epoch;
        final java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong();
        volatile long unleased = -1; // what the database held after the last lease (-1: not known yet)
        volatile long resetsAt = Long.MAX_VALUE; // epoch millis; MAX: TOTAL, or no lease yet
        volatile Instant resetsAtInstant;
        volatile long exhaustedUntil;
        volatile long lastUse;
        volatile Future<Void> pending;
        volatile boolean retired; // given back and forgotten: a spender that still holds it takes a new one
        volatile boolean removed; // the database has no quota for the key any more: nothing to spend or refuse
        OffsetDateTime periodStart;

        Lease(UUID org, long epoch) {
            this.org = org;
            this.epoch = epoch;
        }
    }

    /** The largest block a replica leases at a time: the unit of ADR 0015's bounds. */
    static final int MAX_BLOCK = 1000;

    private final KeyRepository keys;
    private final SqlClient pool;
    private final ConcurrentHashMap<UUID, Lease> leases = new ConcurrentHashMap<>();

    Quotas(KeyRepository keys, SqlClient pool) {
        this.keys = keys;
        this.pool = pool;
    }

    /**
     * The block a replica leases: a hundredth of the limit, at least 1, at most {@link #MAX_BLOCK} (bench/quota.sh:
     * with blocks of 100 the leases' commits cost a quarter of verify's throughput on two cores; with 1,000, 9%).
     */
    long block(long limit) {
        return Math.max(1, Math.min(MAX_BLOCK, limit / 100));
    }

    /**
     * Spends {@code cost} of the key's quota (0: checks that something is left). Fails only when the database
     * cannot be asked for a lease: a quota is never granted blind.
     */
    Future<Spent> spend(KeyPrincipal p, long cost) {
        KeyPrincipal.Quota q = p.quota();
        long need = Math.max(1, cost);
        long half = block(q.limit()) / 2;
        while (true) {
            Lease l = leases.get(p.keyId());
            if (l == null || l.epoch != q.epoch()) {
                l = leases.compute(
                        p.keyId(),
                        (k, old) ->
                                old != null && old.epoch == q.epoch() ? old : new Lease(p.organizationId(), q.epoch()));
            }
            long now = System.currentTimeMillis();
            if (now - l.lastUse > 1000) {
                l.lastUse = now; // coarse: the idle give-back needs seconds, not a write per request
            }
            // the hot path: spend from the lease without a lock
            if (!l.retired && now < l.resetsAt) {
                for (long left = l.left.get(); left >= need; left = l.left.get()) {
                    if (l.left.compareAndSet(left, left - cost)) {
                        if (left - cost < half && l.pending == null) {
                            prefetch(p, l); // the next block before this one runs out: nobody waits for it
                        }
                        return Future.succeededFuture(new Spent(true, state(q, l)));
                    }
                }
            }
            Future<Void> waiting;
            synchronized (l) {
                if (l.retired) {
                    continue; // given back meanwhile: take the new lease
                }
                if (now >= l.resetsAt) { // the period turned: what was leased from the last one is void
                    l.left.set(0);
                    l.unleased = -1;
                    l.exhaustedUntil = 0;
                    l.resetsAt = Long.MAX_VALUE;
                    l.resetsAtInstant = null;
                }
                if (l.left.get() >= need || now < l.exhaustedUntil || l.removed) {
                    return Future.succeededFuture(take(q, l, cost, need));
                }
                if (l.pending == null) {
                    lease(p, l, Math.max(block(q.limit()), need - l.left.get()));
                }
                waiting = l.pending;
            }
            // one lease per key at a time: the others wait for it, then decide on what it brought
            Lease leased = l;
            return waiting.map(x -> take(q, leased, cost, need));
        }
    }

    private void prefetch(KeyPrincipal p, Lease l) {
        synchronized (l) {
            if (l.pending == null && !l.retired && System.currentTimeMillis() >= l.exhaustedUntil) {
                lease(p, l, block(p.quota().limit()));
            }
        }
    }

    /** Starts the key's one pending lease (under the lease's monitor). */
    private void lease(KeyPrincipal p, Lease l, long want) {
        l.pending = keys.leaseQuota(pool, l.org, p.keyId(), want)
                .<Void>map(row -> {
                    granted(l, row);
                    return null;
                })
                .onComplete(ar -> {
                    synchronized (l) {
                        l.pending = null;
                    }
                });
    }

    /** Spends {@code cost} when {@code need} is left. */
    private static Spent take(KeyPrincipal.Quota q, Lease l, long cost, long need) {
        if (l.removed) {
            return new Spent(true, null);
        }
        for (long left = l.left.get(); left >= need; left = l.left.get()) {
            if (l.left.compareAndSet(left, left - cost)) {
                return new Spent(true, state(q, l));
            }
        }
        return new Spent(false, state(q, l));
    }

    private static void granted(Lease l, Row row) {
        synchronized (l) {
            long now = System.currentTimeMillis();
            if (row == null) { // removed on another replica: admit until the change arrives and drops this lease
                l.removed = true;
                return;
            }
            long granted = row.getLong("granted");
            OffsetDateTime start = row.getOffsetDateTime("period_started");
            if (l.periodStart != null && !l.periodStart.equals(start)) {
                l.left.set(0); // leased from an earlier period
            }
            l.periodStart = start;
            l.unleased = row.getLong("left_over");
            OffsetDateTime resets = row.getOffsetDateTime("resets_at");
            l.resetsAtInstant = resets == null ? null : resets.toInstant();
            l.resetsAt = resets == null ? Long.MAX_VALUE : resets.toInstant().toEpochMilli();
            l.left.addAndGet(granted);
            if (granted == 0) {
                // spent: ask the database again in a second at most (another replica may give back), or at the refill
                l.exhaustedUntil = Math.min(l.resetsAt, now + 1000);
            }
        }
    }

    private static State state(KeyPrincipal.Quota q, Lease l) {
        long remaining = Math.min(q.limit(), Math.max(0, l.unleased) + l.left.get());
        return new State(q.limit(), q.period(), remaining, l.resetsAtInstant);
    }

    /**
     * Returns what leases unused for {@code idleMillis} hold (0: every lease, on a graceful stop) and forgets them,
     * so that the map holds only keys in use.
     */
    public Future<Void> giveBack(long idleMillis) {
        long now = System.currentTimeMillis();
        List<Future<Void>> returned = new ArrayList<>();
        List<Future<Void>> pending = new ArrayList<>();
        leases.forEach((key, l) -> {
            long amount;
            OffsetDateTime start;
            synchronized (l) {
                if (l.pending != null) {
                    pending.add(l.pending);
                    return;
                }
                if (now - l.lastUse < idleMillis) {
                    return;
                }
                l.retired = true;
                long held = l.left.getAndSet(0);
                amount = now < l.resetsAt ? held : 0;
                start = l.periodStart;
                leases.remove(key, l);
            }
            if (amount > 0 && start != null) {
                returned.add(keys.giveBackQuota(pool, l.org, key, amount, l.epoch, start));
            }
        });
        Future<Void> done = Future.join(returned).mapEmpty();
        // on a graceful stop, a lease still in flight is given back once it has arrived
        return idleMillis > 0 || pending.isEmpty()
                ? done
                : done.transform(x -> Future.join(pending).transform(y -> giveBack(0)));
    }
}
