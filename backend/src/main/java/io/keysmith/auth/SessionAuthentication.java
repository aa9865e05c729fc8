package io.keysmith.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.handler.HttpException;

/** Authenticates the SPA's session cookie (handed over by vertx-web's APIKeyHandler, as the contract declares). */
public final class SessionAuthentication implements AuthenticationProvider {
    private final SessionService sessions;

    public SessionAuthentication(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public Future<User> authenticate(Credentials credentials) {
        if (!(credentials instanceof TokenCredentials token)) {
            return Future.failedFuture(new HttpException(401));
        }
        return sessions.find(token.getToken()).compose(s -> {
            if (s == null) {
                return Future.failedFuture(new HttpException(401));
            }
            User user = User.create(
                    new JsonObject()
                            .put("organizationId", s.organizationId().toString())
                            .put("userId", s.userId().toString())
                            .put("rights", s.rights().toJson()),
                    new JsonObject()
                            .put("sessionToken", token.getToken())
                            .put("amr", new io.vertx.core.json.JsonArray(s.amr()))
                            .put("authenticatedAt", s.authenticatedAt().toEpochSecond())
                            .put("stepUpMinutes", s.stepUpMinutes())
                            .put("stepUpPasswordAllowed", s.stepUpPasswordAllowed())
                            .put("hasSecondFactor", s.hasSecondFactor())
                            .put("mustEnrol", s.mustEnrol()));
            user.authorizations()
                    .put(
                            Permissions.PROVIDER,
                            Permissions.authorizations(s.rights().permissions()));
            return Future.succeededFuture(user);
        });
    }
}
