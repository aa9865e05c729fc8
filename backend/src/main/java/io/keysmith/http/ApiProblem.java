package io.keysmith.http;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a known meaning, rendered as RFC 9457 problem+json by {@link FailureHandler}. {@code type} is a
 * stable identifier clients may switch on; {@code detail} is for humans and never carries a secret.
 */
public final class ApiProblem extends RuntimeException {
    public static final String TYPE_BASE = "https://keysmith.dev/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final String field;
    private int retryAfterSeconds;
    private String challenge;

    public ApiProblem(int status, String type, String title, String detail, String field) {
        super(detail, null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.status = status;
        this.type = type;
        this.title = title;
        this.field = field;
    }

    public static ApiProblem badRequest(String detail, String field) {
        return new ApiProblem(400, "invalid-request", "The request is invalid", detail, field);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail, null);
    }

    public static ApiProblem conflict(String type, String detail) {
        return new ApiProblem(409, type, "Conflict", detail, null);
    }

    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "unavailable", "Service unavailable", detail, null);
    }

    /** Sent as the Retry-After header (429, 503). */
    public ApiProblem retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Sent as WWW-Authenticate (401), only when the request used that scheme. */
    public ApiProblem challenge(String value) {
        this.challenge = value;
        return this;
    }

    public String challenge() {
        return challenge;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public JsonObject toJson(String instance) {
        JsonObject json = new JsonObject()
                .put("type", TYPE_BASE + type)
                .put("title", title)
                .put("status", status);
        if (getMessage() != null) {
            json.put("detail", getMessage());
        }
        if (field != null) {
            json.put("field", field);
        }
        if (instance != null) {
            json.put("instance", instance);
        }
        return json;
    }
}
