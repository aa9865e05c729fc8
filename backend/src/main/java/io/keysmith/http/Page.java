package io.keysmith.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keyset pagination: a page is fetched with one extra row; if it came, the last row of the page becomes an opaque
 * {@code next} cursor. Cursors are base64url of the ordering key, never an offset.
 */
public final class Page {
    public static final int DEFAULT_LIMIT = 50;

    private Page() {}

    public static int limit(RequestValidation.Input in) {
        Object l = in.query().get("limit");
        return l == null ? DEFAULT_LIMIT : ((Number) l).intValue();
    }

    public static Optional<String> cursor(RequestValidation.Input in) {
        Object a = in.query().get("after");
        if (a == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode((String) a), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("Parameter 'after' is not a cursor this server issued", "after");
        }
    }

    public static long longCursor(String decoded) {
        try {
            return Long.parseLong(decoded);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("Parameter 'after' is not a cursor this server issued", "after");
        }
    }

    public static String encode(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    public static JsonObject of(JsonArray rowsPlusOne, int limit, Function<JsonObject, String> cursorOf) {
        JsonObject page = new JsonObject();
        if (rowsPlusOne.size() > limit) {
            JsonArray items = new JsonArray(rowsPlusOne.getList().subList(0, limit));
            page.put("items", items).put("next", cursorOf.apply(items.getJsonObject(limit - 1)));
        } else {
            page.put("items", rowsPlusOne);
        }
        return page;
    }
}
