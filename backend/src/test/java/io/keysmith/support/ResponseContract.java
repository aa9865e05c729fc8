package io.keysmith.support;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Does an answer match openapi.yaml? For a request the contract names (method and path of an operation): its status is
 * declared (or a {@code default}); every required declared header is there and every declared header present has the
 * declared shape; the product's own headers ({@link #PRODUCT_HEADERS}: rate limits, forward-auth identity) are sent
 * only where declared; a body comes with a declared media type and matches its schema, closed against properties the
 * contract does not name. {@link Api} runs it on every answer the integration tests see and fails the request on a
 * mismatch. Paths the contract does not describe (the SPA, metrics, unknown routes) and raw paths the router
 * normalizes before matching (dot or empty segments, percent-encoded characters) are not checked.
 */
public final class ResponseContract {
    /** Headers the server sends by its own rules: each must be declared on the responses that carry it. */
    static final Set<String> PRODUCT_HEADERS = Set.of(
            "ratelimit",
            "ratelimit-policy",
            "retry-after",
            "x-keysmith-key-id",
            "x-keysmith-organization-id",
            "x-keysmith-permissions",
            "x-keysmith-operation-id",
            "x-keysmith-status",
            "idempotent-replayed",
            "etag");

    private static final Pattern PARAM = Pattern.compile("\\{[^}]+}");
    private static final Pattern AMBIGUOUS = Pattern.compile("//|/\\.\\.?(/|$)|%|\\\\");
    private static final Map<String, Validator> VALIDATORS = new ConcurrentHashMap<>();

    private record Route(Pattern path, String method, String template, JsonObject operation) {}

    private static volatile List<Route> routes;

    private ResponseContract() {}

    private static List<Route> routes() {
        if (routes == null) {
            List<Route> all = new ArrayList<>();
            for (ContractOperations.Op op : ContractOperations.all()) {
                Matcher m = PARAM.matcher(op.path());
                StringBuilder regex = new StringBuilder();
                int last = 0;
                while (m.find()) {
                    regex.append(Pattern.quote(op.path().substring(last, m.start())))
                            .append("[^/]+");
                    last = m.end();
                }
                regex.append(Pattern.quote(op.path().substring(last)));
                all.add(new Route(Pattern.compile(regex.toString()), op.method(), op.path(), op.spec()));
            }
            // literal paths before templated ones (/api-keys/verify before /api-keys/{keyId})
            all.sort((a, b) ->
                    Boolean.compare(a.template().contains("{"), b.template().contains("{")));
            routes = List.copyOf(all);
        }
        return routes;
    }

    /**
     * The mismatches between an answer and the contract (empty when it conforms, or when the contract does not describe
     * the request). {@code uri}: the request's path and query.
     */
    public static List<String> mismatches(String method, String uri, int status, MultiMap headers, Buffer body) {
        if (status == 414 || status == 431) {
            // the HTTP server's decoder answers an over-long URI or header block before any route runs: no
            // operation answered, so there is no operation's contract to hold it to
            return new ArrayList<>();
        }
        String path = uri.split("\\?", 2)[0];
        if (AMBIGUOUS.matcher(path).find()) {
            // the router normalizes these (dot segments, empty segments, encoded characters) before matching: which
            // operation answered is not the one the raw path names, and the tests that send them check the outcome
            return new ArrayList<>();
        }
        Route route = routes().stream()
                // methods are case-sensitive: a "get" is not a GET (the router answers it 405)
                .filter(r -> r.method().toUpperCase(Locale.ROOT).equals(method)
                        && r.path().matcher(path).matches())
                .findFirst()
                .orElse(null);
        List<String> problems = new ArrayList<>();
        if (route == null) {
            return problems;
        }
        String where = route.operation().getString("operationId") + " " + status;
        JsonObject responses = route.operation().getJsonObject("responses");
        JsonObject declared = responses.getJsonObject(String.valueOf(status));
        if (declared == null) {
            declared = responses.getJsonObject(status / 100 + "XX", responses.getJsonObject("default"));
        }
        if (declared == null) {
            problems.add(where + ": status " + status + " is not declared (declared: " + responses.fieldNames() + ")");
            return problems;
        }
        JsonObject response = ContractOperations.resolve(declared);
        checkHeaders(where, response.getJsonObject("headers", new JsonObject()), headers, problems);
        boolean bodyless = method.equalsIgnoreCase("HEAD") || status == 204 || status == 304;
        checkBody(where, response.getJsonObject("content"), headers.get("Content-Type"), body, bodyless, problems);
        return problems;
    }

    private static void checkHeaders(String where, JsonObject declared, MultiMap headers, List<String> problems) {
        Map<String, JsonObject> byName = new java.util.HashMap<>();
        declared.forEach(e ->
                byName.put(e.getKey().toLowerCase(Locale.ROOT), ContractOperations.resolve((JsonObject) e.getValue())));
        for (Map.Entry<String, JsonObject> h : byName.entrySet()) {
            String value = headers.get(h.getKey());
            if (value == null) {
                if (h.getValue().getBoolean("required", false)) {
                    problems.add(where + ": required header " + h.getKey() + " is missing");
                }
                continue;
            }
            JsonObject schema = h.getValue().getJsonObject("schema");
            if (schema != null) {
                Object typed = value;
                if ("integer".equals(ContractOperations.resolve(schema).getValue("type"))) {
                    try {
                        typed = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        problems.add(where + ": header " + h.getKey() + " is not an integer: " + value);
                        continue;
                    }
                }
                List<String> errors = errors(schema, typed);
                if (!errors.isEmpty()) {
                    problems.add(where + ": header " + h.getKey() + " '" + value + "' " + errors);
                }
            }
        }
        for (String name : headers.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (PRODUCT_HEADERS.contains(lower) && !byName.containsKey(lower)) {
                problems.add(where + ": header " + name + " is sent but not declared");
            }
        }
    }

    private static void checkBody(
            String where,
            JsonObject content,
            String contentType,
            Buffer body,
            boolean bodyless,
            List<String> problems) {
        if (body == null || body.length() == 0) {
            if (!bodyless && content != null && !content.isEmpty()) {
                problems.add(where + ": no body, though the response declares " + content.fieldNames());
            }
            return;
        }
        if (content == null || content.isEmpty()) {
            problems.add(where + ": a body is sent but the response declares none");
            return;
        }
        String mime =
                contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        JsonObject media = content.getJsonObject(mime);
        if (media == null) {
            problems.add(where + ": Content-Type " + contentType + " is not declared (declared: " + content.fieldNames()
                    + ")");
            return;
        }
        if (!mime.endsWith("json") || media.getJsonObject("schema") == null) {
            return;
        }
        Object value;
        try {
            value = Json.decodeValue(body);
        } catch (DecodeException e) {
            problems.add(where + ": the body is not JSON: " + e.getMessage());
            return;
        }
        List<String> errors = errors(media.getJsonObject("schema"), value);
        if (!errors.isEmpty()) {
            problems.add(where + ": body " + errors + " in " + abbreviated(body.toString()));
        }
    }

    private static List<String> errors(JsonObject schema, Object value) {
        Validator v = VALIDATORS.computeIfAbsent(schema.encode(), s -> ContractSchemas.strictSchema(schema));
        OutputUnit out = v.validate(value);
        List<String> errors = new ArrayList<>();
        if (!Boolean.TRUE.equals(out.getValid())) {
            if (out.getErrors() == null || out.getErrors().isEmpty()) {
                errors.add(String.valueOf(out.getError()));
            } else {
                out.getErrors().forEach(e -> errors.add(e.getInstanceLocation() + ": " + e.getError()));
            }
        }
        return errors;
    }

    private static String abbreviated(String text) {
        return text.length() <= 600 ? text : text.substring(0, 600) + "...";
    }
}
