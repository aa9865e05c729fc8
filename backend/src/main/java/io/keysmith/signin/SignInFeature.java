package io.keysmith.signin;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.AuthFeature;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.users.OrganizationLookup;
import io.keysmith.users.UserRepository;

/** Signing in, out and accepting links assembled on top of auth, users and access levels. */
public record SignInFeature(SignInService service, SessionHandlers handlers) {
    public static SignInFeature assemble(
            Db db,
            AuthFeature auth,
            UserRepository users,
            OrganizationLookup organizations,
            AccessLevelRepository levels,
            AuditRepository audit,
            ClientAddress client) {
        SignInService service = new SignInService(
                db,
                auth.repository(),
                auth.hasher(),
                auth.salts(),
                auth.sessions(),
                auth.throttle(),
                users,
                organizations,
                levels,
                audit);
        return new SignInFeature(service, new SessionHandlers(service, auth.sessions(), client));
    }
}
