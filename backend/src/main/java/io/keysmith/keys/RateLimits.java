package io.keysmith.keys;

import io.keysmith.errors.Invalid;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A key's named rate limits (issue 20 item 3, ADR 0021): their bounds, the organization ceiling applied to each, who
 * may loosen them, and how the headers and verify's answer report them. The per-minute limit
 * ({@code rateLimitPerMinute}) stays apart and is reported as the limit named {@code key}, as it always was.
 */
public final class RateLimits {
    public static final String FIELD = "rateLimits";
    /** The per-minute limit's name in the headers and answers (the name it always had there). */
    public static final String KEY = "key";

    static final int MAX_LIMITS = 5;
    static final long MAX_WINDOW_SECONDS = 86_400;
    static final long MAX_LIMIT = 1_000_000;
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");

    private RateLimits() {}

    /** 400 unless {@code limits} is at most 5 well-formed limits with distinct names within the bounds. */
    static void check(Object value) {
        if (!(value instanceof JsonArray limits)) {
            throw new Invalid(FIELD, "Field 'rateLimits' must be an array (empty: no named limits)");
        }
        if (limits.size() > MAX_LIMITS) {
            throw new Invalid(FIELD, "Field 'rateLimits': at most " + MAX_LIMITS + " named limits");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < limits.size(); i++) {
            String at = FIELD + "." + i;
            if (!(limits.getValue(i) instanceof JsonObject l)) {
                throw new Invalid(at, "Field '" + at + "' must be an object");
            }
            for (String f : l.fieldNames()) {
                if (!f.equals("name") && !f.equals("limit") && !f.equals("windowSeconds")) {
                    throw new Invalid(at + "." + f, "Field '" + at + "." + f + "' is not a rate limit's field");
                }
            }
            if (!(l.getValue("name") instanceof String name)
                    || !NAME.matcher(name).matches()) {
                throw new Invalid(at + ".name", "Field '" + at + ".name': 1 to 32 of a-z, 0-9 and '-'");
            }
            if (KEY.equals(name)) {
                throw new Invalid(at + ".name", "Field '" + at + ".name': 'key' is the per-minute limit's name");
            }
            if (!names.add(name)) {
                throw new Invalid(at + ".name", "Field '" + at + ".name': '" + name + "' is named twice");
            }
            long limit = whole(l, "limit", at, 1, MAX_LIMIT);
            long window = whole(l, "windowSeconds", at, 1, MAX_WINDOW_SECONDS);
            assert limit > 0 && window > 0;
        }
    }

    private static long whole(JsonObject l, String field, String at, long min, long max) {
        Object v = l.getValue(field);
        if (!(v instanceof Integer || v instanceof Long)
                || ((Number) v).longValue() < min
                || ((Number) v).longValue() > max) {
            throw new Invalid(
                    at + "." + field, "Field '" + at + "." + field + "' must be a whole number " + min + ".." + max);
        }
        return ((Number) v).longValue();
    }

    /** The first limit (name) whose rate is above the organization's per-minute ceiling, or null. */
    static String aboveCeiling(JsonArray limits, Integer ceiling) {
        if (ceiling == null || limits == null) {
            return null;
        }
        for (Object o : limits) {
            JsonObject l = (JsonObject) o;
            if (capped(l.getLong("limit"), l.getLong("windowSeconds"), ceiling) < l.getLong("limit")) {
                return l.getString("name");
            }
        }
        return null;
    }

    /** The ceiling (per minute) applies to each limit as a rate: at most ceiling x window / 60, at least 1. */
    static long capped(long limit, long windowSeconds, Integer ceiling) {
        if (ceiling == null) {
            return limit;
        }
        long cap = Math.max(1, ceiling * windowSeconds / 60);
        return Math.min(limit, cap);
    }

    /** The stored limits as the verifier spends them, ceiling applied; empty for none (the common case). */
    static List<KeyUsage.RateLimit> of(UUID key, Object stored, Integer ceiling) {
        if (!(stored instanceof JsonArray a) || a.isEmpty()) {
            return List.of();
        }
        List<KeyUsage.RateLimit> out = new ArrayList<>(a.size());
        for (Object o : a) {
            JsonObject l = (JsonObject) o;
            String name = l.getString("name");
            long window = l.getLong("windowSeconds");
            out.add(new KeyUsage.RateLimit(name, id(key, name), capped(l.getLong("limit"), window, ceiling), window));
        }
        return List.copyOf(out);
    }

    /** A named limit's budget id: opaque like a key id, the same on every replica (not a secret, not a hash of one). */
    static UUID id(UUID key, String name) {
        return UUID.nameUUIDFromBytes((key + "/" + name).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether {@code after} admits a request {@code before} refuses: a limit of {@code before} gone, or raised, or
     * over a shorter window. Adding limits only tightens.
     */
    static boolean looser(JsonArray before, JsonArray after) {
        for (Object o : before == null ? new JsonArray() : before) {
            JsonObject b = (JsonObject) o;
            JsonObject a = null;
            for (Object x : after == null ? new JsonArray() : after) {
                if (b.getString("name").equals(((JsonObject) x).getString("name"))) {
                    a = (JsonObject) x;
                }
            }
            if (a == null
                    || a.getLong("limit") > b.getLong("limit")
                    || a.getLong("windowSeconds") < b.getLong("windowSeconds")) {
                return true;
            }
        }
        return false;
    }

    /** The IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10): one item a limit. */
    static void headers(HttpServerResponse response, KeyUsage.Limit d) {
        StringBuilder policy = new StringBuilder(96);
        StringBuilder state = new StringBuilder(96);
        for (KeyUsage.Named n : d.named()) {
            if (n.limit() <= 0) {
                continue; // limiting off
            }
            if (!policy.isEmpty()) {
                policy.append(", ");
                state.append(", ");
            }
            policy.append('"')
                    .append(n.name())
                    .append("\";q=")
                    .append(n.limit())
                    .append(";w=")
                    .append(n.windowSeconds());
            state.append('"')
                    .append(n.name())
                    .append("\";r=")
                    .append(n.remaining())
                    .append(";t=")
                    .append(n.resetSeconds());
        }
        if (!policy.isEmpty()) {
            response.putHeader("RateLimit-Policy", policy.toString());
            response.putHeader("RateLimit", state.toString());
        }
    }

    /** verify's {@code rateLimits} (every limit's state) and, refused, {@code rateLimitedBy}; names are [a-z0-9-]. */
    static void answer(StringBuilder b, KeyUsage.Limit d) {
        b.append(",\"rateLimits\":[");
        boolean first = true;
        for (KeyUsage.Named n : d.named()) {
            if (n.limit() <= 0) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"name\":\"")
                    .append(n.name())
                    .append("\",\"limit\":")
                    .append(n.limit())
                    .append(",\"windowSeconds\":")
                    .append(n.windowSeconds())
                    .append(",\"remaining\":")
                    .append(n.remaining())
                    .append(",\"resetSeconds\":")
                    .append(n.resetSeconds())
                    .append('}');
        }
        b.append(']');
        String by = d.refusedBy();
        if (by != null) {
            b.append(",\"rateLimitedBy\":\"").append(by).append('"');
        }
    }

    /** The refusal's detail for a key with named limits: which one, and its size. */
    static String detail(KeyUsage.Limit d) {
        return "This key is over its limit '" + d.refusedBy() + "' of " + d.limit() + " requests per "
                + d.windowSeconds() + " s";
    }
}
