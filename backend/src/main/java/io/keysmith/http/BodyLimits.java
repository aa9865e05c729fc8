package io.keysmith.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How many bytes of body each operation reads: its {@code x-body-limit} in the contract, else a few KB for an
 * operation anyone may call (sign-up, sign-in, key-format check, invitation) and a little more for a signed-in or
 * key caller; never more than the server's {@code KEYSMITH_HTTP_BODY_LIMIT}. Refused from Content-Length (or as the
 * bytes arrive) with 413 before anything is parsed (issue 13 item 3).
 */
public final class BodyLimits {
    public static final String EXTENSION = "x-body-limit";
    public static final long PUBLIC_DEFAULT = 4 * 1024;
    public static final long AUTHENTICATED_DEFAULT = 16 * 1024;
    /** What an operation anyone may call may declare at most. */
    public static final long PUBLIC_MAX = 8 * 1024;

    /** Bodies above this are parsed and validated on a worker thread, not on an event loop. */
    public static final int OFFLOAD_ABOVE = 8 * 1024;

    private BodyLimits() {}

    /**
     * The limit of one operation of the raw contract (its security as written, or as {@code x-security} in the
     * server's copy: an empty list means anyone may call it).
     */
    public static long of(JsonObject operation, long serverMax) {
        Object declared = operation.getValue(EXTENSION);
        long limit;
        if (declared instanceof Number n) {
            limit = n.longValue();
        } else {
            limit = isPublic(operation) ? PUBLIC_DEFAULT : AUTHENTICATED_DEFAULT;
        }
        return Math.min(limit, serverMax);
    }

    public static boolean isPublic(JsonObject operation) {
        Object security = operation.getValue("x-security", operation.getValue("security"));
        return security instanceof JsonArray a && a.isEmpty();
    }
}
