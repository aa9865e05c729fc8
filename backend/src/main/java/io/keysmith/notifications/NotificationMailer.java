package io.keysmith.notifications;

import io.keysmith.config.SmtpSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.sqlclient.Pool;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mails the events of the mail outbox (reminders, leaks, disabled endpoints, approvals, copied passkeys, factor
 * resets) to the key's owner (or the user concerned) and the organization's credential admins, through the SMTP
 * settings the invitations use. Without SMTP the rows are dropped as they come. A mail the server refuses is
 * retried a few times, then dropped (the event stays in the log and the SPA's notifications). Addresses are Bcc,
 * so recipients do not see each other.
 */
public final class NotificationMailer {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationMailer.class);
    private static final int MAX_ATTEMPTS = 5;
    private static final int BATCH = 20;

    private final Pool pool;
    private final MailClient client;
    private final String from;
    private final Supplier<String> publicUrl;
    private long timer = -1;
    private boolean running;

    public NotificationMailer(Vertx vertx, Pool pool, SmtpSettings s, Supplier<String> publicUrl) {
        this.pool = pool;
        this.publicUrl = publicUrl;
        if (s == null || s.host() == null || s.host().isBlank()) {
            this.client = null;
            this.from = null;
        } else {
            MailConfig config = new MailConfig()
                    .setHostname(s.host())
                    .setPort(s.port())
                    .setStarttls(StartTLSOptions.valueOf(s.startTls().toUpperCase()))
                    .setKeepAlive(true);
            if (s.username() != null && !s.username().isBlank()) {
                config.setUsername(s.username()).setPassword(s.password());
            }
            this.client = MailClient.createShared(vertx, config, "keysmith-mail");
            this.from = s.from();
        }
    }

    public void start(Vertx vertx, long everyMillis) {
        timer = vertx.setPeriodic(everyMillis, x -> run());
    }

    public void stop(Vertx vertx) {
        vertx.cancelTimer(timer);
    }

    /** Sends (or, without SMTP, drops) what is due; the number handled. */
    public Future<Integer> run() {
        if (running) {
            return Future.succeededFuture(0);
        }
        running = true;
        return NotificationRepository.claimMail(pool, BATCH, 120)
                .compose(mails -> {
                    Future<Void> chain = Future.succeededFuture();
                    for (NotificationRepository.Mail m : mails) {
                        chain = chain.compose(x -> send(m));
                    }
                    return chain.map(mails.size());
                })
                .onFailure(e -> LOG.warn("Could not send notification mails: {}", e.getMessage()))
                .eventually(() -> {
                    running = false;
                    return Future.succeededFuture();
                });
    }

    private Future<Void> send(NotificationRepository.Mail m) {
        if (client == null || m.recipients().isEmpty()) {
            return NotificationRepository.mailDone(pool, m.eventId());
        }
        MailMessage message = new MailMessage()
                .setFrom(from)
                .setTo(from)
                .setBcc(m.recipients())
                .setSubject(subject(m.action(), m.details()))
                .setText(text(m.action(), m.details()));
        return client.sendMail(message).transform(ar -> {
            if (ar.succeeded() || m.attempts() >= MAX_ATTEMPTS) {
                if (ar.failed()) {
                    LOG.warn(
                            "Dropped a notification mail after {} attempts: {}",
                            m.attempts(),
                            ar.cause().getMessage());
                }
                return NotificationRepository.mailDone(pool, m.eventId());
            }
            return Future.succeededFuture(); // its lease runs out and it is claimed again
        });
    }

    static String subject(String action, JsonObject d) {
        String name = d.getString("name", "");
        return switch (action) {
            case "key.expiring" -> "API key \"" + name + "\" expires soon";
            case "key.expired" -> "API key \"" + name + "\" has expired";
            case "key.unused" -> "API key \"" + name + "\" has not been used for " + d.getValue("days") + " days";
            case "key.leaked" -> "API key \"" + name + "\" was reported leaked";
            case "webhook-endpoint.disabled" -> "A webhook endpoint was disabled";
            case "credential.approval_requested" -> "A credential awaits approval";
            case "user.passkey-clone-warning" -> "A passkey may have been copied";
            case "user.second-factors-reset" -> "Your second factors were reset";
            default -> "Keysmith: " + action;
        };
    }

    String text(String action, JsonObject d) {
        String name = d.getString("name", "");
        String body = switch (action) {
            case "key.expiring" ->
                "The API key \"" + name + "\" expires at " + d.getValue("expiresAt")
                        + ". Rotate it or extend its expiry before then, or the integrations using it will stop.";
            case "key.expired" ->
                "The API key \"" + name + "\" expired at " + d.getValue("expiresAt") + " and is no longer accepted.";
            case "key.unused" ->
                "The API key \"" + name + "\" has not been used for " + d.getValue("days")
                        + " days. If nothing needs it any more, revoke it.";
            case "key.leaked" -> "The API key \"" + name + "\" was reported as leaked. Rotate or revoke it now.";
            case "webhook-endpoint.disabled" ->
                "The webhook endpoint " + d.getValue("name")
                        + " was disabled: its deliveries have failed since " + d.getValue("failingSince")
                        + ". Fix the receiver and enable it again in API Management.";
            case "credential.approval_requested" -> "A credential is waiting for your approval.";
            case "user.passkey-clone-warning" ->
                "The passkey \"" + d.getString("passkeyName", "")
                        + "\" was refused at sign-in: its signature counter went backwards, so it may have been"
                        + " copied. It stays refused. Its owner should remove it on the Sign-in security page and add"
                        + " it again; if nobody tried to use it just now, someone else may hold a copy.";
            case "user.second-factors-reset" ->
                "An admin of your organization reset your second factors: your authenticator app, recovery codes and"
                        + " passkeys were removed. Set up a new second factor on the Sign-in security page. If you did"
                        + " not ask for this, tell your admins.";
            default -> "Keysmith recorded: " + action;
        };
        String url = publicUrl.get();
        return "Hello,\n\n" + body + "\n\n" + (url == null || url.isEmpty() ? "" : url + "/\n");
    }
}
