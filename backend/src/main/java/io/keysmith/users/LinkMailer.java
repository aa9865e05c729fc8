package io.keysmith.users;

import io.keysmith.config.SmtpSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mails invitation and password-reset links when SMTP is configured (KEYSMITH_SMTP_HOST). The link is always
 * returned to the admin as well, so a failed or missing mail never blocks onboarding; the answer says whether it was
 * sent. The link (a credential) is never logged.
 */
public final class LinkMailer {
    private static final Logger LOG = LoggerFactory.getLogger(LinkMailer.class);

    private final MailClient client;
    private final String from;

    private LinkMailer(MailClient client, String from) {
        this.client = client;
        this.from = from;
    }

    public static LinkMailer create(Vertx vertx, SmtpSettings s) {
        if (s == null || s.host() == null || s.host().isBlank()) {
            return new LinkMailer(null, null);
        }
        MailConfig config = new MailConfig()
                .setHostname(s.host())
                .setPort(s.port())
                .setStarttls(StartTLSOptions.valueOf(s.startTls().toUpperCase()))
                .setKeepAlive(true);
        if (s.username() != null && !s.username().isBlank()) {
            config.setUsername(s.username()).setPassword(s.password());
        }
        return new LinkMailer(MailClient.createShared(vertx, config, "keysmith-mail"), s.from());
    }

    public boolean enabled() {
        return client != null;
    }

    /**
     * The proof of a sign-up: the link that creates the organization. Sent whether or not the e-mail already has an
     * account, with the same text, so the answer and the mail reveal nothing about it. Never fails.
     */
    public Future<Boolean> sendSignUpConfirmation(String to, String firstName, String organization, String url) {
        if (client == null) {
            return Future.succeededFuture(false);
        }
        String text = "Hello " + firstName + ",\n\n"
                + "Someone asked to create the organization " + organization + " on Keysmith with this e-mail address."
                + " If it was you, confirm here:\n\n" + url
                + "\n\nThe link works once and expires in 24 hours. If it was not you, ignore this mail: nothing"
                + " is created without it.\n";
        return client.sendMail(new MailMessage()
                        .setFrom(from)
                        .setTo(to)
                        .setSubject("Confirm your new Keysmith organization")
                        .setText(text))
                .map(r -> true)
                .otherwise(e -> {
                    LOG.warn("Could not e-mail a sign-up confirmation link: {}", e.getMessage());
                    return false;
                });
    }

    /** Resolves to whether the mail was accepted by the SMTP server; never fails. */
    public Future<Boolean> send(
            String to, String firstName, String organization, UserService.Link link, boolean reset) {
        if (client == null) {
            return Future.succeededFuture(false);
        }
        String subject = reset ? "Reset your Keysmith password" : "You are invited to " + organization + " on Keysmith";
        String text = "Hello " + firstName + ",\n\n"
                + (reset
                        ? "Use this link to set a new password for " + organization + " on Keysmith:\n\n"
                        : "You have been added to " + organization + " on Keysmith. Set your password here:\n\n")
                + link.url() + "\n\nThe link works once and expires at "
                + link.expiresAt().toInstant() + ".\n";
        return client.sendMail(new MailMessage()
                        .setFrom(from)
                        .setTo(to)
                        .setSubject(subject)
                        .setText(text))
                .map(r -> true)
                .otherwise(e -> {
                    LOG.warn(
                            "Could not e-mail a {} link to a user: {}",
                            reset ? "password-reset" : "invitation",
                            e.getMessage());
                    return false;
                });
    }
}
