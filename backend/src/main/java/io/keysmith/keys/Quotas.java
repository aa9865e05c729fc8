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
 * database round trip per block. What it leased and did not spend goes back when the lease is idle and on a
 * graceful stop; a crash loses at most one block per key (until the refill).
 */
public final class Quotas {
    /** A quota's state as an answer reports it; {@code resetsAt} null for TOTAL. */
    public record State(long limit, String period, long remaining, Instant resetsAt) {}

    /** The outcome of spending: allowed, and the state afterwards. */
    record Spent(boolean allowed, State state) {}

    /** One replica's lease of one key's quota (guarded by its own monitor). */
    private static final class Lease {
        final UUID org;
        final long epoch;
        long left; // leased, not spent
        long unleased = -1; // what the database held after the last lease (-1: not known yet)
        OffsetDateTime periodStart;
        long resetsAt = Long.MAX_VALUE; // epoch millis; MAX: TOTAL, or no lease yet
        long exhaustedUntil;
        long lastUse;
        Future<Void> pending;
        boolean retired; // given back and forgotten: a spender that still holds it takes a new one

        Lease(UUID org, long epoch) {
            this.org = org;
            this.epoch = epoch;
        }
    }

    /** The largest block a replica leases at a time: the overspend and crash-loss unit of ADR 0015. */
    static final int MAX_BLOCK = 100;

    private final KeyRepository keys;
    private final SqlClient pool;
    private final int maxBlock;
    private final ConcurrentHashMap<UUID, Lease> leases = new ConcurrentHashMap<>();

    Quotas(KeyRepository keys, SqlClient pool, int maxBlock) {
        this.keys = keys;
        this.pool = pool;
        this.maxBlock = Math.max(1, maxBlock);
    }

    /** The block a replica leases: a hundredth of the limit, at least 1, at most the configured block. */
    long block(long limit) {
        return Math.max(1, Math.min(maxBlock, limit / 100));
    }

    /**
     * Spends {@code cost} of the key's quota (0: checks that something is left). Fails only when the database
     * cannot be asked for a lease: a quota is never granted blind.
     */
    Future<Spent> spend(KeyPrincipal p, long cost) {
        KeyPrincipal.Quota q = p.quota();
        long need = Math.max(1, cost);
        while (true) {
            Lease l = leases.compute(
                    p.keyId(),
                    (k, old) -> old != null && old.epoch == q.epoch() ? old : new Lease(p.organizationId(), q.epoch()));
            Future<Void> waiting;
            synchronized (l) {
                if (l.retired) {
                    continue; // given back meanwhile: take the new lease
                }
                long now = System.currentTimeMillis();
                l.lastUse = now;
                if (now >= l.resetsAt) { // the period turned: what was leased from the last one is void
                    l.left = 0;
                    l.unleased = -1;
                    l.exhaustedUntil = 0;
                    l.resetsAt = Long.MAX_VALUE;
                }
                if (l.left >= need || now < l.exhaustedUntil) {
                    return Future.succeededFuture(take(q, l, cost, need));
                }
                if (l.pending == null) {
                    long want = Math.max(block(q.limit()), need - l.left);
                    Future<Row> lease = keys.leaseQuota(pool, l.org, p.keyId(), want);
                    l.pending = lease.<Void>map(row -> {
                                granted(l, row);
                                return null;
                            })
                            .onComplete(ar -> {
                                synchronized (l) {
                                    l.pending = null;
                                }
                            });
                }
                waiting = l.pending;
            }
            // one lease per key at a time: the others wait for it, then decide on what it brought
            return waiting.map(x -> {
                synchronized (l) {
                    return take(q, l, cost, need);
                }
            });
        }
    }

    /** Spends {@code cost} when {@code need} is left (under the lease's monitor). */
    private static Spent take(KeyPrincipal.Quota q, Lease l, long cost, long need) {
        if (l.left >= need) {
            l.left -= cost;
            return new Spent(true, state(q, l));
        }
        return new Spent(false, state(q, l));
    }

    private static void granted(Lease l, Row row) {
        synchronized (l) {
            long now = System.currentTimeMillis();
            if (row == null) { // the quota was removed meanwhile: nothing to spend until the change arrives
                l.exhaustedUntil = now + 1000;
                return;
            }
            long granted = row.getLong("granted");
            OffsetDateTime start = row.getOffsetDateTime("period_started");
            if (l.periodStart != null && !l.periodStart.equals(start)) {
                l.left = 0; // leased from an earlier period
            }
            l.periodStart = start;
            l.left += granted;
            l.unleased = row.getLong("left_over");
            OffsetDateTime resets = row.getOffsetDateTime("resets_at");
            l.resetsAt = resets == null ? Long.MAX_VALUE : resets.toInstant().toEpochMilli();
            if (granted == 0) {
                // spent: ask the database again in a second at most (another replica may give back), or at the refill
                l.exhaustedUntil = Math.min(l.resetsAt, now + 1000);
            }
        }
    }

    private static State state(KeyPrincipal.Quota q, Lease l) {
        long remaining = Math.min(q.limit(), Math.max(0, l.unleased) + l.left);
        return new State(
                q.limit(),
                q.period(),
                remaining,
                l.resetsAt == Long.MAX_VALUE ? null : Instant.ofEpochMilli(l.resetsAt));
    }

    /** What this replica leased of the key's quota and has not spent (for the key's page). */
    long unspent(UUID keyId, long epoch) {
        Lease l = leases.get(keyId);
        if (l == null) {
            return 0;
        }
        synchronized (l) {
            return l.epoch == epoch && System.currentTimeMillis() < l.resetsAt ? l.left : 0;
        }
    }

    /**
     * Returns what leases unused for {@code idleMillis} hold (0: every lease, on a graceful stop) and forgets them,
     * so that the map holds only keys in use.
     */
    public Future<Void> giveBack(long idleMillis) {
        long now = System.currentTimeMillis();
        List<Future<Void>> returned = new ArrayList<>();
        leases.forEach((key, l) -> {
            long amount;
            OffsetDateTime start;
            synchronized (l) {
                if (l.pending != null || now - l.lastUse < idleMillis) {
                    return;
                }
                amount = now < l.resetsAt ? l.left : 0;
                start = l.periodStart;
                l.left = 0;
                l.retired = true;
                leases.remove(key, l);
            }
            if (amount > 0 && start != null) {
                returned.add(keys.giveBackQuota(pool, l.org, key, amount, l.epoch, start));
            }
        });
        return Future.join(returned).mapEmpty();
    }
}
