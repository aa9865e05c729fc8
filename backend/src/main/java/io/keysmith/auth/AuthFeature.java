package io.keysmith.auth;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditRepository;
import io.keysmith.config.KeysmithConfig;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.organizations.OrganizationRepository;
import io.keysmith.users.UserRepository;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/** Sessions and sign-in assembled: password hashing, the throttle, sessions, sign-in, and their handlers. */
public record AuthFeature(
        PasswordHasher hasher,
        PasswordSalts salts,
        SignInThrottle throttle,
        SessionService sessions,
        SignInService signIn,
        SessionAuthentication authentication,
        OperatorAuthentication operator,
        SessionHandlers handlers) {

    public static AuthFeature assemble(
            Vertx vertx,
            KeysmithConfig config,
            Db db,
            Pool pool,
            ServerSecret secret,
            UserRepository users,
            OrganizationRepository organizations,
            AccessLevelRepository levels,
            AuditRepository audit,
            ClientAddress client) {
        PasswordHasher hasher = new PasswordHasher(
                vertx,
                config.passwordHashingThreads(),
                config.passwordHashingAddressBurst(),
                config.passwordHashingAddressPerSecond(),
                config.passwordHashingAddressQueue());
        SessionService sessions = new SessionService(
                db,
                secret,
                Duration.ofMinutes(config.sessionIdleMinutes()),
                Duration.ofHours(config.sessionAbsoluteHours()));
        SignInRepository repository = new SignInRepository();
        SignInThrottle throttle = new SignInThrottle(
                pool,
                repository,
                config.signInLimitPerAccount(),
                config.signInLimitPerAddress(),
                config.signInAttemptsPerAddress(),
                Duration.ofSeconds(config.signInWindowSeconds()),
                new SignInThrottle.SignUpLimits(
                        config.signUpLimitPerAddress(),
                        config.signUpLimitPerEmail(),
                        Duration.ofSeconds(config.signUpWindowSeconds())));
        PasswordSalts salts = new PasswordSalts(pool, repository, secret);
        SignInService signIn = new SignInService(
                db, repository, hasher, salts, sessions, throttle, users, organizations, levels, audit);
        return new AuthFeature(
                hasher,
                salts,
                throttle,
                sessions,
                signIn,
                new SessionAuthentication(sessions),
                new OperatorAuthentication(config.operatorToken().orElse("")),
                new SessionHandlers(signIn, sessions, client));
    }
}
