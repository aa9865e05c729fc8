package io.keysmith.config;

/**
 * Webhook delivery and reminder settings (issue 19). {@code allowHttp} / {@code allowPrivate} open the SSRF guard for
 * development and tests only: plain http, and loopback, private, link-local and metadata addresses.
 */
public record WebhookSettings(
        boolean enabled,
        boolean allowHttp,
        boolean allowPrivate,
        int connectTimeoutMillis,
        int requestTimeoutMillis,
        int responseMaxBytes,
        long retryBaseMillis,
        long retryCapMillis,
        long retryWindowSeconds,
        long disableAfterSeconds,
        int concurrency,
        long pollMillis,
        long remindersEverySeconds) {

    static WebhookSettings from(Settings s) {
        return new WebhookSettings(
                s.bool("webhooks.enabled"),
                s.bool("webhooks.allow.http"),
                s.bool("webhooks.allow.private"),
                s.integer("webhooks.connect.timeout.millis", 100, 60_000),
                s.integer("webhooks.request.timeout.millis", 100, 120_000),
                s.integer("webhooks.response.max.bytes", 1024, 10 * 1024 * 1024),
                s.integer("webhooks.retry.base.millis", 10, 3_600_000),
                s.integer("webhooks.retry.cap.millis", 10, 86_400_000),
                s.integer("webhooks.retry.window.seconds", 1, 30 * 86400),
                s.integer("webhooks.disable.after.seconds", 1, 365 * 86400),
                s.integer("webhooks.concurrency", 1, 256),
                s.integer("webhooks.poll.millis", 10, 60_000),
                s.integer("reminders.every.seconds", 1, 7 * 86400));
    }
}
