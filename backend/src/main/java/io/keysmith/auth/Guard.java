package io.keysmith.auth;

import io.keysmith.errors.Forbidden;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import io.vertx.ext.web.RoutingContext;

/**
 * Per operation, from the contract: the caller must hold the operation's {@code x-permission} (vertx-auth's
 * {@link PermissionBasedAuthorization} against the authorizations the authentication provider attached), and a
 * state change made with the session cookie must carry the session's CSRF token in {@code X-CSRF-Token}. A session
 * whose user owes a second factor (organization policy) may call only the operations marked
 * {@code x-during-enrolment}.
 */
public final class Guard {
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private Guard() {}

    /** The permission an operation's guard requires of every caller (null: public or any authenticated one). */
    public static String requiredPermission(JsonObject operation) {
        String permission = operation.getString("x-permission");
        return permission.equals("public") || permission.equals("authenticated") ? null : permission;
    }

    public static Handler<RoutingContext> forOperation(
            JsonObject operation, HttpMethod method, SessionService sessions) {
        String permission = operation.getString("x-permission");
        JsonArray security = operation.getJsonArray("security", new JsonArray());
        boolean sessionScheme = security.stream().anyMatch(r -> ((JsonObject) r).containsKey("session"));
        boolean stateChange = !(method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS);
        boolean needsPermission = !permission.equals("public") && !permission.equals("authenticated");
        PermissionBasedAuthorization required =
                needsPermission ? PermissionBasedAuthorization.create(permission) : null;
        JsonArray tags = operation.getJsonArray("tags", new JsonArray());
        boolean duringEnrolment = operation.getBoolean("x-during-enrolment", false);
        return rc -> {
            User user = rc.user();
            if (!duringEnrolment && user != null && user.attributes().getBoolean("mustEnrol", false)) {
                // the organization requires a second factor of this user, who has none: enrol one first
                throw new Forbidden(
                        "second-factor-enrolment-required",
                        "Your organization requires a second factor: set up an authenticator app first",
                        null);
            }
            JsonArray keyTags = user == null ? null : user.attributes().getJsonArray("apiTags");
            if (keyTags != null && tags.stream().noneMatch(keyTags::contains)) {
                throw new Forbidden("outside-api-type", "This key's API type does not include this operation", null);
            }
            if (sessionScheme && stateChange && user != null) {
                String sessionToken = user.attributes().getString("sessionToken");
                if (sessionToken != null
                        && !Tokens.constantTimeEquals(
                                rc.request().getHeader(CSRF_HEADER), sessions.csrfToken(sessionToken))) {
                    throw new Forbidden(
                            "csrf-token-missing",
                            "State changes with the session cookie need the X-CSRF-Token header from GET /api/v1/me",
                            null);
                }
            }
            if (required != null && (user == null || !required.match(user))) {
                throw Forbidden.missing(permission);
            }
            rc.next();
        };
    }
}
