package io.keysmith.users;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The caller's organization ({@code id}, {@code name}) as links and mails name it. Defined here and supplied by the
 * composition root, so {@code users} does not import {@code organizations} (which builds on users: sign-up creates
 * the owner).
 */
@FunctionalInterface
public interface OrganizationLookup {
    Future<JsonObject> current(Tenant t);
}
