package io.keysmith.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Interner;
import io.keysmith.config.Cidr;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.keys.Verification.Reason;
import io.keysmith.keys.Verification.Refused;
import io.keysmith.keys.Verification.Valid;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Row;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one verification service: turns a presented key, the caller's address and the operation's rule into a sealed
 * {@link Verification}, for key-authenticated operations, verify and forward-auth alike; spends rate limits and
 * meters through {@link KeyUsage}; throttles failures per address.
 *
 * <p>Verdicts are cached by key hash (ADR 0007). Every change to a key, a user or an access level announces its
 * organization through LISTEN/NOTIFY (delivered at COMMIT); a local commit says so at once. Either bumps the
 * organization's generation (a striped array of counters: O(1), no cache scan). A load records the sequence number
 * before its database read and stores its verdict only if no bump of that organization came after; a lookup serves
 * an entry only if that still holds, so a load that raced a committed change is never served. A (re)connection of
 * the notification channel bumps a global epoch: nothing loaded before it is served; while the channel is down the
 * cache is bypassed. Unknown hashes go to a smaller, short-lived negative cache (a new or rotated key's hash is a
 * fresh random value, so no change turns a cached unknown into a known key). Expiry and the rotation grace are
 * checked on every request.
 */
public final class KeyVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(KeyVerifier.class);
    public static final String CHANNEL = "keysmith_keys";
    /** The context key under which a key-authenticated request carries its {@link Valid} verification. */
    public static final String VERIFIED = "keysmith.key";

    /**
     * Test seam, given to the constructor: sees a load whose database read completed (and may hold it), and each
     * notification handled. {@link #NONE} in production.
     */
    public interface Hook {
        Future<Void> loaded(UUID keyId);

        void notified(String org);

        Hook NONE = new Hook() {
            @Override
            public Future<Void> loaded(UUID keyId) {
                return null; // null: not held, stored at once
            }

            @Override
            public void notified(String org) {}
        };
    }

    private final Hook hook;

    private static final int STRIPES = 4096;
    /** Estimated heap of one cached verdict (entry, key, principal, UUIDs; rights are shared): for the weigher. */
    static final int ENTRY_BYTES = 400;

    private static final byte ACTIVE = 0;
    private static final byte DISABLED = 1;
    private static final byte REVOKED = 2;
    private static final byte PENDING_APPROVAL = 3;

    /** 32 bytes of HMAC as four longs: a small, cheap cache key. */
    record HashKey(long a, long b, long c, long d) {
        static HashKey of(byte[] hash) {
            ByteBuffer buffer = ByteBuffer.wrap(hash);
            return new HashKey(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
        }
    }

    /** A key's state as of a load, stamped with the sequence number read before the load's database query. */
    record Verdict(
            long generation,
            KeyPrincipal principal,
            byte status,
            boolean ownerActive,
            boolean suspended,
            long graceUntil,
            Cidr[] allowlist) {}

    private final Db db;
    private final KeyRepository keys;
    private final KeyHasher hasher;
    private final ApiTypes apiTypes;
    private final KeyUsage usage;
    private final int failuresPerMinute;
    private final Cache<HashKey, Verdict> cache;
    private final Cache<HashKey, Boolean> unknown;
    private final Interner<KeyPrincipal.KeyRights> rights = Interner.newWeakInterner();
    /** Organization and owner ids are shared by many cached verdicts: one UUID instance each (heap per verdict). */
    private final Interner<UUID> ids = Interner.newWeakInterner();

    private static final Cidr[] NO_ALLOWLIST = new Cidr[0];
    private final Cache<String, AtomicInteger> failures = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    private volatile long epoch;
    private volatile boolean notificationsUp;
    /** Issue 16: the checker of OAuth access tokens, once the oauth feature is assembled (null: keys only). */
    private volatile AccessTokens tokens;
    /** Issue 20 item 2: this replica's leases of usage quotas. */
    private final Quotas quotas;

    public KeyVerifier(
            Db db,
            KeyRepository keys,
            KeyHasher hasher,
            ApiTypes apiTypes,
            Duration ttl,
            long maxCacheBytes,
            int failuresPerMinute,
            KeyUsage usage,
            Hook hook) {
        this.hook = hook;
        this.quotas = new Quotas(keys, db.pool());
        this.db = db;
        this.keys = keys;
        this.hasher = hasher;
        this.apiTypes = apiTypes;
        this.usage = usage;
        this.failuresPerMinute = failuresPerMinute;
        // bounded by memory: a flood of well-formed keys cannot grow the heap past this
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxCacheBytes)
                .weigher((HashKey k, Verdict v) -> ENTRY_BYTES
                        + 48 * v.allowlist().length
                        + (v.principal().metadataJson() == null
                                ? 0
                                : 2 * v.principal().metadataJson().length()))
                .expireAfterWrite(ttl)
                .build();
        // separate and smaller, so a flood of forged keys never evicts valid verdicts
        this.unknown = Caffeine.newBuilder()
                .maximumSize(Math.max(1_000, maxCacheBytes / ENTRY_BYTES / 4))
                .expireAfterWrite(ttl.compareTo(Duration.ofSeconds(30)) < 0 ? ttl : Duration.ofSeconds(30))
                .build();
    }

    // ------------------------------------------------------------------------------------------------ generations

    private static int stripe(UUID org) {
        int h = org.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /**
     * A change of {@code org} committed (here, or announced by a notification): no verdict loaded before now is
     * served again. O(1).
     */
    public void invalidate(UUID org) {
        long g = sequence.incrementAndGet();
        generations.accumulateAndGet(stripe(org), g, Math::max);
    }

    /** Everything may have changed (the notification channel was down): nothing loaded before now is served. */
    private void newEpoch() {
        epoch = sequence.incrementAndGet();
    }

    private boolean current(UUID org, long generation) {
        return generation >= epoch && generations.get(stripe(org)) <= generation;
    }

    /** Listens for key changes on a dedicated connection that reconnects by itself. */
    public Future<Void> listen(Vertx vertx, PgConnectOptions options) {
        // the policy runs on every loss of the connection (closeHandler fires only when reconnecting gives up):
        // from that moment the cache is bypassed until the channel is LISTENed again
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> {
            if (notificationsUp) {
                LOG.warn("Key-change notifications are down: the key cache is bypassed until they are back");
            }
            down();
            return 100L;
        });
        subscriber
                .channel(CHANNEL)
                .handler(org -> {
                    try {
                        invalidate(UUID.fromString(org));
                    } catch (IllegalArgumentException e) {
                        newEpoch(); // not an organization id: assume anything changed
                    }
                    hook.notified(org);
                })
                .subscribeHandler(v -> {
                    newEpoch(); // anything may have changed while we were not listening
                    notificationsUp = true;
                    LOG.info("Listening for key changes");
                });
        // heartbeat: a half-open connection would otherwise look alive while notifications are lost
        vertx.setPeriodic(5_000, id -> {
            var connection = subscriber.actualConnection();
            if (connection == null) {
                down();
                return;
            }
            connection.query("SELECT 1").execute().timeout(3, TimeUnit.SECONDS).onFailure(e -> {
                if (notificationsUp) {
                    LOG.warn(
                            "Key-change notification connection does not answer: bypassing the key cache, reconnecting");
                }
                down();
                connection.close();
            });
        });
        subscriber.closeHandler(v -> down());
        return subscriber.connect();
    }

    private void down() {
        notificationsUp = false;
        newEpoch();
    }

    // ------------------------------------------------------------------------------------------------ verification

    /** Issue 16: from now on a presented access token is checked by {@code tokens} and decided like a key. */
    public void acceptTokens(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The verdict on {@code key} for {@code rule}'s operation (null: no operation, as for verify's body key), for a
     * caller at {@code address} (null: no allowlist check), fenced to {@code organization} (null: any).
     */
    public Future<Verification> verify(String key, String address, KeyOperations.Rule rule, UUID organization) {
        if (rule != null && !rule.acceptsKeys()) {
            return Future.succeededFuture(Refused.of(Reason.NOT_FOR_KEYS)); // answered as the API does: 401
        }
        AccessTokens checker = tokens;
        if (checker != null && AccessTokens.looksLikeToken(key)) {
            return verifyToken(checker, key, address, rule, organization); // issue 16
        }
        if (key == null || !KeyFormat.isWellFormed(key)) {
            return Future.succeededFuture(Refused.of(Reason.MALFORMED)); // no database for noise
        }
        return verifySecret(key, false, address, rule, organization);
    }

    /**
     * Issue 16: an OAuth client authenticating with its secret (the token endpoint, introspection, revocation): its
     * verdict by the same rules as a key's (status, owner, holder, expiry, rotation grace, IP allowlist), no
     * operation. A key is not a client secret, nor the other way round (the prefixes differ).
     */
    public Future<Verification> verifyClient(String secret, String address) {
        if (secret == null || KeyFormat.check(secret, KeyFormat.CLIENT_SECRET_PREFIX) != KeyFormat.Verdict.OK) {
            return Future.succeededFuture(Refused.of(Reason.MALFORMED));
        }
        return verifySecret(secret, true, address, null, null);
    }

    private Future<Verification> verifySecret(
            String key, boolean client, String address, KeyOperations.Rule rule, UUID organization) {
        byte[] hash = hasher.hash(key, hasher.secret().current());
        HashKey cacheKey = HashKey.of(hash);
        if (notificationsUp) {
            Verdict cached = cache.getIfPresent(cacheKey);
            if (cached != null && current(cached.principal().organizationId(), cached.generation())) {
                usage.cache(true);
                return Future.succeededFuture(decide(cached, address, rule, organization));
            }
            if (cached == null && unknown.getIfPresent(cacheKey) != null) {
                usage.cache(true);
                return Future.succeededFuture(Refused.of(Reason.UNKNOWN));
            }
        }
        usage.cache(false);
        long started = sequence.get(); // before the read: a change announced after it voids what the read saw
        return load(key, hash, 0, client).compose(row -> {
            if (row == null) {
                if (notificationsUp) {
                    unknown.put(cacheKey, Boolean.TRUE);
                }
                return Future.succeededFuture(Refused.of(Reason.UNKNOWN));
            }
            Verdict v = verdict(row, started, null);
            Future<Void> held = hook.loaded(v.principal().keyId());
            if (held == null) {
                return Future.succeededFuture(store(cacheKey, v, started, address, rule, organization));
            }
            return held.map(x -> store(cacheKey, v, started, address, rule, organization));
        });
    }

    /**
     * Issue 16: an access token's verdict. The JWT's own checks first (no database for a forged or expired token),
     * then its client's live state and the jti deny-list, cached per token under the same generations as keys: a
     * change to the client, its owner or holder, or a revocation of the token, announced on the key channel, stops
     * the token on every replica as it stops a key.
     */
    private Future<Verification> verifyToken(
            AccessTokens checker, String token, String address, KeyOperations.Rule rule, UUID organization) {
        AccessTokens.Claims claims = checker.check(token);
        if (claims == null) {
            return Future.succeededFuture(Refused.of(Reason.UNKNOWN));
        }
        if (System.currentTimeMillis() >= claims.expiresAtMillis()) {
            return Future.succeededFuture(Refused.of(Reason.EXPIRED));
        }
        HashKey cacheKey = new HashKey(
                claims.jti().getMostSignificantBits(),
                claims.jti().getLeastSignificantBits(),
                claims.clientId().getMostSignificantBits(),
                claims.clientId().getLeastSignificantBits());
        if (notificationsUp) {
            Verdict cached = cache.getIfPresent(cacheKey);
            if (cached != null && current(cached.principal().organizationId(), cached.generation())) {
                usage.cache(true);
                return Future.succeededFuture(decide(cached, address, rule, organization));
            }
        }
        usage.cache(false);
        long started = sequence.get();
        return keys.clientById(db.pool(), claims.clientId(), claims.jti()).compose(row -> {
            if (row == null || !claims.organizationId().equals(row.getUUID("organization_id"))) {
                return Future.succeededFuture(Refused.of(Reason.UNKNOWN));
            }
            Verdict v = verdict(row, started, claims);
            Future<Void> held = hook.loaded(v.principal().keyId());
            if (held == null) {
                return Future.succeededFuture(store(cacheKey, v, started, address, rule, organization));
            }
            return held.map(x -> store(cacheKey, v, started, address, rule, organization));
        });
    }

    /** Stores a loaded verdict unless a change was announced since its read began; decides on it either way. */
    private Verification store(
            HashKey cacheKey, Verdict v, long started, String address, KeyOperations.Rule rule, UUID organization) {
        if (notificationsUp && current(v.principal().organizationId(), started)) {
            cache.put(cacheKey, v);
        }
        return decide(v, address, rule, organization);
    }

    /** Spends one request of a valid key's budget: valid with the decision, or refused RATE_LIMITED. */
    public Verification limit(Valid valid) {
        KeyPrincipal k = valid.key();
        KeyUsage.Limit limit = k.rateLimits().isEmpty()
                ? usage.acquire(k.keyId(), k.ratePerMinute())
                : usage.acquire(k.keyId(), k.ratePerMinute(), k.rateLimits()); // ADR 0021: all or none spent
        return limit.allowed()
                ? new Valid(valid.key(), limit)
                : new Refused(Reason.RATE_LIMITED, valid.key(), null, limit);
    }

    /**
     * The whole admission of a valid key: its rate limits (one request whatever the cost), then, for a key with a
     * usage quota, {@code cost} of it (ADR 0015). Refused USAGE_EXCEEDED when the quota cannot pay; a failed future
     * when the database cannot grant a lease (a quota is never granted blind).
     */
    public Future<Verification> admit(Valid valid, long cost) {
        Verification limited = limit(valid);
        KeyPrincipal k = valid.key();
        if (k.quota() == null || !(limited instanceof Valid ok)) {
            return Future.succeededFuture(limited);
        }
        return quotas.spend(k, cost)
                .map(spent -> spent.allowed()
                        ? new Valid(k, ok.limit(), spent.state())
                        : new Refused(Reason.USAGE_EXCEEDED, k, null, ok.limit(), spent.state()));
    }

    /** This replica's quota leases (the idle and final give-back). */
    public Quotas quotas() {
        return quotas;
    }

    /**
     * Counts an answered request in usage and metrics: against the key when one was found, never against a key of
     * another organization than the caller's (OTHER_ORGANIZATION).
     */
    public void meter(Verification v, String operationId, int status, String address) {
        KeyPrincipal key = recordUse(v, operationId, status, address);
        usage.request(
                key == null ? null : key.organizationId(),
                key == null ? null : key.keyId(),
                operationId,
                KeyUsage.Outcome.of(status),
                status);
    }

    /**
     * Counts a use of the verified key in its usage (verify: the gateway's own request is the one counted in the
     * request metrics, so a verification is not a second request); returns the key counted, or null.
     */
    public KeyPrincipal recordUse(Verification v, String operationId, int status, String address) {
        KeyPrincipal key = v instanceof Valid ok
                ? ok.key()
                : v instanceof Refused r && r.reason() != Reason.OTHER_ORGANIZATION ? r.key() : null;
        if (key != null) {
            usage.record(key.organizationId(), key.keyId(), operationId, KeyUsage.Outcome.of(status), address);
        }
        return key;
    }

    /** The Prometheus side of one verify or forward-auth decision. */
    public void verification(UUID org, String code, long nanos) {
        usage.verification(org, code, nanos);
    }

    /** Whether {@code address} is over its budget of failed verifications this minute. */
    public boolean throttled(String address) {
        AtomicInteger failed = failures.getIfPresent(address);
        return failed != null && failed.get() >= failuresPerMinute;
    }

    /** Counts a failed verification against {@code address} when it is one that guessing would produce. */
    public void failed(String address, Verification v) {
        if (v instanceof Refused r && r.reason().status == 401 && r.reason() != Reason.NOT_FOR_KEYS) {
            failures.get(address, a -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Counts a failure that has no verification (no key at all in an Authorization header). */
    public void failed(String address) {
        failures.get(address, a -> new AtomicInteger()).incrementAndGet();
    }

    private static Verification decide(Verdict v, String address, KeyOperations.Rule rule, UUID organization) {
        KeyPrincipal p = v.principal();
        if (organization != null && !organization.equals(p.organizationId())) {
            return new Refused(Reason.OTHER_ORGANIZATION, p, null, null); // checked first: says nothing of B's key
        }
        if (v.status() != ACTIVE) {
            return new Refused(
                    v.status() == REVOKED
                            ? Reason.REVOKED
                            : v.status() == PENDING_APPROVAL ? Reason.PENDING_APPROVAL : Reason.DISABLED,
                    p,
                    null,
                    null);
        }
        if (!v.ownerActive()) {
            return new Refused(Reason.OWNER_INACTIVE, p, null, null);
        }
        if (v.suspended()) {
            return new Refused(Reason.SUSPENDED, p, null, null);
        }
        long now = System.currentTimeMillis();
        if (now >= p.expiresAt() || now >= v.graceUntil()) {
            return new Refused(Reason.EXPIRED, p, null, null);
        }
        if (v.allowlist().length > 0 && (address == null || !allowed(v.allowlist(), address))) {
            return new Refused(Reason.IP_NOT_ALLOWED, p, null, null);
        }
        if (rule != null) {
            if (!rule.covers(p.apiType())) {
                return new Refused(Reason.OUTSIDE_API_TYPE, p, null, null);
            }
            if (rule.permission() != null && !p.rights().has(rule.permission())) {
                return new Refused(Reason.PERMISSION_MISSING, p, rule.permission(), null);
            }
        }
        return new Valid(p, null);
    }

    private static boolean allowed(Cidr[] allowlist, String address) {
        try {
            InetAddress a = InetAddress.getByAddress(Cidr.literalAddress(address));
            for (Cidr c : allowlist) {
                if (c.contains(a)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The key's row, trying the current secret version first, then older ones (keys hashed before a secret
     * rotation): one round trip for a key of the current version, no transaction around the SECURITY DEFINER select.
     */
    private Future<Row> load(String key, byte[] currentHash, int index, boolean client) {
        List<ServerSecret.Version> versions = hasher.secret().versions();
        if (index >= versions.size()) {
            return Future.succeededFuture(null);
        }
        ServerSecret.Version version = versions.get(index);
        byte[] hash = version.id() == hasher.secret().current().id() ? currentHash : hasher.hash(key, version);
        return (client ? keys.clientByHash(db.pool(), hash) : keys.byHash(db.pool(), hash))
                .compose(row -> row == null ? load(key, currentHash, index + 1, client) : Future.succeededFuture(row));
    }

    /** {@code token}: for an access token, its claims (scope narrows the rights, exp bounds the expiry), else null. */
    private Verdict verdict(Row r, long generation, AccessTokens.Claims token) {
        ApiTypes.ApiType type = apiTypes.get(r.getString("api_type"));
        String[] cidrs = r.getArrayOfStrings("ip_allowlist");
        Cidr[] allowlist = cidrs == null || cidrs.length == 0 ? NO_ALLOWLIST : new Cidr[cidrs.length];
        for (int i = 0; i < allowlist.length; i++) {
            allowlist[i] = Cidr.parse(cidrs[i]);
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
        String status = r.getString("status");
        io.keysmith.auth.Rights effective = EffectiveRights.of(r, type);
        long expires = millis(r.getOffsetDateTime("expires_at"));
        if (token != null) {
            // issue 16: a token does at most what its scope names, ∩ its client's live rights; a revoked jti is
            // refused like a revoked key
            java.util.Set<String> permissions = new java.util.TreeSet<>(effective.permissions());
            permissions.retainAll(token.scope());
            effective =
                    new io.keysmith.auth.Rights(null, effective.recordScope(), effective.fieldRights(), permissions);
            expires = Math.min(expires, token.expiresAtMillis());
            if (Boolean.TRUE.equals(r.getBoolean("token_revoked"))) {
                status = "REVOKED";
            }
        }
        KeyPrincipal principal = new KeyPrincipal(
                ids.intern(r.getUUID("organization_id")),
                r.getUUID("key_id"),
                ids.intern(r.getUUID("owner_user_id")),
                type,
                rights.intern(KeyPrincipal.KeyRights.of(effective)),
                rate,
                expires,
                // governance: metadata for gateways (an OAuth client's token row has none)
                r.getColumnIndex("metadata") >= 0 && r.getValue("metadata") instanceof io.vertx.core.json.JsonObject m
                        ? m.encode()
                        : null,
                // ADR 0021: the named limits, the organization's ceiling applied to each
                r.getColumnIndex("rate_limits") >= 0
                        ? RateLimits.of(r.getUUID("key_id"), r.getValue("rate_limits"), ceiling)
                        : List.of(),
                // ADR 0015: the usage quota's setting (its state lives in the leases)
                r.getColumnIndex("quota") >= 0 && r.getValue("quota") instanceof io.vertx.core.json.JsonObject q
                        ? new KeyPrincipal.Quota(q.getLong("limit"), q.getString("period"), q.getLong("epoch"))
                        : null);
        return new Verdict(
                generation,
                principal,
                "ACTIVE".equals(status)
                        ? ACTIVE
                        : "REVOKED".equals(status)
                                ? REVOKED
                                : "PENDING_APPROVAL".equals(status) ? PENDING_APPROVAL : DISABLED,
                "ACTIVE".equals(r.getString("owner_status")),
                EffectiveRights.suspended(r),
                millis(r.getOffsetDateTime("grace_until")),
                allowlist);
    }

    private static long millis(OffsetDateTime t) {
        return t == null ? Long.MAX_VALUE : t.toInstant().toEpochMilli();
    }

    /** The canonical text of an IPv4 or IPv6 literal (dotted quad, or hex with colons), else null. */
    public static String ipLiteral(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        boolean colon = text.indexOf(':') >= 0;
        if (!colon
                && !text.matches(
                        "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
            return null; // no shorthand such as "10.1" or "1"
        }
        try {
            return InetAddress.getByAddress(Cidr.literalAddress(text)).getHostAddress();
        } catch (Exception e) {
            return null;
        }
    }
}
