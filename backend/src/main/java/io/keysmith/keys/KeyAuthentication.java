package io.keysmith.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keysmith.auth.Permissions;
import io.keysmith.auth.Rights;
import io.keysmith.config.Cidr;
import io.keysmith.db.Db;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a presented key into the caller it acts for. A key's effective rights are its API type's permissions ∩ its
 * own (SCOPED) permissions ∩ its owner's current access level, and its field rights never exceed the owner's.
 *
 * <p>Verdicts are cached by key hash, so a repeat request touches no database. Every change to a key, a user or an
 * access level announces its organization through LISTEN/NOTIFY (delivered at COMMIT) and every replica drops that
 * organization's entries; a TTL bounds staleness if a notification is lost; while the notification connection is
 * down the cache is bypassed, and it is flushed when the connection is back (notifications sent meanwhile are lost).
 * Expiry and the rotation grace period are checked on every request, cached or not.
 */
public final class KeyAuthentication {
    private static final Logger LOG = LoggerFactory.getLogger(KeyAuthentication.class);
    public static final String CHANNEL = "keysmith_keys";

    /** Test seam: sees a load whose database read completed (and may hold it), and each notification handled. */
    interface Hook {
        Future<Void> loaded(UUID keyId);

        void notified(String org);
    }

    static volatile Hook hook;

    /** What a key may do, as of its last load. {@code null} fields on a miss. */
    record Verdict(
            UUID org,
            UUID keyId,
            UUID owner,
            String apiType,
            String status,
            String ownerStatus,
            boolean suspended,
            OffsetDateTime expiresAt,
            OffsetDateTime graceUntil,
            List<Cidr> allowlist,
            Rights rights,
            long ratePerMinute) {}

    /** Why a presented key did not authenticate; never said to the client beyond "not valid". */
    public enum Failure {
        MALFORMED,
        UNKNOWN,
        DISABLED,
        REVOKED,
        EXPIRED,
        OWNER_INACTIVE,
        SUSPENDED,
        ADDRESS
    }

    public record Outcome(User user, Failure failure) {}

    /** The organization and key of a presented key that failed for a reason other than "unknown": for metering. */
    public Future<UUID[]> identify(String key) {
        if (!KeyFormat.isWellFormed(key)) {
            return Future.succeededFuture(null);
        }
        return verdictFor(key, false)
                .map(o -> o.map(v -> new UUID[] {v.org(), v.keyId()}).orElse(null));
    }

    /** A gateway's question: what is this key, as of now (expiry checked), without acting as it. */
    public record Verification(
            Failure failure,
            UUID org,
            UUID keyId,
            UUID owner,
            String apiType,
            Set<String> permissions,
            OffsetDateTime expiresAt,
            long ratePerMinute) {}

    public Future<Verification> verify(String key, String clientAddress) {
        if (!KeyFormat.isWellFormed(key)) {
            return Future.succeededFuture(
                    new Verification(Failure.MALFORMED, null, null, null, null, Set.of(), null, 0));
        }
        return verdictFor(key).map(o -> {
            Verdict v = o.orElse(null);
            Outcome outcome = decide(v, clientAddress, null);
            if (outcome.user() == null) {
                return new Verification(
                        outcome.failure(), v == null ? null : v.org(), null, null, null, Set.of(), null, 0);
            }
            return new Verification(
                    null,
                    v.org(),
                    v.keyId(),
                    v.owner(),
                    v.apiType(),
                    v.rights().permissions(),
                    v.expiresAt(),
                    v.ratePerMinute());
        });
    }

    private final Db db;
    private final KeyRepository keys;
    private final KeyHasher hasher;
    private final ApiTypes apiTypes;
    private final Cache<String, Optional<Verdict>> cache;
    private volatile boolean notificationsUp;
    private final io.keysmith.usage.KeyMetrics metrics;

    public KeyAuthentication(
            Db db,
            KeyRepository keys,
            KeyHasher hasher,
            ApiTypes apiTypes,
            Duration ttl,
            io.keysmith.usage.KeyMetrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.keys = keys;
        this.hasher = hasher;
        this.apiTypes = apiTypes;
        this.cache =
                Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(ttl).build();
    }

    /** Listens for key changes on a dedicated connection that reconnects by itself. */
    public Future<Void> listen(Vertx vertx, PgConnectOptions options) {
        // the policy runs on every loss of the connection (closeHandler fires only when reconnecting gives up):
        // from that moment the cache is bypassed until the channel is LISTENed again
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> {
            if (notificationsUp) {
                LOG.warn("Key-change notifications are down: the key cache is bypassed until they are back");
            }
            notificationsUp = false;
            return 100L;
        });
        subscriber
                .channel(CHANNEL)
                .handler(org -> {
                    cache.asMap()
                            .entrySet()
                            .removeIf(e -> e.getValue().isEmpty()
                                    || e.getValue().get().org().toString().equals(org));
                    Hook h = hook;
                    if (h != null) {
                        h.notified(org);
                    }
                })
                .subscribeHandler(v -> {
                    cache.invalidateAll(); // anything may have changed while we were not listening
                    notificationsUp = true;
                    LOG.info("Listening for key changes");
                });
        // heartbeat: a half-open connection would otherwise look alive while notifications are lost
        vertx.setPeriodic(5_000, id -> {
            var connection = subscriber.actualConnection();
            if (connection == null) {
                notificationsUp = false;
                return;
            }
            connection
                    .query("SELECT 1")
                    .execute()
                    .timeout(3, java.util.concurrent.TimeUnit.SECONDS)
                    .onFailure(e -> {
                        if (notificationsUp) {
                            LOG.warn(
                                    "Key-change notification connection does not answer: bypassing the key cache, reconnecting");
                        }
                        notificationsUp = false;
                        connection.close();
                    });
        });
        subscriber.closeHandler(v -> notificationsUp = false);
        return subscriber.connect();
    }

    /**
     * Drops an organization's cached verdicts on this replica at once, after a change committed here; other
     * replicas learn of it through the notification (milliseconds later).
     */
    public void invalidate(UUID org) {
        cache.asMap()
                .entrySet()
                .removeIf(
                        e -> e.getValue().isEmpty() || e.getValue().get().org().equals(org));
    }

    public Future<Outcome> authenticate(String key, String clientAddress, String operationTag) {
        if (!KeyFormat.isWellFormed(key)) {
            return Future.succeededFuture(new Outcome(null, Failure.MALFORMED)); // no database for noise
        }
        return verdictFor(key).map(v -> decide(v.orElse(null), clientAddress, operationTag));
    }

    private Future<Optional<Verdict>> verdictFor(String key) {
        return verdictFor(key, true);
    }

    /** {@code count}: whether this lookup is an authentication (metered) or bookkeeping after one (not). */
    private Future<Optional<Verdict>> verdictFor(String key, boolean count) {
        ServerSecret.Version current = hasher.secret().current();
        String cacheKey = HexFormat.of().formatHex(hasher.hash(key, current));
        Optional<Verdict> cached = notificationsUp ? cache.getIfPresent(cacheKey) : null;
        if (count) {
            metrics.cache(cached != null);
        }
        return cached != null
                ? Future.succeededFuture(cached)
                : load(key, 0)
                        .compose(v -> {
                            Hook h = hook;
                            return h == null || v.isEmpty()
                                    ? Future.succeededFuture(v)
                                    : h.loaded(v.get().keyId()).map(x -> v);
                        })
                        .map(v -> {
                            if (notificationsUp) {
                                cache.put(cacheKey, v);
                            }
                            return v;
                        });
    }

    /** Tries the current secret version, then older ones (keys hashed before a secret rotation). */
    private Future<Optional<Verdict>> load(String key, int index) {
        List<ServerSecret.Version> versions = hasher.secret().versions();
        if (index >= versions.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        return db.withoutOrganization(c -> keys.byHash(c, hasher.hash(key, versions.get(index))))
                .compose(row -> row == null ? load(key, index + 1) : Future.succeededFuture(Optional.of(verdict(row))));
    }

    private Outcome decide(Verdict v, String clientAddress, String operationTag) {
        if (v == null) {
            return new Outcome(null, Failure.UNKNOWN);
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (v.status().equals("REVOKED")) {
            return new Outcome(null, Failure.REVOKED);
        }
        if (v.status().equals("DISABLED")) {
            return new Outcome(null, Failure.DISABLED);
        }
        if (!v.ownerStatus().equals("ACTIVE")) {
            return new Outcome(null, Failure.OWNER_INACTIVE);
        }
        if (v.suspended()) {
            return new Outcome(null, Failure.SUSPENDED);
        }
        if ((v.expiresAt() != null && !v.expiresAt().isAfter(now))
                || (v.graceUntil() != null && !v.graceUntil().isAfter(now))) {
            return new Outcome(null, Failure.EXPIRED);
        }
        if (clientAddress != null && !v.allowlist().isEmpty() && !allowed(v.allowlist(), clientAddress)) {
            return new Outcome(null, Failure.ADDRESS);
        }
        ApiTypes.ApiType type = apiTypes.get(v.apiType());
        User user = User.create(
                new JsonObject()
                        .put("organizationId", v.org().toString())
                        .put("userId", v.owner().toString())
                        .put("rights", v.rights().toJson()),
                new JsonObject()
                        .put("keyId", v.keyId().toString())
                        .put("ratePerMinute", v.ratePerMinute())
                        .put("apiTags", new JsonArray(type == null ? List.of() : List.copyOf(type.tags()))));
        user.authorizations()
                .put(Permissions.PROVIDER, Permissions.authorizations(v.rights().permissions()));
        return new Outcome(user, null);
    }

    private static boolean allowed(List<Cidr> allowlist, String address) {
        try {
            var a = java.net.InetAddress.getByAddress(Cidr.literalAddress(address));
            return allowlist.stream().anyMatch(c -> c.contains(a));
        } catch (Exception e) {
            return false;
        }
    }

    private Verdict verdict(Row r) {
        ApiTypes.ApiType type = apiTypes.get(r.getString("api_type"));
        List<Cidr> allowlist = new ArrayList<>();
        for (String c : r.getArrayOfStrings("ip_allowlist")) {
            allowlist.add(Cidr.parse(c));
        }
        // the key's own limit, else the organization's default, else its API type's; never above the ceiling
        long rate = r.getInteger("rate_limit_per_minute") != null
                ? r.getInteger("rate_limit_per_minute")
                : r.getInteger("rate_limit_default_per_minute") != null
                        ? r.getInteger("rate_limit_default_per_minute")
                        : type == null ? 0 : type.defaultRateLimitPerMinute();
        Integer ceiling = r.getInteger("rate_limit_ceiling_per_minute");
        if (ceiling != null && (rate <= 0 || rate > ceiling)) {
            rate = ceiling;
        }
        return new Verdict(
                r.getUUID("organization_id"),
                r.getUUID("key_id"),
                r.getUUID("owner_user_id"),
                r.getString("api_type"),
                r.getString("status"),
                r.getString("owner_status"),
                EffectiveRights.suspended(r),
                r.getOffsetDateTime("expires_at"),
                r.getOffsetDateTime("grace_until"),
                allowlist,
                EffectiveRights.of(r, type),
                rate);
    }
}
