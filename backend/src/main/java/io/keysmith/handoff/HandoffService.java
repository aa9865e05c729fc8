package io.keysmith.handoff;

import io.keysmith.audit.AuditAction;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.keys.KeyRepository;
import io.keysmith.keys.KeyService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rules of one-time hand-off links. Only whoever received a key's secret from the server (its secret holder: the
 * creator or last rotator) can make a link for it, and only for a key they can see that is not revoked; the server
 * stores what the browser encrypted and cannot read it. A link lives the organization's policy (72 hours unless
 * set, at most 7 days), or less if asked. Revealing needs no account: the partner's browser presents the proof
 * derived from the fragment and gets the ciphertext once; a wrong proof consumes nothing. Every step is audited on
 * the key, naming its owner (whom the notifications tell).
 */
public final class HandoffService {
    public static final int DEFAULT_HOURS = 72;
    public static final int MAX_HOURS = 168;
    /** Links expired per run of the job; the rest wait for the next run (each run is one transaction). */
    static final int EXPIRE_BATCH = 500;

    private static final String PARTNER = "hand-off link";

    private final Db db;
    private final HandoffRepository handoffs;
    private final KeyRepository keys;
    private final AuditRepository audit;
    private final Supplier<String> publicBase;
    private final MeterRegistry metrics;

    public HandoffService(
            Db db,
            HandoffRepository handoffs,
            KeyRepository keys,
            AuditRepository audit,
            Supplier<String> publicBase,
            MeterRegistry metrics) {
        this.db = db;
        this.handoffs = handoffs;
        this.keys = keys;
        this.audit = audit;
        this.publicBase = publicBase;
        this.metrics = metrics;
        // every series exists from the start, so dashboards see 0 rather than no data
        for (String event : new String[] {"created", "revealed", "refused", "expired", "withdrawn"}) {
            metrics.counter("keysmith.handoffs", "event", event);
        }
    }

    private void count(String event) {
        metrics.counter("keysmith.handoffs", "event", event).increment();
    }

    /** The link's address without its fragment: KEYSMITH_PUBLIC_URL, never the request's Host. */
    String url(String id) {
        return publicBase.get() + "/handoff/" + id;
    }

    public Future<JsonObject> create(Caller caller, UUID keyId, JsonObject body, String source) {
        byte[] ciphertext = decode(body.getString("ciphertext"), "ciphertext");
        byte[] proofHash = sha256(decode(body.getString("proof"), "proof"));
        Integer asked = body.getInteger("expiresInHours");
        return db.inOrganization(
                        caller.organizationId(),
                        t -> visibleKey(t, caller, keyId, true).compose(key -> {
                            if ("REVOKED".equals(key.getString("status"))) {
                                return Future.failedFuture(
                                        new Conflict("api-key-revoked", "A revoked key cannot be handed off"));
                            }
                            if (!caller.userId().toString().equals(key.getString("secretHolderUserId"))) {
                                return Future.failedFuture(Forbidden.because("Only whoever received this key's"
                                        + " current secret (its creator or last rotator) can hand it off"));
                            }
                            return handoffs.lifetimeHours(t).compose(policy -> {
                                int hours = asked == null ? policy : asked;
                                if (hours > policy) {
                                    return Future.failedFuture(Invalid.policy(
                                            "expiresInHours",
                                            "The organization's hand-off links live at most " + policy + " hours"));
                                }
                                OffsetDateTime expires =
                                        OffsetDateTime.now(ZoneOffset.UTC).plusHours(hours);
                                return handoffs.insert(t, keyId, caller.userId(), ciphertext, proofHash, expires)
                                        .compose(h -> audit.append(
                                                        t,
                                                        event(
                                                                        caller.userId(),
                                                                        AuditAction.HANDOFF_CREATED,
                                                                        keyId,
                                                                        h.getString("id"),
                                                                        key,
                                                                        source)
                                                                .with("expiresAt", h.getString("expiresAt")))
                                                .map(h));
                            });
                        }))
                .map(h -> new JsonObject().put("handoff", h).put("url", url(h.getString("id"))))
                .onSuccess(x -> count("created"));
    }

    public Future<JsonObject> list(Caller caller, UUID keyId) {
        return db.inOrganization(
                caller.organizationId(),
                t -> visibleKey(t, caller, keyId, false)
                        .compose(key -> handoffs.listForKey(t, keyId))
                        .map(items -> new JsonObject().put("items", items)));
    }

    /** The creator, the key's owner, or an admin with "manage ALL" withdraws a pending link. */
    public Future<JsonObject> withdraw(Caller caller, UUID id, String source) {
        return db.inOrganization(
                        caller.organizationId(),
                        t -> handoffs.find(t, id, true).compose(h -> {
                            if (h == null) {
                                return Future.failedFuture(new NotFound("No such hand-off link"));
                            }
                            UUID keyId = UUID.fromString(h.getString("apiKeyId"));
                            return keys.find(t, keyId, false).compose(key -> {
                                boolean mine = caller.userId().toString().equals(h.getString("createdBy"))
                                        || caller.userId()
                                                .toString()
                                                .equals(key.getJsonObject("owner")
                                                        .getString("id"))
                                        || caller.rights().has(KeyService.MANAGE_ALL);
                                if (!mine) {
                                    return Future.failedFuture(new NotFound("No such hand-off link"));
                                }
                                if (!"PENDING".equals(h.getString("status"))) {
                                    return Future.failedFuture(new Conflict(
                                            "handoff-not-pending",
                                            "This link is "
                                                    + h.getString("status").toLowerCase()
                                                    + " already: there is nothing to withdraw"));
                                }
                                return handoffs.withdraw(t, id, caller.userId())
                                        .compose(after -> audit.append(
                                                        t,
                                                        event(
                                                                caller.userId(),
                                                                AuditAction.HANDOFF_WITHDRAWN,
                                                                keyId,
                                                                id.toString(),
                                                                key,
                                                                source))
                                                .map(after));
                            });
                        }))
                .onSuccess(x -> count("withdrawn"));
    }

    /** A link's state for the reveal page; consumes nothing (link previewers fetch pages and may run scripts). */
    public Future<JsonObject> state(UUID id) {
        return handoffs.state(db.pool(), id).map(s -> {
            if (s == null) {
                throw new NotFound("No such hand-off link");
            }
            return s;
        });
    }

    /**
     * The one release: with the right proof, a pending link's ciphertext, deleted in the same transaction that audits
     * the reveal (with the address); of concurrent reveals exactly one gets it. Anything else reveals nothing.
     */
    public Future<JsonObject> reveal(UUID id, String proof, String address) {
        byte[] proofHash = sha256(decode(proof, "proof"));
        return db.<JsonObject>withoutOrganization(
                        conn -> handoffs.claim(conn, id, proofHash, address).compose(c -> released(conn, c, address)))
                .onSuccess(x -> count("revealed"))
                .onFailure(e -> count("refused"));
    }

    /** What a claim found, as the answer: the ciphertext this once (audited in the claim's transaction), or why not. */
    private Future<JsonObject> released(
            io.vertx.sqlclient.SqlConnection conn, HandoffRepository.Claim c, String address) {
        if (c == null) {
            return Future.failedFuture(new NotFound("No such hand-off link"));
        }
        switch (c.state()) {
            case "REVEALED_NOW": {
                Tenant t = new Tenant(conn, c.organization());
                return Db.setOrganization(conn, c.organization())
                        .compose(x -> keys.find(t, c.key(), false))
                        .compose(key -> audit.append(
                                t,
                                event(
                                                null,
                                                AuditAction.HANDOFF_REVEALED,
                                                c.key(),
                                                c.handoff().toString(),
                                                key,
                                                address)
                                        .with("createdBy", c.createdBy().toString())))
                        .map(x -> new JsonObject()
                                .put(
                                        "ciphertext",
                                        Base64.getUrlEncoder().withoutPadding().encodeToString(c.ciphertext())));
            }
            case "REVEALED":
                return Future.failedFuture(new Conflict(
                        "handoff-revealed",
                        "This link was used already: its secret was revealed once and deleted."
                                + " If that was not you, tell whoever sent it"));
            case "WITHDRAWN":
                return Future.failedFuture(
                        new Conflict("handoff-withdrawn", "This link was withdrawn by whoever sent it"));
            case "DAMAGED":
                return Future.failedFuture(new Invalid(
                        "proof",
                        "This link is damaged (its part after '#' was changed or cut): nothing was revealed; ask for"
                                + " the whole link again"));
            default:
                return Future.failedFuture(new Conflict("handoff-expired", "This link has expired unopened"));
        }
    }

    /** Deletes the ciphertext of links past their expiry and audits each, in one transaction; the number expired. */
    public Future<Integer> expireDue() {
        return db.withoutOrganization(conn -> handoffs.expireDue(conn, EXPIRE_BATCH)
                        .compose(expired -> {
                            Future<Void> chain = Future.succeededFuture();
                            for (HandoffRepository.Expired e : expired) {
                                Tenant t = new Tenant(conn, e.organization());
                                chain = chain.compose(x -> Db.setOrganization(conn, e.organization()))
                                        .compose(x -> keys.find(t, e.key(), false))
                                        .compose(key -> audit.append(
                                                t,
                                                event(
                                                                null,
                                                                AuditAction.HANDOFF_EXPIRED,
                                                                e.key(),
                                                                e.handoff().toString(),
                                                                key,
                                                                null)
                                                        .label("Keysmith")
                                                        .with(
                                                                "createdBy",
                                                                e.createdBy().toString())));
                            }
                            return chain.map(x -> expired.size());
                        }))
                .onSuccess(n ->
                        metrics.counter("keysmith.handoffs", "event", "expired").increment(n));
    }

    /** An event on the key (so the log names it), naming the link and the key's owner, whom notifications tell. */
    private static AuditEvent event(
            UUID actor, AuditAction action, UUID keyId, String handoffId, JsonObject key, String source) {
        AuditEvent e = AuditEvent.by(actor, action, "api-key", keyId, source).with("handoffId", handoffId);
        if (key != null) {
            e.with("name", key.getString("name"))
                    .with("ownerUserId", key.getJsonObject("owner").getString("id"));
        }
        return actor == null && action == AuditAction.HANDOFF_REVEALED ? e.label(PARTNER) : e;
    }

    /** The key as the caller may see it (own, or any with "manage ALL"); anything else does not exist. */
    private Future<JsonObject> visibleKey(Tenant t, Caller caller, UUID keyId, boolean forUpdate) {
        return keys.find(t, keyId, forUpdate).map(key -> {
            if (key == null
                    || (!caller.rights().has(KeyService.MANAGE_ALL)
                            && !caller.userId()
                                    .toString()
                                    .equals(key.getJsonObject("owner").getString("id")))) {
                throw new NotFound("No such API key");
            }
            return key;
        });
    }

    static byte[] decode(String base64url, String field) {
        try {
            return Base64.getUrlDecoder().decode(base64url);
        } catch (IllegalArgumentException e) {
            throw new Invalid(field, "Field '" + field + "' is not base64url");
        }
    }

    static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
