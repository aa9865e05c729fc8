package io.keysmith.notifications;

import io.keysmith.config.SmtpSettings;
import io.keysmith.db.Db;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Notifications assembled: the per-user list, the reminders job and the mailer (started by BackgroundJobs). */
public record NotificationsFeature(NotificationHandlers handlers, ReminderJob reminders, NotificationMailer mailer) {
    public static NotificationsFeature assemble(Vertx vertx, Db db, SmtpSettings smtp, Supplier<String> publicUrl) {
        NotificationService service = new NotificationService(db, new NotificationRepository());
        return new NotificationsFeature(
                new NotificationHandlers(service),
                new ReminderJob(db.pool()),
                new NotificationMailer(vertx, db.pool(), smtp, publicUrl));
    }
}
