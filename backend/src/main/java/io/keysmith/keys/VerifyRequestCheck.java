package io.keysmith.keys;

import io.keysmith.http.ApiProblem;
import io.keysmith.http.Exchange;
import io.keysmith.http.RequestValidation;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The verification route's request check, written by hand because it is the hottest route (ADR 0004): equal to
 * the contract's VerifyRequest schema, which VerifyRequestCheckTest proves on generated bodies by comparing every
 * verdict with the schema validator's.
 */
public final class VerifyRequestCheck {
    private static final Pattern PERMISSION = Pattern.compile("^[a-z][a-z-]*:[a-z][a-z-]*$");

    private VerifyRequestCheck() {}

    public static Exchange.Step handler() {
        return rc -> {
            Object body = RequestValidation.parseBody(rc, true);
            ApiProblem problem = check(body);
            if (problem != null) {
                throw problem;
            }
            rc.put(RequestValidation.INPUT, new RequestValidation.Input(Map.of(), Map.of(), body));
            rc.next();
        };
    }

    /** Null when {@code body} is a valid VerifyRequest; otherwise the problem naming the field. */
    public static ApiProblem check(Object body) {
        if (!(body instanceof JsonObject json)) {
            return ApiProblem.badRequest("The body has the wrong type (expected an object)", null);
        }
        for (String name : json.fieldNames()) {
            if (!name.equals("key")
                    && !name.equals("permissions")
                    && !name.equals("ipAddress")
                    && !name.equals("includeRemaining")
                    && !name.equals("cost")) {
                return ApiProblem.badRequest(
                        "Field '" + name + "' has a property that is not allowed: '" + name + "'", name);
            }
        }
        Object key = json.getValue("key");
        if (key == null && !json.containsKey("key")) {
            return ApiProblem.badRequest("Field 'key' is missing a required property: 'key'", "key");
        }
        if (!(key instanceof String k)) {
            return ApiProblem.badRequest("Field 'key' has the wrong type", "key");
        }
        int length = k.codePointCount(0, k.length());
        if (length < 1) {
            return ApiProblem.badRequest("Field 'key' is too short", "key");
        }
        if (length > 8192) { // a key, or an access token (issue 16)
            return ApiProblem.badRequest("Field 'key' is too long", "key");
        }
        if (json.containsKey("permissions")) {
            if (!(json.getValue("permissions") instanceof io.vertx.core.json.JsonArray list)) {
                return ApiProblem.badRequest("Field 'permissions' has the wrong type", "permissions");
            }
            if (list.size() > 50) {
                return ApiProblem.badRequest("Field 'permissions' has too many items", "permissions");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!(list.getValue(i) instanceof String p)) {
                    return ApiProblem.badRequest(
                            "Field 'permissions." + i + "' has the wrong type", "permissions." + i);
                }
                if (!PERMISSION.matcher(p).find()) {
                    return ApiProblem.badRequest(
                            "Field 'permissions." + i + "' has the wrong format", "permissions." + i);
                }
            }
        }
        if (json.containsKey("includeRemaining") && !(json.getValue("includeRemaining") instanceof Boolean)) {
            return ApiProblem.badRequest("Field 'includeRemaining' has the wrong type", "includeRemaining");
        }
        if (json.containsKey("cost")) {
            Object cost = json.getValue("cost");
            boolean integral = cost instanceof Integer
                    || cost instanceof Long
                    || (cost instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
            if (!integral) {
                return ApiProblem.badRequest("Field 'cost' has the wrong type", "cost");
            }
            double c = ((Number) cost).doubleValue();
            if (c < 0) {
                return ApiProblem.badRequest("Field 'cost' is below the minimum (0)", "cost");
            }
            if (c > 1000) {
                return ApiProblem.badRequest("Field 'cost' is above the maximum (1000)", "cost");
            }
        }
        if (json.containsKey("ipAddress")) {
            if (!(json.getValue("ipAddress") instanceof String ip)) {
                return ApiProblem.badRequest("Field 'ipAddress' has the wrong type", "ipAddress");
            }
            if (ip.codePointCount(0, ip.length()) > 64) {
                return ApiProblem.badRequest("Field 'ipAddress' is too long", "ipAddress");
            }
        }
        return null;
    }
}
