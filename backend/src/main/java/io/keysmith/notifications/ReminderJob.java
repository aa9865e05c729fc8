package io.keysmith.notifications;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises key.expiring (7 d, 1 d), key.expired and key.unused (the organization's unused_key_days, default 90) as
 * audit events, so the outbox turns them into webhooks, notifications and e-mails. Every replica runs the timer; a
 * transaction-scoped advisory lock lets one of them work at a time, and the SQL raises each reminder once.
 */
public final class ReminderJob {
    private static final Logger LOG = LoggerFactory.getLogger(ReminderJob.class);

    private final Pool pool;
    private long timer = -1;

    public ReminderJob(Pool pool) {
        this.pool = pool;
    }

    public void start(Vertx vertx, long everyMillis) {
        timer = vertx.setPeriodic(Math.min(everyMillis, 60_000), everyMillis, x -> run());
    }

    public void stop(Vertx vertx) {
        vertx.cancelTimer(timer);
    }

    /** Runs now; the number of reminders raised (0 when another replica holds the lock). */
    public Future<Long> run() {
        return NotificationRepository.raiseReminders(pool)
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("Raised {} key reminders", n);
                    }
                })
                .onFailure(e -> LOG.warn("Could not raise key reminders: {}", e.getMessage()));
    }
}
