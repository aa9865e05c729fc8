package io.keysmith;

import io.keysmith.config.KeysmithConfig;
import io.keysmith.handoff.HandoffFeature;
import io.keysmith.idempotency.Idempotency;
import io.keysmith.notifications.NotificationsFeature;
import io.keysmith.oauth.OAuthFeature;
import io.keysmith.usage.UsageFeature;
import io.keysmith.webhooks.WebhooksFeature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/** The periodic work of a replica: usage flushes, the usage roll-up, the rate-limit exchange, the Idempotency-Key purge, the
 * hand-off links' expiry, the purge of the OAuth token deny-list. */
final class BackgroundJobs {
    private static final Duration ROLL_UP_EVERY = Duration.ofMinutes(10);
    /** Idempotency-Key answers live 24 hours; expired ones are also replaced on reuse, so this only bounds storage. */
    private static final Duration PURGE_EVERY = Duration.ofMinutes(15);
    /** Deny-listed jtis are dead once their token expired (at most a token lifetime, 15 minutes by default). */
    private static final Duration DENY_LIST_PURGE_EVERY = Duration.ofMinutes(5);

    /** Notification mails are sent (or, without SMTP, dropped) this often. */
    private static final Duration MAIL_EVERY = Duration.ofSeconds(5);

    private final UsageFeature usage;
    private final Idempotency idempotency;
    private final WebhooksFeature webhooks;
    private final NotificationsFeature notifications;
    private final HandoffFeature handoffs;
    private final OAuthFeature oauth;
    private final io.keysmith.keys.Quotas quotas;
    /** Quota leases unused this long go back, so that another replica can spend them (ADR 0015). */
    private static final Duration QUOTA_IDLE = Duration.ofSeconds(10);

    private BackgroundJobs(
            UsageFeature usage,
            Idempotency idempotency,
            WebhooksFeature webhooks,
            NotificationsFeature notifications,
            HandoffFeature handoffs,
            OAuthFeature oauth,
            io.keysmith.keys.Quotas quotas) {
        this.quotas = quotas;
        this.usage = usage;
        this.idempotency = idempotency;
        this.webhooks = webhooks;
        this.notifications = notifications;
        this.handoffs = handoffs;
        this.oauth = oauth;
    }

    static BackgroundJobs start(
            Vertx vertx,
            KeysmithConfig config,
            UsageFeature usage,
            Idempotency idempotency,
            WebhooksFeature webhooks,
            NotificationsFeature notifications,
            HandoffFeature handoffs,
            OAuthFeature oauth,
            io.keysmith.keys.Quotas quotas) {
        usage.meter().start(vertx, config.usageFlushSeconds() * 1000L);
        idempotency.startPurge(vertx, PURGE_EVERY.toMillis());
        usage.retention().start(vertx, ROLL_UP_EVERY.toMillis());
        usage.exchange().ifPresent(e -> e.start(vertx, config.rateLimitSyncMillis()));
        if (config.webhooks().enabled()) {
            notifications.reminders().start(vertx, config.webhooks().remindersEverySeconds() * 1000L);
            notifications.mailer().start(vertx, MAIL_EVERY.toMillis());
        }
        handoffs.startExpiry(vertx);
        oauth.startDenyListPurge(vertx, DENY_LIST_PURGE_EVERY.toMillis());
        vertx.setPeriodic(QUOTA_IDLE.toMillis() / 2, id -> quotas.giveBack(QUOTA_IDLE.toMillis()));
        return new BackgroundJobs(usage, idempotency, webhooks, notifications, handoffs, oauth, quotas);
    }

    /**
     * Writes every count still in memory and gives back every unspent quota lease (graceful stop, after the servers
     * closed); stops the webhook worker.
     */
    Future<Void> flushFinal() {
        return webhooks.worker()
                .stop()
                .transform(x -> quotas.giveBack(0).otherwise(e -> null))
                .transform(x -> usage.meter().flushFinal());
    }

    Future<Long> raiseKeyReminders() {
        return notifications.reminders().run();
    }

    Future<Integer> sealWebhookSecrets() {
        return webhooks.service().sealPlaintextSecrets();
    }

    Future<Integer> sendNotificationMails() {
        return notifications.mailer().run();
    }

    /** Runs the usage roll-up now; the number of minute rows merged. */
    Future<Long> rollUpUsage() {
        return usage.retention().run();
    }

    /** Deletes the ciphertext of expired hand-off links now (and audits them); the number expired. */
    Future<Integer> expireHandoffs() {
        return handoffs.service().expireDue();
    }

    /** Deletes expired Idempotency-Key answers now; the number deleted. */
    Future<Long> purgeIdempotencyKeys() {
        return idempotency.purge();
    }

    /** Deletes the OAuth deny-list rows of tokens expired anyway now; the number deleted. */
    Future<Long> purgeTokenDenyList() {
        return oauth.service().purgeDenyList();
    }
}
