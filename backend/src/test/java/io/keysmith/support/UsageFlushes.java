package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits for a server's usage flushes instead of sleeping through flush intervals: a flush has ended (written or
 * failed) when the {@code keysmith_usage_flush} timer on the management port counted it. Works for in-process test
 * servers and server processes alike, and needs no hook in the product.
 */
public final class UsageFlushes {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final Api management;

    public UsageFlushes(Vertx vertx, int managementPort) {
        this.management = new Api(vertx, managementPort);
    }

    public static UsageFlushes of(Vertx vertx, TestServer server) {
        return new UsageFlushes(vertx, server.managementPort());
    }

    public static UsageFlushes of(Vertx vertx, ServerProcess server) {
        return new UsageFlushes(vertx, server.managementPort);
    }

    public PrometheusScrape scrape() {
        HttpResponse<Buffer> r = management.get("/metrics");
        assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
        return PrometheusScrape.parse(r.bodyAsString());
    }

    /** Flushes ended so far. */
    public long ended() {
        return (long) scrape().sum("keysmith_usage_flush_seconds_count");
    }

    /**
     * Returns once {@code more} flushes ended after this call. With {@code more >= 2} at least one whole flush ran
     * after everything counted before the call (the first may have been under way already).
     */
    public void awaitMore(int more) {
        long target = ended() + more;
        awaitScrape(s -> s.sum("keysmith_usage_flush_seconds_count") >= target, more + " more usage flushes");
    }

    /** Polls the metrics until {@code done} holds; fails after 30 s. */
    public PrometheusScrape awaitScrape(Predicate<PrometheusScrape> done, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            PrometheusScrape s = scrape();
            if (done.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + DEADLINE + " for " + what);
            }
            Poll.pause(50);
        }
    }
}
