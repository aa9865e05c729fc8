package io.keysmith.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/** The platform operator's bearer token from KEYSMITH_OPERATOR_TOKEN; unset means the operator API is closed. */
public final class OperatorAuthentication {
    private final String token;

    public OperatorAuthentication(String token) {
        this.token = token == null ? "" : token;
    }

    public Future<User> authenticate(RoutingContext rc) {
        String header = rc.request().getHeader("Authorization");
        if (token.isEmpty()
                || header == null
                || !header.startsWith("Bearer ")
                || !Tokens.constantTimeEquals(header.substring(7).trim(), token)) {
            return Future.failedFuture(new HttpException(401));
        }
        User user = User.create(new JsonObject().put("operator", true));
        user.authorizations().put("operator", PermissionBasedAuthorization.create("platform:manage-organizations"));
        return Future.succeededFuture(user);
    }
}
