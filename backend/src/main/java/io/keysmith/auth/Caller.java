package io.keysmith.auth;

import io.keysmith.http.ApiProblem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Who is calling, as established by an authentication provider: organization, user, access level. */
public record Caller(UUID organizationId, UUID userId, String accessLevel, String sessionToken) {

    public static Caller of(RoutingContext rc) {
        User user = rc.user();
        if (user == null) {
            throw new ApiProblem(401, "unauthenticated", "Authentication required", null, null);
        }
        JsonObject p = user.principal();
        return new Caller(
                UUID.fromString(p.getString("organizationId")),
                UUID.fromString(p.getString("userId")),
                p.getString("accessLevel"),
                user.attributes().getString("sessionToken"));
    }

    public boolean isAccountOwner() {
        return "ACCOUNT_OWNER".equals(accessLevel);
    }
}
