package io.keysmith.oauth;

/**
 * An RFC 6749 §5.2 error (the OAuth endpoints' one documented exception to problem+json): {@code error} and a
 * human {@code error_description}; {@code challenge}: answer with {@code WWW-Authenticate: Basic} (the client used
 * HTTP Basic).
 */
public final class OAuthError extends RuntimeException {
    private final int status;
    private final String error;
    private final boolean challenge;
    private final int retryAfter;

    private OAuthError(int status, String error, String description, boolean challenge, int retryAfter) {
        super(description, null, false, false); // an answer, not a fault: no stack trace
        this.status = status;
        this.error = error;
        this.challenge = challenge;
        this.retryAfter = retryAfter;
    }

    public static OAuthError invalidRequest(String description) {
        return new OAuthError(400, "invalid_request", description, false, 0);
    }

    public static OAuthError invalidClient(boolean basic) {
        return new OAuthError(401, "invalid_client", "Client authentication failed", basic, 0);
    }

    public static OAuthError throttled() {
        return new OAuthError(
                429,
                "invalid_client",
                "Too many failed client authentications from this address; try again in a minute",
                false,
                60);
    }

    public static OAuthError unsupportedGrantType() {
        return new OAuthError(
                400, "unsupported_grant_type", "Only grant_type=client_credentials is supported", false, 0);
    }

    public static OAuthError invalidScope(String description) {
        return new OAuthError(400, "invalid_scope", description, false, 0);
    }

    public static OAuthError serverError(String description) {
        return new OAuthError(500, "server_error", description, false, 0);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public boolean challenge() {
        return challenge;
    }

    public int retryAfter() {
        return retryAfter;
    }
}
