package io.keysmith.users;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditRepository;
import io.keysmith.config.SmtpSettings;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.vertx.core.Vertx;

/** Users assembled: repository, the link mailer, service (the rules), handlers. */
public record UsersFeature(UserRepository repository, LinkMailer mailer, UserService service, UserHandlers handlers) {
    public static UsersFeature assemble(
            Vertx vertx,
            SmtpSettings smtp,
            Db db,
            AccessLevelRepository levels,
            OrganizationLookup organizations,
            AuditRepository audit,
            ClientAddress client) {
        UserRepository repository = new UserRepository();
        LinkMailer mailer = LinkMailer.create(vertx, smtp);
        UserService service = new UserService(db, repository, levels, organizations, audit, mailer);
        return new UsersFeature(repository, mailer, service, new UserHandlers(service, client));
    }
}
