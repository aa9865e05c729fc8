package io.keysmith.sso;

import io.keysmith.accesslevels.AccessLevelRepository;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.AuthFeature;
import io.keysmith.config.SecretSeal;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.http.ClientAddress;
import io.keysmith.signin.SignInFeature;
import io.keysmith.users.UserRepository;
import io.vertx.core.Vertx;

/** Single sign-on assembled; it also closes password sign-in to organizations that require SSO. */
public record SsoFeature(SsoService service, SsoHandlers handlers) {
    /** The seal of IdP client secrets: fixed, or every client secret sealed so far stops opening (ADR 0018). */
    static final String SEAL_PURPOSE = "keysmith sso client secret v1";

    public static SsoFeature assemble(
            Vertx vertx,
            Db db,
            ServerSecret secret,
            AuthFeature auth,
            SignInFeature signIn,
            UserRepository users,
            AccessLevelRepository levels,
            AuditRepository audit,
            ClientAddress client) {
        SsoService service = new SsoService(
                db,
                new SsoRepository(),
                new OidcClient(vertx),
                new SecretSeal(secret, SEAL_PURPOSE),
                auth.sessions(),
                auth.throttle(),
                signIn.service(),
                users,
                levels,
                audit,
                client::publicBase);
        signIn.service().passwordGate(service);
        return new SsoFeature(service, new SsoHandlers(service, signIn.handlers(), client));
    }
}
