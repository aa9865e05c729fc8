package io.keysmith.http;

import io.keysmith.text.Names;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates requests against the contract with validators compiled once per operation at start (ADR 0004).
 * vertx-openapi 5.0.7 builds a new schema validator for every request and runs it on a worker thread, which cost 80%
 * of a small POST's throughput here; this keeps the same schemas, compiled once, on the event loop, and writes our
 * own problem detail naming the field. The parsed body and typed parameters are handed to the handler as
 * {@link Input} so nothing is parsed twice.
 */
public final class RequestValidation {
    public static final String INPUT = "keysmith.input";

    /** The request as the contract describes it: typed parameters and the parsed JSON body (or null). */
    public record Input(Map<String, Object> path, Map<String, Object> query, Object body) {
        public JsonObject bodyObject() {
            return (JsonObject) body;
        }

        public String pathString(String name) {
            return (String) path.get(name);
        }
    }

    /**
     * {@code certainlyValid}: a sound shortcut for simple schemas (true only when the value surely satisfies the
     * schema, so the schema validator, which cost a quarter of a forward-auth request, is skipped); null, or false
     * for a value, leaves the decision and its message to the validator.
     */
    private record ParameterCheck(
            Parameter parameter,
            String type,
            String itemType,
            Validator validator,
            java.util.function.Predicate<Object> certainlyValid) {}

    private static final java.util.Set<String> SHORTCUT_KEYWORDS =
            java.util.Set.of("type", "format", "maxLength", "minLength", "minimum", "maximum", "default", "enum");
    private static final java.util.regex.Pattern UUID_TEXT =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** The shortcut of a schema made only of keywords it understands, else null (see {@link ParameterCheck}). */
    static java.util.function.Predicate<Object> shortcut(JsonSchema schema) {
        if (schema == null || !SHORTCUT_KEYWORDS.containsAll(schema.fieldNames())) {
            return null;
        }
        Object type = schema.get("type");
        Object format = schema.get("format");
        if (format != null && !"uuid".equals(format)) {
            return null;
        }
        Number maxLength = schema.get("maxLength");
        Number minLength = schema.get("minLength");
        Number minimum = schema.get("minimum");
        Number maximum = schema.get("maximum");
        Object enumeration = schema.get("enum");
        if (enumeration != null && !(enumeration instanceof JsonArray)) {
            return null;
        }
        JsonArray values = (JsonArray) enumeration;
        if ("string".equals(type) && minimum == null && maximum == null) {
            return v -> {
                if (!(v instanceof String text)) {
                    return false;
                }
                if (format != null && !UUID_TEXT.matcher(text).matches()) {
                    return false;
                }
                int length = text.codePointCount(0, text.length());
                return (maxLength == null || length <= maxLength.longValue())
                        && (minLength == null || length >= minLength.longValue())
                        && (values == null || values.contains(text));
            };
        }
        if ("integer".equals(type) && format == null && maxLength == null && minLength == null && values == null) {
            return v -> v instanceof Long n
                    && (minimum == null || n >= minimum.doubleValue())
                    && (maximum == null || n <= maximum.doubleValue());
        }
        if ("boolean".equals(type)
                && format == null
                && maxLength == null
                && minLength == null
                && minimum == null
                && maximum == null
                && values == null) {
            return v -> v instanceof Boolean;
        }
        return null;
    }

    private final OpenAPIContract contract;

    public RequestValidation(OpenAPIContract contract) {
        this.contract = contract;
    }

    public static Input input(RoutingContext rc) {
        return rc.get(INPUT);
    }

    /** A handler that validates requests of one operation; built once, at router construction. */
    private List<ParameterCheck> checks(Operation op) {
        List<ParameterCheck> checks = new ArrayList<>();
        for (Parameter p : op.getParameters()) {
            if (p.getIn() == Location.COOKIE) {
                continue; // cookies are read by the authentication handlers
            }
            JsonSchema schema = p.getSchema();
            String type = schemaType(schema);
            String itemType = "array".equals(type) ? schemaType(asSchema(schema.get("items"))) : null;
            checks.add(new ParameterCheck(
                    p, type, itemType, contract.getSchemaRepository().validator(schema), shortcut(schema)));
        }
        return checks;
    }

    /** Checks the path and query parameters of a request given by its parts; throws the routed check's problem. */
    public interface ParameterChecks {
        /** {@code path}: decoded path parameters by name; {@code query}: the decoded query string. */
        void check(Map<String, String> path, MultiMap query);
    }

    /**
     * The path and query parameter checks of one operation, the same ones and in the same order as the routed
     * request's (forward-auth asks them of a forwarded URI: issue 12, a non-UUID id was approved there while the
     * API answered 400). Header parameters are the forwarded request's own and are not checked here.
     */
    public ParameterChecks parametersOf(String operationId) {
        List<ParameterCheck> checks = new ArrayList<>();
        for (ParameterCheck c : checks(contract.operation(operationId))) {
            if (c.parameter().getIn() == Location.PATH || c.parameter().getIn() == Location.QUERY) {
                checks.add(c);
            }
        }
        return (path, query) -> {
            for (ParameterCheck check : checks) {
                Parameter p = check.parameter();
                List<String> raw;
                if (p.getIn() == Location.PATH) {
                    String v = path.get(p.getName());
                    raw = v == null ? List.of() : List.of(v);
                } else {
                    raw = query.getAll(p.getName());
                }
                checked(check, parameterValue(raw, check));
            }
        };
    }

    /** Throws the problem of a missing required or an invalid value; the value itself, else. */
    private static Object checked(ParameterCheck check, Object value) {
        if (value == null) {
            if (check.parameter().isRequired()) {
                throw ApiProblem.badRequest(
                        "Parameter '" + check.parameter().getName() + "' is required",
                        check.parameter().getName());
            }
            return null;
        }
        if (check.certainlyValid() != null && check.certainlyValid().test(value)) {
            return value;
        }
        OutputUnit result = check.validator().validate(value);
        if (!result.getValid()) {
            throw ApiProblem.badRequest(
                    "Parameter '" + check.parameter().getName() + "' " + describe(result),
                    check.parameter().getName());
        }
        return value;
    }

    /** The operation's parameter and body checks, as a step of its route (the raw path runs the same one). */
    public Exchange.Step forOperation(String operationId) {
        Operation op = contract.operation(operationId);
        List<ParameterCheck> checks = checks(op);
        boolean bodyRequired =
                op.getRequestBody() != null && op.getRequestBody().isRequired();
        MediaType json = op.getRequestBody() == null
                ? null
                : op.getRequestBody().getContent().get("application/json");
        Validator bodyValidator =
                json == null ? null : contract.getSchemaRepository().validator(json.getSchema());
        List<List<String>> names = json == null ? List.of() : namePaths(op);
        return rc -> {
            Map<String, Object> path = new HashMap<>(4);
            Map<String, Object> query = new HashMap<>(4);
            for (ParameterCheck check : checks) {
                Object value = checked(check, parameterValue(rc, check));
                if (value == null) {
                    continue;
                }
                (check.parameter().getIn() == Location.PATH ? path : query)
                        .put(check.parameter().getName(), value);
            }
            if (bodyValidator == null) {
                rc.put(INPUT, new Input(path, query, null));
                rc.next();
                return;
            }
            Buffer raw = rc.body();
            if (raw != null && raw.length() > BodyLimits.OFFLOAD_ABOVE) {
                // a large body (only operations that declare a larger limit take one) is parsed and checked on a
                // worker thread, so no caller holds an event loop for the time it takes
                rc.vertx()
                        .executeBlocking(() -> checkedBody(rc, bodyRequired, bodyValidator, names), false)
                        .onSuccess(body -> {
                            rc.put(INPUT, new Input(path, query, body));
                            rc.next();
                        })
                        .onFailure(rc::fail);
                return;
            }
            rc.put(INPUT, new Input(path, query, checkedBody(rc, bodyRequired, bodyValidator, names)));
            rc.next();
        };
    }

    private static Object checkedBody(Exchange rc, boolean required, Validator validator, List<List<String>> names) {
        Object body = parseBody(rc, required);
        if (body instanceof JsonObject object) {
            for (List<String> name : names) {
                normalizeName(object, name, 0);
            }
        }
        if (body != null) {
            OutputUnit result = validator.validate(body);
            if (!result.getValid()) {
                String field = firstLocation(result);
                throw ApiProblem.badRequest(
                        (field.isEmpty() ? "The body " : "Field '" + field + "' ") + describe(result),
                        field.isEmpty() ? null : field);
            }
        }
        return body;
    }

    /** NFC-normalizes a name in place (before validation: lengths count the stored form), or refuses it. */
    private static void normalizeName(JsonObject object, List<String> path, int i) {
        Object v = object.getValue(path.get(i));
        if (i == path.size() - 1) {
            if (v instanceof String s) {
                object.put(path.get(i), Names.normalized(String.join(".", path), s));
            }
        } else if (v instanceof JsonObject child) {
            normalizeName(child, path, i + 1);
        }
    }

    /** The body properties marked {@code x-name: true} in the contract (Names), as paths; nested objects included. */
    private List<List<String>> namePaths(Operation op) {
        JsonObject raw = contract.getRawContract();
        JsonObject spec = raw.getJsonObject("paths")
                .getJsonObject(op.getOpenAPIPath())
                .getJsonObject(op.getHttpMethod().name().toLowerCase(java.util.Locale.ROOT));
        Object schema = spec.getJsonObject("requestBody")
                .getJsonObject("content")
                .getJsonObject("application/json")
                .getValue("schema");
        List<List<String>> out = new ArrayList<>();
        collectNames(raw, schema, List.of(), out);
        return List.copyOf(out);
    }

    private static void collectNames(JsonObject raw, Object schema, List<String> prefix, List<List<String>> out) {
        JsonObject s = resolve(raw, schema);
        if (s == null || prefix.size() > 3 || !(s.getValue("properties") instanceof JsonObject props)) {
            return;
        }
        for (String name : props.fieldNames()) {
            JsonObject property = resolve(raw, props.getValue(name));
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            if (property != null && Boolean.TRUE.equals(property.getValue("x-name"))) {
                out.add(List.copyOf(path));
            } else {
                collectNames(raw, property, path, out);
            }
        }
    }

    private static JsonObject resolve(JsonObject raw, Object schema) {
        JsonObject s = schema instanceof JsonObject o ? o : null;
        for (int hops = 0; s != null && s.getValue("$ref") instanceof String ref && hops < 8; hops++) {
            if (!ref.startsWith("#/")) {
                return null;
            }
            Object target = raw;
            for (String part : ref.substring(2).split("/")) {
                target = target instanceof JsonObject j ? j.getValue(part) : null;
            }
            s = target instanceof JsonObject j ? j : null;
        }
        return s;
    }

    /** The JSON body, parsed once; 415 when it is not JSON, 400 when malformed or required and missing. */
    public static Object parseBody(Exchange rc, boolean required) {
        Buffer raw = rc.body();
        if (raw == null || raw.length() == 0) {
            if (required) {
                throw ApiProblem.badRequest("A JSON body is required", null);
            }
            return null;
        }
        String contentType = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !isJson(contentType)) {
            throw FailureHandler.unsupportedMediaType();
        }
        Object value = JsonBody.parse(raw); // bounded in size, width and depth; NUL refused naming the field
        if (value == null) {
            throw ApiProblem.badRequest("The body has the wrong type: null is not allowed here", null);
        }
        return value;
    }

    private static boolean isJson(String contentType) {
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }

    private static Object parameterValue(Exchange rc, ParameterCheck check) {
        Parameter p = check.parameter();
        List<String> raw;
        switch (p.getIn()) {
            case PATH -> {
                String v = rc.pathParam(p.getName());
                raw = v == null ? List.of() : List.of(v);
            }
            case HEADER -> raw = rc.request().headers().getAll(p.getName());
            default -> {
                MultiMap params = rc.queryParams();
                raw = params.getAll(p.getName());
            }
        }
        return parameterValue(raw, check);
    }

    private static Object parameterValue(List<String> raw, ParameterCheck check) {
        Parameter p = check.parameter();
        if (raw.isEmpty()) {
            return null;
        }
        for (String r : raw) {
            if (r.indexOf('\0') >= 0) {
                throw ApiProblem.badRequest(
                        "Parameter '" + p.getName() + "' contains a NUL character, which is not allowed", p.getName());
            }
        }
        if ("array".equals(check.type())) {
            JsonArray items = new JsonArray();
            for (String r : raw) {
                for (String part : p.isExplode() ? List.of(r) : List.of(r.split(",", -1))) {
                    items.add(coerce(part, check.itemType(), p.getName()));
                }
            }
            return items;
        }
        if (raw.size() > 1) {
            throw ApiProblem.badRequest("Parameter '" + p.getName() + "' must be given once", p.getName());
        }
        return coerce(raw.get(0), check.type(), p.getName());
    }

    private static Object coerce(String raw, String type, String name) {
        if (type == null) {
            return raw;
        }
        try {
            return switch (type) {
                case "integer" -> Long.parseLong(raw);
                case "number" -> Double.parseDouble(raw);
                case "boolean" -> {
                    if (!raw.equals("true") && !raw.equals("false")) {
                        throw new NumberFormatException();
                    }
                    yield Boolean.parseBoolean(raw);
                }
                default -> raw;
            };
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("Parameter '" + name + "' must be " + article(type) + " " + type, name);
        }
    }

    private static String article(String type) {
        return type.startsWith("i") ? "an" : "a";
    }

    private static String schemaType(JsonSchema schema) {
        if (schema == null) {
            return null;
        }
        Object t = schema.get("type");
        return t instanceof String s ? s : null;
    }

    private static JsonSchema asSchema(Object o) {
        if (o instanceof JsonSchema s) {
            return s;
        }
        if (o instanceof JsonObject j) {
            return JsonSchema.of(j);
        }
        return null;
    }

    /**
     * The most specific error, the one a person can act on: deepest in the instance, then deepest in the schema
     * (vertx-json-schema also reports the enclosing "properties" and "additionalProperties" keywords for a bad
     * property; those say less).
     */
    private static OutputUnit deepest(OutputUnit unit) {
        List<OutputUnit> all = new ArrayList<>();
        collect(unit, all);
        OutputUnit best = unit;
        for (OutputUnit e : all) {
            int byInstance =
                    Integer.compare(location(e).length(), location(best).length());
            int bySpecificity = Boolean.compare(!isContainerKeyword(e), !isContainerKeyword(best));
            int bySchema = Integer.compare(keywordLength(e), keywordLength(best));
            if (best == unit
                    || byInstance > 0
                    || (byInstance == 0 && (bySpecificity > 0 || (bySpecificity == 0 && bySchema > 0)))) {
                best = e;
            }
        }
        return best;
    }

    private static void collect(OutputUnit unit, List<OutputUnit> out) {
        if (unit.getErrors() != null) {
            for (OutputUnit e : unit.getErrors()) {
                out.add(e);
                collect(e, out);
            }
        }
    }

    private static final java.util.Set<String> CONTAINER_KEYWORDS = java.util.Set.of(
            "properties",
            "additionalProperties",
            "unevaluatedProperties",
            "items",
            "prefixItems",
            "allOf",
            "anyOf",
            "oneOf",
            "$ref");

    /** Keywords that only say "something inside failed"; a genuine extra property has nothing more specific. */
    private static boolean isContainerKeyword(OutputUnit u) {
        String k = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
        return CONTAINER_KEYWORDS.contains(k.substring(k.lastIndexOf('/') + 1));
    }

    private static int keywordLength(OutputUnit u) {
        return u.getKeywordLocation() == null ? 0 : u.getKeywordLocation().length();
    }

    private static String location(OutputUnit u) {
        String loc = u.getInstanceLocation();
        if (loc == null) {
            return "";
        }
        return loc.startsWith("#") ? loc.substring(1) : loc;
    }

    private static String firstLocation(OutputUnit result) {
        OutputUnit e = deepest(result);
        String loc = location(e);
        String field = loc.startsWith("/") ? loc.substring(1).replace('/', '.') : loc;
        if (e.getKeywordLocation() != null && e.getKeywordLocation().endsWith("/required")) {
            String missing = quoted(e.getError() == null ? "" : e.getError());
            if (!missing.isEmpty()) {
                String name = missing.substring(3, missing.length() - 1);
                return field.isEmpty() ? name : field + "." + name;
            }
        }
        return field;
    }

    /**
     * Our own wording per keyword: vertx-json-schema's messages are misleading for some keywords (stack.md), and a
     * person should read what to change.
     */
    private static String describe(OutputUnit result) {
        OutputUnit e = deepest(result);
        String keywordLocation = e.getKeywordLocation() == null ? "" : e.getKeywordLocation();
        String keyword = keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
        String message = e.getError() == null ? "" : e.getError();
        return switch (keyword) {
            case "required" -> "is missing a required property" + quoted(message);
            case "additionalProperties", "unevaluatedProperties" ->
                "has a property that is not allowed" + quoted(message);
            case "minLength" -> "is too short";
            case "maxLength" -> "is too long";
            case "minimum", "exclusiveMinimum" -> "is too small";
            case "maximum", "exclusiveMaximum" -> "is too large";
            case "minItems" -> "has too few items";
            case "maxItems" -> "has too many items";
            case "pattern" -> "has the wrong format";
            case "format" ->
                "is not a valid " + message.replaceAll(".*format ", "").replace("\"", "");
            case "enum", "const" -> "is not one of the allowed values";
            case "type" -> "has the wrong type" + (message.isEmpty() ? "" : " (" + message + ")");
            default -> "does not match the contract" + (message.isEmpty() ? "" : ": " + message);
        };
    }

    private static String quoted(String message) {
        int a = message.indexOf('"');
        int b = a < 0 ? -1 : message.indexOf('"', a + 1);
        return b > a ? ": '" + message.substring(a + 1, b) + "'" : "";
    }
}
