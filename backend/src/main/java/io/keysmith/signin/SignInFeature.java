package io.keysmith.signin;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.AuthFeature;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.users.OrganizationLookup;
import io.keysmith.users.UserRepository;
import io.keysmith.users.UserService;
import java.time.Clock;

/**
 * Signing in, out and accepting links, second factors and step-up, assembled on top of auth, users and access
 * levels.
 */
public record SignInFeature(SignInService service, SessionHandlers handlers, SecondFactorHandlers secondFactors) {
    public static SignInFeature assemble(
            Db db,
            AuthFeature auth,
            UserRepository users,
            UserService userService,
            OrganizationLookup organizations,
            AccessLevelRepository levels,
            AuditRepository audit,
            ClientAddress client,
            ServerSecret secret) {
        SecondFactorRepository factorRepository = new SecondFactorRepository();
        PasskeyRepository passkeyRepository = new PasskeyRepository();
        // the relying party is KEYSMITH_PUBLIC_URL (its host the rpId, its origin the only origin), never a request's
        PasskeyService passkeys =
                new PasskeyService(db, passkeyRepository, users, auth.throttle(), audit, client::publicBase);
        SecondFactorService factors = new SecondFactorService(
                db,
                factorRepository,
                new SecretBox(secret),
                auth.sessions(),
                auth.throttle(),
                users,
                userService,
                audit,
                Clock.systemUTC(),
                passkeyRepository);
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
                audit,
                factors,
                factorRepository);
        service.passkeys(passkeys);
        return new SignInFeature(
                service,
                new SessionHandlers(service, auth.sessions(), client),
                new SecondFactorHandlers(factors, passkeys, client));
    }
}
