package io.keysmith.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** GCRA decisions equal the continuous-state leaky bucket (ITU-T I.371) on generated request sequences. */
class RateLimiterTest {

    /** The reference model: a leaky bucket of depth tolerance + interval draining one unit per nanosecond. */
    static final class LeakyBucket {
        private final long interval;
        private final long tolerance;
        private long level;
        private long lastConforming = Long.MIN_VALUE;

        LeakyBucket(long perMinute) {
            this.interval = 60_000_000_000L / perMinute;
            this.tolerance = interval * (perMinute - 1);
        }

        boolean offer(long t) {
            long drained = lastConforming == Long.MIN_VALUE ? 0 : Math.max(0, level - (t - lastConforming));
            if (drained > tolerance) {
                return false;
            }
            level = drained + interval;
            lastConforming = t;
            return true;
        }
    }

    @Property(tries = 500, seed = "20261123")
    void gcra_matchesTheLeakyBucket(
            @ForAll @IntRange(min = 1, max = 5000) int perMinute, @ForAll("gaps") List<Long> gaps) {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        RateLimiter limiter = new RateLimiter(now::get);
        LeakyBucket reference = new LeakyBucket(perMinute);
        UUID key = UUID.randomUUID();
        for (long gap : gaps) {
            now.addAndGet(gap);
            boolean expected = reference.offer(now.get());
            RateLimiter.Decision d = limiter.acquire(key, perMinute);
            assertThat(d.allowed())
                    .as("request at +%d ns, %d/min", gap, perMinute)
                    .isEqualTo(expected);
            if (!d.allowed()) {
                assertThat(d.retryAfterSeconds()).isPositive();
            }
        }
    }

    @Provide
    Arbitrary<List<Long>> gaps() {
        return Arbitraries.oneOf(
                        Arbitraries.longs().between(0, 1_000_000L), // bursts
                        Arbitraries.longs().between(0, 200_000_000L),
                        Arbitraries.longs().between(0, 5_000_000_000L))
                .list()
                .ofMinSize(1)
                .ofMaxSize(400);
    }

    @Test
    void aFullQuotaBurst_thenOneRequestPerInterval() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(now::get);
        UUID key = UUID.randomUUID();
        for (int i = 0; i < 60; i++) {
            RateLimiter.Decision d = limiter.acquire(key, 60);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(59 - i);
        }
        RateLimiter.Decision refused = limiter.acquire(key, 60);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        now.addAndGet(1_000_000_000L);
        assertThat(limiter.acquire(key, 60).allowed()).isTrue();
        assertThat(limiter.acquire(key, 60).allowed()).isFalse();
        assertThat(limiter.acquire(UUID.randomUUID(), 0).allowed())
                .as("0 means no limit")
                .isTrue();
    }

    @Test
    void othersAdmissionsSpendThisReplicasBudget_andArePublishedOnce() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(now::get);
        UUID key = UUID.randomUUID();
        assertThat(limiter.acquire(key, 60).allowed()).isTrue();
        limiter.applyRemote(key, 60, 55); // another replica admitted 55
        int admitted = 0;
        while (limiter.acquire(key, 60).allowed()) {
            admitted++;
        }
        assertThat(admitted).as("60 - 1 local - 55 remote").isEqualTo(4);

        List<RateLimiter.Admitted> first = limiter.unpublished();
        assertThat(first).singleElement().satisfies(a -> {
            assertThat(a.total()).as("only local admissions are published").isEqualTo(5);
            assertThat(a.perMinute()).isEqualTo(60);
        });
        assertThat(limiter.unpublished()).as("nothing new").isEmpty();
        limiter.unpublish(first);
        assertThat(limiter.unpublished())
                .as("a failed publication goes out again")
                .hasSize(1);
    }

    @Test
    void idleKeysAreForgotten_withANewGeneration() {
        AtomicLong now = new AtomicLong(0);
        RateLimiter limiter = new RateLimiter(now::get);
        UUID key = UUID.randomUUID();
        limiter.acquire(key, 60);
        long generation = limiter.unpublished().get(0).generation();
        assertThat(limiter.forgetIdle()).as("just used").isZero();
        now.addAndGet(3 * 60_000_000_000L);
        assertThat(limiter.forgetIdle()).isEqualTo(1);
        assertThat(limiter.size()).isZero();
        limiter.acquire(key, 60);
        RateLimiter.Admitted again = limiter.unpublished().get(0);
        assertThat(again.total()).isEqualTo(1);
        assertThat(again.generation()).isNotEqualTo(generation);
    }

    @Test
    void switchedOff_everythingIsAllowed() {
        RateLimiter limiter = new RateLimiter(System::nanoTime, false);
        UUID key = UUID.randomUUID();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire(key, 1).allowed()).isTrue();
        }
        assertThat(limiter.size()).isZero();
    }

    // ------------------------------------------------------------------ named limits (ADR 0021)

    @Test
    void namedLimits_allOrNone_eachItsOwnWindow() {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        RateLimiter limiter = new RateLimiter(now::get);
        UUID key = UUID.randomUUID();
        RateLimiter.Named burst = new RateLimiter.Named(UUID.randomUUID(), 2, 1);
        RateLimiter.Named hourly = new RateLimiter.Named(UUID.randomUUID(), 3, 3600);
        List<RateLimiter.Named> both = List.of(burst, hourly);
        assertThat(limiter.acquireAll(key, 100, both)).allMatch(RateLimiter.Decision::allowed);
        RateLimiter.Decision[] second = limiter.acquireAll(key, 100, both);
        assertThat(second).allMatch(RateLimiter.Decision::allowed);
        assertThat(second[1].windowSeconds()).isEqualTo(1);
        assertThat(second[2].windowSeconds()).isEqualTo(3600);
        assertThat(second[2].remaining()).isEqualTo(1);
        RateLimiter.Decision[] third = limiter.acquireAll(key, 100, both);
        assertThat(third[1].allowed()).as("burst spent").isFalse();
        assertThat(third[1].retryAfterSeconds()).isPositive();
        assertThat(third[0].allowed()).isFalse();
        assertThat(third[0].retryAfterSeconds())
                .as("per-minute admitted it, refused by another")
                .isZero();
        assertThat(third[2].remaining())
                .as("the refused request spent nothing of the hourly")
                .isEqualTo(1);
        now.addAndGet(1_000_000_000L); // a second: the burst is back, the hourly has one left
        assertThat(limiter.acquireAll(key, 100, both)).allMatch(RateLimiter.Decision::allowed);
        now.addAndGet(1_000_000_000L);
        RateLimiter.Decision[] spent = limiter.acquireAll(key, 100, both);
        assertThat(spent[2].allowed()).isFalse();
        assertThat(spent[2].retryAfterSeconds()).isGreaterThan(1000);
        assertThat(limiter.acquire(key, 100).remaining())
                .as("the per-minute budget: four spent, over 2 s of refill")
                .isBetween(96L, 99L);
    }

    @Test
    void namedLimits_publishTheirWindow_andRemoteCountsSpendByIt() {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        RateLimiter limiter = new RateLimiter(now::get);
        UUID key = UUID.randomUUID();
        UUID hourly = UUID.randomUUID();
        limiter.acquireAll(key, 0, List.of(new RateLimiter.Named(hourly, 10, 3600)));
        assertThat(limiter.unpublished()).singleElement().satisfies(a -> {
            assertThat(a.key()).isEqualTo(hourly);
            assertThat(a.perMinute()).isEqualTo(10);
            assertThat(a.windowSeconds()).isEqualTo(3600);
        });
        UUID remoteOnly = UUID.randomUUID();
        limiter.applyRemote(remoteOnly, 4, 3600, 4); // another replica spent this limit's whole hour
        RateLimiter.Decision[] d = limiter.acquireAll(key, 0, List.of(new RateLimiter.Named(remoteOnly, 4, 3600)));
        assertThat(d[0].allowed()).isFalse();
        assertThat(d[0].retryAfterSeconds()).isGreaterThan(800);
    }
}
