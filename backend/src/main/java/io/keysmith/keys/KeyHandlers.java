package io.keysmith.keys;

import io.keysmith.auth.Caller;
import io.keysmith.errors.DomainException;
import io.keysmith.errors.Invalid;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Cursors;
import io.keysmith.http.FailureHandler;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class KeyHandlers {
    private final KeyService keys;
    private final ApiTypes apiTypes;
    private final ClientAddress client;

    private final KeyVerifier verifier;
    private final VerifyHandler verifyHandler;
    private final Cursors cursors;

    private static final Logger LOG = LoggerFactory.getLogger(KeyHandlers.class);
    private static final Map<String, String> BULK_STATUS =
            Map.of("DISABLE", "DISABLED", "ENABLE", "ACTIVE", "REVOKE", "REVOKED");

    public KeyHandlers(
            KeyService keys, ApiTypes apiTypes, ClientAddress client, KeyVerifier verifier, Cursors cursors) {
        this.keys = keys;
        this.apiTypes = apiTypes;
        this.client = client;
        this.verifier = verifier;
        this.verifyHandler = new VerifyHandler(client, verifier);
        this.cursors = cursors;
    }

    /** verify's handler lives with the verification classes (VerifyHandler); the route table takes it from here. */
    public io.keysmith.http.Exchange.Step verify() {
        return verifyHandler;
    }

    public void apiTypes(RoutingContext rc) {
        Responses.ok(rc, new JsonObject().put("items", apiTypes.toJson()));
    }

    public void create(RoutingContext rc) {
        reply(rc, 201, keys.create(Caller.of(rc), body(rc), client.address(rc)));
    }

    public void listMine(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Caller caller = Caller.of(rc);
        String binding = binding("listMyApiKeys", caller, KeyListQuery.own(caller.userId()));
        page(rc, keys.listMine(caller, cursor(in, binding), limit + 1), limit, binding);
    }

    public void listAll(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Caller caller = Caller.of(rc);
        KeyListQuery query = query(in);
        String binding = binding("listOrganizationApiKeys", caller, query);
        page(rc, keys.listAll(caller, query, cursor(in, binding), limit + 1), limit, binding);
    }

    /**
     * The filtered, ordered list as CSV, streamed: one page of {@link KeyService#EXPORT_PAGE} keys per transaction,
     * the next read only once the previous page was written (the client's pace bounds the memory), to the end.
     */
    public void export(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        KeyListQuery query = query(RequestValidation.input(rc));
        // the first page before the head: a failure there is still a problem+json answer
        keys.listAll(caller, query, null, KeyService.EXPORT_PAGE + 1)
                .onSuccess(first -> {
                    HttpServerResponse res = rc.response()
                            .setChunked(true)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
                            .putHeader("Content-Disposition", "attachment; filename=\"api-keys.csv\"")
                            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    res.write(KeyCsv.header());
                    stream(rc, caller, query, first);
                })
                .onFailure(rc::fail);
    }

    private void stream(RoutingContext rc, Caller caller, KeyListQuery query, JsonArray rowsPlusOne) {
        HttpServerResponse res = rc.response();
        int n = Math.min(rowsPlusOne.size(), KeyService.EXPORT_PAGE);
        Buffer chunk = Buffer.buffer();
        for (int i = 0; i < n; i++) {
            chunk.appendBuffer(KeyCsv.row(rowsPlusOne.getJsonObject(i)));
        }
        if (rowsPlusOne.size() <= KeyService.EXPORT_PAGE) {
            res.end(chunk);
            return;
        }
        UUID last = UUID.fromString(rowsPlusOne.getJsonObject(n - 1).getString("id"));
        res.write(chunk)
                .compose(x -> keys.listAll(caller, query, last, KeyService.EXPORT_PAGE + 1))
                .onSuccess(next -> stream(rc, caller, query, next))
                .onFailure(rc::fail); // the head is written: the failure handler cuts the stream
    }

    /** Up to 100 keys (the contract's bound), each changed and answered on its own, in the order given. */
    public void bulk(RoutingContext rc) {
        JsonObject body = body(rc);
        String status = BULK_STATUS.get(body.getString("action"));
        List<UUID> ids = body.getJsonArray("keyIds").stream()
                .map(o -> UUID.fromString((String) o))
                .toList();
        String path = rc.request().path();
        keys.bulkStatus(Caller.of(rc), ids, status, client.address(rc))
                .onSuccess(outcomes -> {
                    JsonArray items = new JsonArray();
                    for (KeyService.BulkOutcome o : outcomes) {
                        JsonObject item = new JsonObject()
                                .put("keyId", o.keyId().toString())
                                .put("ok", o.failure() == null);
                        if (o.failure() == null) {
                            item.put("key", o.key());
                        } else {
                            item.put(
                                    "problem", problemOf(o.failure(), o.keyId()).toJson(path));
                        }
                        items.add(item);
                    }
                    Responses.ok(rc, new JsonObject().put("items", items));
                })
                .onFailure(rc::fail);
    }

    /** A refusal as the single operation would answer it; anything unexpected is logged, never shown. */
    private static ApiProblem problemOf(Throwable failure, UUID keyId) {
        if (failure instanceof DomainException e) {
            return FailureHandler.problemOf(e);
        }
        LOG.error("bulk change of key {} failed", keyId, failure);
        return new ApiProblem(500, "internal", "Internal error", "This key was not changed; try it again", null);
    }

    public void get(RoutingContext rc) {
        reply(rc, 200, keys.get(Caller.of(rc), id(rc)));
    }

    public void update(RoutingContext rc) {
        reply(rc, 200, keys.update(Caller.of(rc), id(rc), body(rc), client.address(rc)));
    }

    public void disable(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "DISABLED", client.address(rc)));
    }

    public void enable(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "ACTIVE", client.address(rc)));
    }

    public void revoke(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "REVOKED", client.address(rc)));
    }

    public void rotate(RoutingContext rc) {
        reply(
                rc,
                200,
                keys.rotate(Caller.of(rc), id(rc), body(rc).getInteger("gracePeriodSeconds"), client.address(rc)));
    }

    public void transfer(RoutingContext rc) {
        reply(
                rc,
                200,
                keys.transfer(
                        Caller.of(rc), id(rc), UUID.fromString(body(rc).getString("ownerUserId")), client.address(rc)));
    }

    public void approve(RoutingContext rc) {
        JsonObject body = body(rc);
        reply(
                rc,
                200,
                keys.decideApproval(Caller.of(rc), id(rc), true, body.getLong("revision"), null, client.address(rc)));
    }

    public void deny(RoutingContext rc) {
        JsonObject body = body(rc);
        reply(
                rc,
                200,
                keys.decideApproval(
                        Caller.of(rc),
                        id(rc),
                        false,
                        body.getLong("revision"),
                        body.getString("reason").strip(),
                        client.address(rc)));
    }

    public void policies(RoutingContext rc) {
        reply(rc, 200, keys.policies(Caller.of(rc)));
    }

    public void savePolicies(RoutingContext rc) {
        reply(rc, 200, keys.savePolicies(Caller.of(rc), body(rc), client.address(rc)));
    }

    private static JsonObject body(RoutingContext rc) {
        return RequestValidation.input(rc).bodyObject();
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("keyId"));
    }

    private static UUID uuid(Object o) {
        return o == null ? null : UUID.fromString((String) o);
    }

    private static KeyListQuery query(RequestValidation.Input in) {
        Map<String, Object> q = in.query();
        return new KeyListQuery(
                uuid(q.get("ownerUserId")),
                (String) q.get("status"),
                uuid(q.get("partnerId")),
                (String) q.get("apiType"),
                (String) q.get("q"),
                KeyListQuery.Sort.of((String) q.get("sort")),
                "desc".equals(q.get("order")));
    }

    /**
     * A cursor is sealed to the operation, organization, caller, filters and order (issue 13 item 7): it names only a
     * key this caller was shown in this very list, so it is no ordering oracle on keys they cannot see.
     */
    private static String binding(String operation, Caller caller, KeyListQuery query) {
        return operation + "|" + caller.organizationId() + "|" + caller.userId() + "|" + query.binding();
    }

    private UUID cursor(RequestValidation.Input in, String binding) {
        Object given = in.query().get("after");
        if (given == null) {
            return null;
        }
        return cursors.open(binding, (String) given)
                .map(KeyHandlers::uuidOrNull)
                .orElseThrow(() -> new Invalid("after", "Parameter 'after' is not a cursor this server issued"));
    }

    private static UUID uuidOrNull(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void page(RoutingContext rc, Future<JsonArray> rows, int limit, String binding) {
        rows.onSuccess(r -> Responses.ok(rc, Page.of(r, limit, last -> cursors.seal(binding, last.getString("id")))))
                .onFailure(rc::fail);
    }

    private static void reply(RoutingContext rc, int status, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.json(rc, status, body)).onFailure(rc::fail);
    }
}
