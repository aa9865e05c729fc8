package io.keysmith.webhooks;

import io.keysmith.config.WebhookSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox (one worker per replica, ADR 0013). It claims due deliveries with {@code FOR UPDATE SKIP LOCKED}
 * and a lease (another replica skips them while this one sends; a replica killed mid-send leaves them due again
 * after the lease), signs each per Standard Webhooks, resolves the endpoint's host and connects to the address the
 * {@link SsrfGuard} passed (Host header and TLS SNI/verification stay the name), follows no redirect, bounds the
 * connect and whole-request time and reads at most a capped answer. A 2xx is delivered; anything else is retried
 * with exponential backoff and full jitter until the retry window has passed. At least once: a receiver
 * de-duplicates on webhook-id. Ordering per endpoint is not promised.
 */
public final class DeliveryWorker {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final String CHANNEL = "keysmith_webhooks";
    private static final int ERROR_CHARS = 200;

    private final Vertx vertx;
    private final Pool pool;
    private final WebhookSettings settings;
    private final SsrfGuard guard;
    private final HttpClient client;
    private final SigningSecrets secrets;
    private final Runnable plaintextSeen;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestSeconds = new AtomicLong();
    private final Counter delivered;
    private final Counter failed;
    private final Counter refused;
    private final Counter disabled;
    private final Timer latency;
    private boolean polling;
    private boolean again;
    private PgSubscriber subscriber;
    private long pollTimer = -1;
    private long depthTimer = -1;
    private volatile boolean stopped;
    /** Claims are decided on one context, so polling/again need no locks. */
    private io.vertx.core.Context context;

    /** {@code plaintextSeen}: asked to seal when a delivery meets a secret an earlier version stored in plain text. */
    public DeliveryWorker(
            Vertx vertx,
            Pool pool,
            WebhookSettings settings,
            SsrfGuard guard,
            MeterRegistry registry,
            SigningSecrets secrets,
            Runnable plaintextSeen) {
        this.vertx = vertx;
        this.secrets = secrets;
        this.plaintextSeen = plaintextSeen;
        this.pool = pool;
        this.settings = settings;
        this.guard = guard;
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setName("keysmith-webhooks")
                        .setConnectTimeout(settings.connectTimeoutMillis())
                        .setForceSni(true)
                        .setVerifyHost(true)
                        .setMaxRedirects(0)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(4));
        this.delivered = Counter.builder("keysmith.webhook.deliveries")
                .tag("outcome", "success")
                .description("Webhook delivery attempts by outcome")
                .register(registry);
        this.failed = Counter.builder("keysmith.webhook.deliveries")
                .tag("outcome", "failure")
                .description("Webhook delivery attempts by outcome")
                .register(registry);
        this.refused = Counter.builder("keysmith.webhook.deliveries")
                .tag("outcome", "refused")
                .description("Webhook delivery attempts by outcome")
                .register(registry);
        this.disabled = Counter.builder("keysmith.webhook.endpoints.disabled")
                .description("Endpoints disabled after failing for too long")
                .register(registry);
        this.latency = Timer.builder("keysmith.webhook.delivery.duration")
                .description("Time from connect to the receiver's full answer")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder("keysmith.webhook.outbox.pending", pending, AtomicLong::get)
                .description("Deliveries waiting in the outbox (active endpoints, every replica's view)")
                .register(registry);
        Gauge.builder("keysmith.webhook.outbox.oldest", oldestSeconds, AtomicLong::get)
                .baseUnit("seconds")
                .description("Age of the oldest pending delivery")
                .register(registry);
    }

    /** Listens for new outbox rows (NOTIFY on commit) and polls as a backstop (retries, missed notifications). */
    public Future<Void> start(PgConnectOptions connect) {
        context = vertx.getOrCreateContext();
        subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> 500L);
        subscriber.channel(CHANNEL).handler(x -> poll()).subscribeHandler(x -> poll());
        pollTimer = vertx.setPeriodic(settings.pollMillis(), x -> poll());
        depthTimer = vertx.setPeriodic(15_000, x -> refreshDepth());
        refreshDepth();
        return subscriber.connect();
    }

    public Future<Void> stop() {
        stopped = true;
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(depthTimer);
        Future<Void> sub = subscriber == null ? Future.succeededFuture() : subscriber.close();
        return sub.transform(x -> client.close()).otherwiseEmpty();
    }

    /** Refreshes the outbox gauges now (also every 15 s). */
    public Future<Void> refreshDepth() {
        return WebhookRepository.depth(pool)
                .onSuccess(d -> {
                    pending.set((long) d[0]);
                    oldestSeconds.set((long) d[1]);
                })
                .<Void>mapEmpty()
                .otherwise(e -> null);
    }

    /** Claims what is due, up to the free concurrency; one claim at a time per replica. */
    void poll() {
        if (stopped || context == null) {
            return;
        }
        if (io.vertx.core.Vertx.currentContext() != context) {
            context.runOnContext(x -> poll());
            return;
        }
        if (polling) {
            again = true;
            return;
        }
        int free = settings.concurrency() - inFlight.get();
        if (free <= 0) {
            return;
        }
        polling = true;
        // longer than one send can take (its timer bounds connect + request) plus time to record the outcome
        int leaseSeconds = (settings.connectTimeoutMillis() + settings.requestTimeoutMillis() + 999) / 1000 + 5;
        WebhookRepository.claim(pool, free, leaseSeconds).onComplete(ar -> {
            polling = false;
            if (ar.succeeded()) {
                List<WebhookRepository.Claimed> claimed = ar.result();
                claimed.forEach(this::deliver);
                if (claimed.size() == free || again) {
                    again = false;
                    vertx.runOnContext(x -> poll());
                }
            } else {
                LOG.warn("Could not claim webhook deliveries: {}", ar.cause().getMessage());
            }
        });
    }

    private void deliver(WebhookRepository.Claimed d) {
        inFlight.incrementAndGet();
        String body = d.payload().encode();
        long start = System.nanoTime();
        send(d, body).onComplete(ar -> {
            int millis = (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Outcome o = ar.succeeded() ? ar.result() : new Outcome(null, error(ar.cause()), false);
            boolean ok = o.status() != null && o.status() >= 200 && o.status() < 300;
            if (ok) {
                delivered.increment();
                latency.record(millis, TimeUnit.MILLISECONDS);
            } else if (o.refused()) {
                refused.increment();
            } else {
                failed.increment();
            }
            OffsetDateTime retryAt = ok ? null : retryAt(d);
            WebhookRepository.record(
                            pool,
                            d.id(),
                            d.attempt(),
                            ok,
                            o.status(),
                            o.refused() ? null : millis,
                            ok ? null : o.error(),
                            retryAt,
                            settings.disableAfterSeconds())
                    .onSuccess(wasDisabled -> {
                        if (wasDisabled) {
                            disabled.increment();
                            LOG.warn("Webhook endpoint {} disabled: failing for too long", d.endpointId());
                        }
                    })
                    .onFailure(e -> LOG.warn(
                            "Could not record a webhook attempt (it will be retried after its lease): {}",
                            e.getMessage()))
                    .onComplete(x -> {
                        inFlight.decrementAndGet();
                        poll();
                    });
        });
    }

    /** The next attempt's time: base * 2^(attempt-1) capped, full jitter; null once the retry window is over. */
    OffsetDateTime retryAt(WebhookRepository.Claimed d) {
        long exp = settings.retryBaseMillis() << Math.min(30, Math.max(0, d.attempt() - 1));
        long capped = Math.min(settings.retryCapMillis(), exp);
        long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).plusNanos(delay * 1_000_000L);
        OffsetDateTime giveUp = d.createdAt().plusSeconds(settings.retryWindowSeconds());
        return at.isAfter(giveUp) ? null : at;
    }

    private record Outcome(Integer status, String error, boolean refused) {}

    private Future<Outcome> send(WebhookRepository.Claimed d, String body) {
        List<String> keys;
        try {
            keys = java.util.Arrays.asList(
                    secrets.open(d.organizationId(), d.secret()), secrets.open(d.organizationId(), d.previousSecret()));
        } catch (RuntimeException e) {
            // not sent: the server secret version that sealed it is not configured, or the value is not this
            // organization's (copied from another's row); the message names no value
            LOG.warn("Webhook endpoint {}: {}", d.endpointId(), e.getMessage());
            return Future.succeededFuture(
                    new Outcome(null, "Not sent: the signing secret could not be opened with the server secret", true));
        }
        if (SigningSecrets.plaintext(d.secret()) || SigningSecrets.plaintext(d.previousSecret())) {
            plaintextSeen.run();
        }
        SsrfGuard.Target target;
        try {
            target = guard.parse(d.url());
        } catch (RuntimeException e) {
            return Future.succeededFuture(new Outcome(null, "Refused: " + e.getMessage(), true));
        }
        return vertx.<InetAddress>executeBlocking(() -> guard.resolve(target.host()), false)
                .transform(resolved -> {
                    if (resolved.failed()) {
                        return Future.succeededFuture(
                                new Outcome(null, "Refused: " + resolved.cause().getMessage(), true));
                    }
                    return post(d, keys, target, resolved.result(), body);
                });
    }

    private Future<Outcome> post(
            WebhookRepository.Claimed d, List<String> keys, SsrfGuard.Target target, InetAddress address, String body) {
        long timestamp = System.currentTimeMillis() / 1000;
        String signature = WebhookSigner.header(keys, d.eventId(), timestamp, body);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                // connect to the checked address; Host, SNI and certificate verification use the name
                .setServer(SocketAddress.inetSocketAddress(target.port(), address.getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.pathAndQuery())
                .setFollowRedirects(false)
                .setConnectTimeout(settings.connectTimeoutMillis())
                .setIdleTimeout(settings.requestTimeoutMillis())
                .putHeader("content-type", "application/json")
                .putHeader("user-agent", "Keysmith-Webhooks/1")
                .putHeader("webhook-id", d.eventId())
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", signature);
        Promise<Outcome> done = Promise.promise();
        long timer = vertx.setTimer(settings.connectTimeoutMillis() + settings.requestTimeoutMillis(), x -> {
            done.tryComplete(new Outcome(null, "Timed out", false));
        });
        client.request(options)
                .compose(req -> {
                    vertx.setTimer(settings.requestTimeoutMillis(), x -> {
                        if (!done.future().isComplete()) {
                            req.reset();
                        }
                    });
                    return req.send(Buffer.buffer(body));
                })
                .onSuccess(resp -> {
                    int status = resp.statusCode();
                    Buffer head = Buffer.buffer();
                    AtomicLong read = new AtomicLong();
                    resp.handler(chunk -> {
                        if (read.addAndGet(chunk.length()) > settings.responseMaxBytes()) {
                            // a receiver cannot make this server hold more than the cap: stop reading, close
                            done.tryComplete(new Outcome(status, "Answer larger than the limit", false));
                            resp.request().reset();
                            return;
                        }
                        if (head.length() < ERROR_CHARS) {
                            head.appendBuffer(chunk.slice(0, Math.min(chunk.length(), ERROR_CHARS - head.length())));
                        }
                    });
                    resp.exceptionHandler(e -> done.tryComplete(new Outcome(status, error(e), false)));
                    resp.endHandler(x -> done.tryComplete(new Outcome(
                            status, status >= 200 && status < 300 ? null : "HTTP " + status + answered(head), false)));
                })
                .onFailure(e -> done.tryComplete(new Outcome(null, error(e), false)));
        return done.future().onComplete(x -> vertx.cancelTimer(timer));
    }

    private static String answered(Buffer head) {
        String s = head.toString().replaceAll("[\\p{Cntrl}]", " ").strip();
        return s.isEmpty() ? "" : ": " + s;
    }

    private static String error(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.length() > ERROR_CHARS ? m.substring(0, ERROR_CHARS) : m;
    }
}
