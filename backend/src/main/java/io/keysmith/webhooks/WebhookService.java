package io.keysmith.webhooks;

import io.keysmith.audit.AuditAction;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rules of webhook endpoints: credential admins of the organization only (the contract's keys:manage-all);
 * the URL passes the {@link SsrfGuard} (form, and the addresses its host resolves to now: checked again at every
 * delivery); event types from {@link WebhookEventTypes}; the secret is returned by create and rotate only, and
 * stored sealed for the organization ({@link SigningSecrets}). Every change is audited, never with the secret.
 */
public final class WebhookService {
    /** The longest a rotated-out secret keeps signing. */
    static final int MAX_OVERLAP_SECONDS = 7 * 86400;

    private final Vertx vertx;
    private final Db db;
    private final WebhookRepository endpoints;
    private final AuditRepository audit;
    private final SsrfGuard guard;
    private final SigningSecrets secrets;
    /** One sweep at a time per replica (deliveries that meet a plain-text secret ask for one). */
    private final AtomicBoolean sweeping = new AtomicBoolean();

    public WebhookService(
            Vertx vertx,
            Db db,
            WebhookRepository endpoints,
            AuditRepository audit,
            SsrfGuard guard,
            SigningSecrets secrets) {
        this.vertx = vertx;
        this.db = db;
        this.endpoints = endpoints;
        this.audit = audit;
        this.guard = guard;
        this.secrets = secrets;
    }

    public Future<JsonObject> list(Caller caller) {
        return db.inOrganization(caller.organizationId(), endpoints::list)
                .map(items ->
                        new JsonObject().put("items", items).put("eventTypes", new JsonArray(WebhookEventTypes.all())));
    }

    public Future<JsonObject> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), t -> found(t, id, false));
    }

    /** 201 answer: the endpoint and its secret, shown this once. */
    public Future<JsonObject> create(Caller caller, JsonObject body, String source) {
        String url = body.getString("url");
        List<String> types = eventTypes(body.getJsonArray("eventTypes"));
        String description = body.getString("description", "");
        return checkAddress(url).compose(x -> {
            String secret = WebhookSigner.newSecret();
            return db.inOrganization(
                    caller.organizationId(),
                    t -> endpoints
                            .insert(t, url, description, types, secrets.seal(t.org(), secret), caller.userId())
                            .compose(id -> audit.append(
                                            t,
                                            event(caller, "webhook-endpoint.created", id, source, url)
                                                    .with("eventTypes", new JsonArray(types)))
                                    .compose(y -> found(t, id, false)))
                            .map(e -> new JsonObject().put("endpoint", e).put("secret", secret)));
        });
    }

    /** Changes url, description, event types or status (ACTIVE / DISABLED by hand). */
    public Future<JsonObject> update(Caller caller, UUID id, JsonObject body, String source) {
        String newUrl = body.getString("url");
        Future<Void> checked = newUrl == null ? Future.succeededFuture() : checkAddress(newUrl);
        return checked.compose(x -> db.inOrganization(
                caller.organizationId(),
                t -> found(t, id, true).compose(before -> {
                    String url = newUrl == null ? before.getString("url") : newUrl;
                    String description = body.getString("description", before.getString("description"));
                    List<String> types = body.containsKey("eventTypes")
                            ? eventTypes(body.getJsonArray("eventTypes"))
                            : before.getJsonArray("eventTypes").stream()
                                    .map(String::valueOf)
                                    .toList();
                    String status = body.getString("status", before.getString("status"));
                    String reason = status.equals("DISABLED")
                            ? (before.getString("status").equals("DISABLED")
                                    ? before.getString("disabledReason", "MANUAL")
                                    : "MANUAL")
                            : null;
                    List<String> changed = new ArrayList<>();
                    if (!url.equals(before.getString("url"))) {
                        changed.add("url");
                    }
                    if (!description.equals(before.getString("description"))) {
                        changed.add("description");
                    }
                    if (!new JsonArray(types).equals(before.getJsonArray("eventTypes"))) {
                        changed.add("eventTypes");
                    }
                    if (!status.equals(before.getString("status"))) {
                        changed.add("status");
                    }
                    return endpoints
                            .update(t, id, url, description, types, status, reason)
                            .compose(y -> changed.isEmpty()
                                    ? Future.succeededFuture()
                                    : audit.append(
                                            t,
                                            event(caller, "webhook-endpoint.updated", id, source, url)
                                                    .changed(changed)))
                            .compose(y -> found(t, id, false));
                })));
    }

    public Future<Void> delete(Caller caller, UUID id, String source) {
        return db.inOrganization(
                caller.organizationId(),
                t -> found(t, id, true)
                        .compose(e -> endpoints
                                .delete(t, id)
                                .compose(x -> audit.append(
                                        t,
                                        event(caller, "webhook-endpoint.deleted", id, source, e.getString("url"))))));
    }

    /** A new secret, shown once; the previous one keeps signing for {@code overlapSeconds} (0: stops at once). */
    public Future<JsonObject> rotate(Caller caller, UUID id, JsonObject body, String source) {
        int overlap = body == null ? 86400 : body.getInteger("overlapSeconds", 86400);
        if (overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
            throw new Invalid("overlapSeconds", "overlapSeconds must be between 0 and " + MAX_OVERLAP_SECONDS);
        }
        String secret = WebhookSigner.newSecret();
        OffsetDateTime until =
                overlap == 0 ? null : OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(overlap);
        return db.inOrganization(
                caller.organizationId(),
                t -> found(t, id, true)
                        .compose(e -> endpoints
                                .rotate(t, id, secrets.seal(t.org(), secret), until)
                                .compose(x -> audit.append(
                                        t,
                                        event(caller, "webhook-endpoint.secret-rotated", id, source, e.getString("url"))
                                                .with("overlapSeconds", overlap))))
                        .compose(x -> found(t, id, false))
                        .map(e -> new JsonObject().put("endpoint", e).put("secret", secret)));
    }

    /** Queues a {@code webhook.test} event for this endpoint only (also when disabled: it waits until enabled). */
    public Future<JsonObject> test(Caller caller, UUID id) {
        String eventId = "evt_test_" + UUID.randomUUID().toString().replace("-", "");
        JsonObject payload = new JsonObject()
                .put("type", WebhookEventTypes.TEST)
                .put("timestamp", Instant.now().toString())
                .put(
                        "data",
                        new JsonObject()
                                .put("organizationId", caller.organizationId().toString())
                                .put("endpointId", id.toString())
                                .put("actorUserId", caller.userId().toString()));
        return db.inOrganization(
                caller.organizationId(),
                t -> found(t, id, false)
                        .compose(e -> endpoints.enqueue(t, id, eventId, WebhookEventTypes.TEST, payload))
                        .compose(d -> endpoints.delivery(t, d)));
    }

    /** Queues the same event again (same webhook-id: receivers de-duplicate on it) as a new delivery. */
    public Future<JsonObject> replay(Caller caller, UUID endpointId, UUID deliveryId) {
        return db.inOrganization(
                caller.organizationId(),
                t -> found(t, endpointId, false)
                        .compose(e -> endpoints.deliveryEvent(t, endpointId, deliveryId))
                        .compose(ev -> {
                            if (ev == null) {
                                return Future.failedFuture(new NotFound("No such delivery of this endpoint"));
                            }
                            return endpoints.enqueue(
                                    t,
                                    endpointId,
                                    ev.getString("eventId"),
                                    ev.getString("eventType"),
                                    ev.getJsonObject("payload"));
                        })
                        .compose(d -> endpoints.delivery(t, d)));
    }

    public Future<JsonArray> deliveries(
            Caller caller, UUID endpointId, OffsetDateTime beforeAt, UUID beforeId, int limit) {
        return db.inOrganization(
                caller.organizationId(),
                t -> found(t, endpointId, false)
                        .compose(e -> endpoints.deliveries(t, endpointId, beforeAt, beforeId, limit)));
    }

    /**
     * Seals the secrets earlier versions stored in plain text (ADR 0018): at start-up, and when a delivery meets one
     * (a replica of the earlier version may still be writing them during a rolling upgrade). Idempotent: a sealed
     * value is left as it is. Answers how many endpoints it sealed.
     */
    public Future<Integer> sealPlaintextSecrets() {
        return sealBatch(0);
    }

    /** As {@link #sealPlaintextSecrets}, unless a sweep of this replica is already running. */
    void sealPlaintextSecretsSoon() {
        if (sweeping.compareAndSet(false, true)) {
            sealPlaintextSecrets().onComplete(x -> sweeping.set(false));
        }
    }

    private static final int SEAL_BATCH = 100;

    private Future<Integer> sealBatch(int sealedSoFar) {
        return WebhookRepository.unsealed(db.pool(), SEAL_BATCH).compose(batch -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (UUID[] row : batch) {
                chain = chain.compose(n -> sealOne(row[0], row[1]).map(done -> done ? n + 1 : n));
            }
            // a full batch that sealed something: there may be more; one that sealed nothing would only repeat
            return chain.compose(n -> batch.size() == SEAL_BATCH && n > 0
                    ? sealBatch(sealedSoFar + n)
                    : Future.succeededFuture(sealedSoFar + n));
        });
    }

    /** Reads, seals and writes one endpoint's secrets under its organization, the row locked (no rotation between). */
    private Future<Boolean> sealOne(UUID organization, UUID id) {
        return db.inOrganization(
                organization,
                t -> endpoints.storedSecrets(t, id).compose(stored -> {
                    if (stored == null
                            || !(SigningSecrets.plaintext(stored[0]) || SigningSecrets.plaintext(stored[1]))) {
                        return Future.succeededFuture(false); // deleted, or sealed by another replica meanwhile
                    }
                    String secret = SigningSecrets.plaintext(stored[0]) ? secrets.seal(t.org(), stored[0]) : stored[0];
                    String previous =
                            SigningSecrets.plaintext(stored[1]) ? secrets.seal(t.org(), stored[1]) : stored[1];
                    return endpoints.storeSecrets(t, id, secret, previous).map(true);
                }));
    }

    private Future<JsonObject> found(Tenant t, UUID id, boolean lock) {
        return endpoints
                .get(t, id, lock)
                .compose(e -> e == null
                        ? Future.failedFuture(new NotFound("No such webhook endpoint"))
                        : Future.succeededFuture(e));
    }

    /** The URL's form at once; its host's addresses on a worker thread (resolution blocks). */
    private Future<Void> checkAddress(String url) {
        SsrfGuard.Target target = guard.parse(url);
        return vertx.<Void>executeBlocking(
                () -> {
                    try {
                        guard.resolve(target.host());
                    } catch (SsrfGuard.Refused r) {
                        // a name that does not resolve yet may later: deliveries check again and fail until it does
                        if (!r.unresolvable()) {
                            throw new Invalid("url", r.getMessage());
                        }
                    }
                    return null;
                },
                false);
    }

    private static List<String> eventTypes(JsonArray raw) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Object o : raw) {
            String s = String.valueOf(o);
            if (!WebhookEventTypes.known(s)) {
                throw new Invalid("eventTypes", "Unknown event type '" + s + "'");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new Invalid("eventTypes", "Choose at least one event type");
        }
        return new ArrayList<>(out);
    }

    /**
     * The endpoint's name in the audit log (details.name): its origin only, since a receiver's path or query may
     * carry a token of its own (Slack-style URLs), and audit records never hold secrets.
     */
    private static AuditEvent event(Caller caller, String action, UUID id, String source, String url) {
        AuditAction.of(action);
        return AuditEvent.by(caller.userId(), action, "webhook-endpoint", id, source)
                .with("name", origin(url));
    }

    static String origin(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+")
                .matcher(url);
        return m.find() ? m.group() : "(endpoint)";
    }
}
