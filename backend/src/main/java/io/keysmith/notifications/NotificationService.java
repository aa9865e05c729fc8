package io.keysmith.notifications;

import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What concerns the signed-in user, read from the audit log: changes others (or the system) made to their own
 * credentials, and their reminders; for credential admins (keys:manage-all) also the organization's leak, approval,
 * expiry, failing-endpoint and possibly-copied-passkey events. A user's own security events (a passkey refused as
 * copied, an admin's reset of their factors) reach them too. Actions other features add later are listed here by code already, so their
 * events show as soon as they are written.
 */
public final class NotificationService {
    static final List<String> OWN = List.of(
            "api-key.disabled",
            "api-key.enabled",
            "api-key.revoked",
            "api-key.rotated",
            "api-key.transferred",
            "api-key.updated",
            "api-key.used-from-new-address",
            "key.expiring",
            "key.expired",
            "key.unused",
            "key.leaked",
            "handoff.revealed",
            "credential.approved",
            "credential.denied",
            "user.passkey-clone-warning",
            "user.second-factors-reset");
    static final List<String> ADMIN = List.of(
            "key.leaked",
            "key.expiring",
            "key.expired",
            "key.unused",
            "credential.approval_requested",
            "webhook-endpoint.disabled",
            "user.passkey-clone-warning");
    static final String MANAGE_ALL = "keys:manage-all";
    static final int UNREAD_CAP = 100;

    private final Db db;
    private final NotificationRepository notifications;

    public NotificationService(Db db, NotificationRepository notifications) {
        this.db = db;
        this.notifications = notifications;
    }

    public Future<JsonObject> list(Caller caller, Long beforeId, int limit) {
        boolean admin = caller.rights().has(MANAGE_ALL);
        return db.inOrganization(
                caller.organizationId(),
                t -> notifications
                        .lastRead(t, caller.userId())
                        .compose(read -> notifications
                                .list(t, caller.userId(), OWN, admin, ADMIN, beforeId, limit)
                                .compose(items -> notifications
                                        .unread(t, caller.userId(), OWN, admin, ADMIN, read, UNREAD_CAP)
                                        .map(unread -> {
                                            JsonArray out = new JsonArray();
                                            items.forEach(o -> {
                                                JsonObject n = (JsonObject) o;
                                                out.add(n.put("unread", Long.parseLong(n.getString("id")) > read));
                                            });
                                            return new JsonObject()
                                                    .put("items", out)
                                                    .put("unreadCount", unread);
                                        }))));
    }

    public Future<Void> markRead(Caller caller, long upTo) {
        return db.inOrganization(caller.organizationId(), t -> notifications.markRead(t, caller.userId(), upTo));
    }
}
