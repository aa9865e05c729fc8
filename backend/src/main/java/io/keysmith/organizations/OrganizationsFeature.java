package io.keysmith.organizations;

import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.AuthFeature;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.signin.SignInFeature;
import io.keysmith.users.UsersFeature;

/** Organizations (sign-up, operator creation) assembled on top of users and sign-in. */
public record OrganizationsFeature(OrganizationService service, OrganizationHandlers handlers) {
    public static OrganizationsFeature assemble(
            boolean signUpEnabled,
            Db db,
            OrganizationRepository repository,
            UsersFeature users,
            AuthFeature auth,
            SignInFeature signIn,
            AuditRepository audit,
            ClientAddress client) {
        OrganizationService service = new OrganizationService(
                db,
                signUpEnabled,
                auth.hasher(),
                auth.salts(),
                auth.throttle(),
                users.mailer(),
                repository,
                users.service(),
                auth.sessions(),
                signIn.service(),
                audit);
        return new OrganizationsFeature(service, new OrganizationHandlers(service, signIn.handlers(), client));
    }
}
