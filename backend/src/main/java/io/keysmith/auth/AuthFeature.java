package io.keysmith.auth;

import io.keysmith.config.KeysmithConfig;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/**
 * Authentication's shared parts assembled: password hashing and salts, the sign-in throttle, server-side sessions,
 * and the session and operator authentication providers. Every feature may use these; auth uses no feature.
 */
public record AuthFeature(
        PasswordHasher hasher,
        PasswordSalts salts,
        SignInThrottle throttle,
        SignInRepository repository,
        SessionService sessions,
        SessionAuthentication authentication,
        OperatorAuthentication operator) {

    public static AuthFeature assemble(Vertx vertx, KeysmithConfig config, Db db, Pool pool, ServerSecret secret) {
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
        return new AuthFeature(
                hasher,
                new PasswordSalts(pool, repository, secret),
                throttle,
                repository,
                sessions,
                new SessionAuthentication(sessions),
                new OperatorAuthentication(config.operatorToken().orElse("")));
    }
}
