package io.keysmith.auth;

import io.keysmith.errors.TooMany;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Shares the password-hashing threads fairly between callers (source addresses). Admission: each address has a
 * token bucket of hashes (a burst, then a steady rate), checked in memory before any other work, so a flood from one
 * address is refused (429) cheaply and cannot take more than its rate of the CPU. Then at most one hash per address
 * runs at a time, the waiting ones are served round-robin across addresses, and an address with too many waiting is
 * refused instead of queueing without bound. So one caller cannot occupy the pool, and another caller waits for at
 * most about one hash per other active address. Per replica, in memory: it shares this replica's pool.
 */
final class HashingGate {
    private static final int MAX_TRACKED = 100_000;

    private final int slots;
    private final int queuedPerAddress;
    private final double burst;
    private final double perSecond;
    private final LinkedHashMap<String, ArrayDeque<Runnable>> waiting = new LinkedHashMap<>();
    private final Set<String> running = new HashSet<>();
    private final Map<String, double[]> buckets = new HashMap<>(); // address -> {tokens, last refill in nanos}
    private int busy;

    HashingGate(int slots, int queuedPerAddress, int burst, double perSecond) {
        this.slots = slots;
        this.queuedPerAddress = queuedPerAddress;
        this.burst = burst;
        this.perSecond = perSecond;
    }

    /** Takes one hash from the address's bucket; false when it is empty (the caller answers 429). */
    synchronized boolean admit(String address) {
        long now = System.nanoTime();
        if (buckets.size() >= MAX_TRACKED) {
            // forget addresses whose bucket has refilled: they are as good as new
            buckets.values().removeIf(b -> b[0] + (now - b[1]) / 1e9 * perSecond >= burst);
            if (buckets.size() >= MAX_TRACKED) {
                return false;
            }
        }
        double[] b = buckets.computeIfAbsent(address, a -> new double[] {burst, now});
        b[0] = Math.min(burst, b[0] + (now - b[1]) / 1e9 * perSecond);
        b[1] = now;
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }

    /** Seconds until the address's bucket holds a hash again. */
    synchronized int retryAfter(String address) {
        double[] b = buckets.get(address);
        return b == null ? 1 : Math.max(1, (int) Math.ceil((1 - b[0]) / perSecond));
    }

    /** Runs {@code work} (which starts the hash and completes when it ends) when this address's turn comes. */
    <T> Future<T> submit(String address, Supplier<Future<T>> work) {
        Promise<T> result = Promise.promise();
        Runnable job = () -> {
            Future<T> f;
            try {
                f = work.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(r -> {
                done(address);
                result.handle(r);
            });
        };
        synchronized (this) {
            ArrayDeque<Runnable> queue = waiting.computeIfAbsent(address, a -> new ArrayDeque<>());
            if (queue.size() >= queuedPerAddress) {
                if (queue.isEmpty()) {
                    waiting.remove(address);
                }
                return Future.failedFuture(busy());
            }
            queue.add(job);
        }
        dispatch();
        return result.future();
    }

    private void done(String address) {
        synchronized (this) {
            busy--;
            running.remove(address);
        }
        dispatch();
    }

    private void dispatch() {
        while (true) {
            Runnable next = null;
            synchronized (this) {
                if (busy >= slots) {
                    return;
                }
                for (Map.Entry<String, ArrayDeque<Runnable>> e : waiting.entrySet()) {
                    if (!running.contains(e.getKey())) {
                        String address = e.getKey();
                        ArrayDeque<Runnable> queue = e.getValue();
                        next = queue.poll();
                        // round-robin: the address goes to the back of the line (or leaves it when empty)
                        waiting.remove(address);
                        if (!queue.isEmpty()) {
                            waiting.put(address, queue);
                        }
                        running.add(address);
                        busy++;
                        break;
                    }
                }
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }

    static TooMany busy() {
        return busy(1);
    }

    static TooMany busy(int retryAfterSeconds) {
        return new TooMany(
                "Too many password checks from this address; try again in " + retryAfterSeconds + " seconds",
                retryAfterSeconds);
    }
}
