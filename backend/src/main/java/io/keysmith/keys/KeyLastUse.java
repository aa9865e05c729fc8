package io.keysmith.keys;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Writing a key's last use (time, address), which usage collects in memory and flushes: defined here and implemented
 * by {@link KeyRepository}, so the SQL of {@code api_keys} stays in keys and usage imports only this interface.
 */
public interface KeyLastUse {
    /** One key's latest use; {@code address} is an IP literal or null. */
    record Use(UUID key, OffsetDateTime at, String address) {}

    /** Moves each key's last use forward, never back (replicas flush in any order). */
    Future<Void> recordLastUses(Tenant t, List<Use> uses);
}
