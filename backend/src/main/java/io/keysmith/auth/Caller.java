package io.keysmith.auth;

import io.keysmith.errors.Unauthenticated;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Who is calling, as established by an authentication provider: organization, user, and current rights; {@code keyId}
 * names the API key a keyed request came with (its owner is {@code userId}), null for a session.
 */
public record Caller(UUID organizationId, UUID userId, Rights rights, String sessionToken, UUID keyId) {
    public Caller(UUID organizationId, UUID userId, Rights rights, String sessionToken) {
        this(organizationId, userId, rights, sessionToken, null);
    }

    /** Where an authentication that already built the caller (a verified key) leaves it for the handlers. */
    public static final String CONTEXT = "keysmith.caller";

    public static Caller of(RoutingContext rc) {
        Caller known = rc.get(CONTEXT);
        if (known != null) {
            return known;
        }
        User user = rc.user();
        if (user == null) {
            throw Unauthenticated.required();
        }
        JsonObject p = user.principal();
        return new Caller(
                UUID.fromString(p.getString("organizationId")),
                UUID.fromString(p.getString("userId")),
                Rights.fromJson(p.getJsonObject("rights")),
                user.attributes().getString("sessionToken"));
    }

    /** Whether the request came with an API key rather than a session. */
    public boolean viaKey() {
        return keyId != null;
    }

    public boolean isAccountOwner() {
        return rights.isAccountOwner();
    }
}
