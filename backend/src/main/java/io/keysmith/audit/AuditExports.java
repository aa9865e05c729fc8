package io.keysmith.audit;

import io.keysmith.errors.TooMany;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exports running on this replica. Each holds a pooled connection (and its transaction) for as long as its client
 * reads, so slow or stalled downloads must not take the pool: at most {@link #PER_ORGANIZATION} per organization
 * (one organization cannot starve another's) and {@link #IN_ALL} in all.
 */
final class AuditExports {
    static final int PER_ORGANIZATION = 2;
    static final int IN_ALL = 4;

    private final AtomicInteger all = new AtomicInteger();
    private final ConcurrentHashMap<UUID, Integer> byOrganization = new ConcurrentHashMap<>();

    /** Takes a slot or throws 429; whoever took one gives it back with {@link #release} exactly once. */
    void acquire(UUID organization) {
        byOrganization.compute(organization, (o, n) -> {
            int running = n == null ? 0 : n;
            if (running >= PER_ORGANIZATION) {
                throw new TooMany(
                        "Your organization already has " + PER_ORGANIZATION
                                + " audit exports running: try again when one has finished",
                        5);
            }
            return running + 1;
        });
        if (all.incrementAndGet() > IN_ALL) {
            release(organization);
            throw new TooMany("The server is running " + IN_ALL + " audit exports: try again shortly", 5);
        }
    }

    void release(UUID organization) {
        all.decrementAndGet();
        byOrganization.computeIfPresent(organization, (o, n) -> n <= 1 ? null : n - 1);
    }
}
