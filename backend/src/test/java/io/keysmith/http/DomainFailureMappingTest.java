package io.keysmith.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keysmith.errors.Conflict;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.keysmith.errors.TooMany;
import io.keysmith.errors.Unauthenticated;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bodies the services' refusals had when each built its own ApiProblem, now made in one place: status by kind,
 * the type, title, detail and field exactly as before (clients and the SPA switch on them).
 */
@DisplayName("Every domain refusal becomes the problem+json it was before the services stopped building them")
class DomainFailureMappingTest {

    private static JsonObject body(RuntimeException e) {
        return FailureHandler.problemOf((io.keysmith.errors.DomainException) e).toJson("/api/v1/x");
    }

    private static JsonObject problem(int status, String type, String title, String detail, String field) {
        JsonObject j = new JsonObject()
                .put("type", "https://keysmith.dev/problems/" + type)
                .put("title", title)
                .put("status", status);
        if (detail != null) {
            j.put("detail", detail);
        }
        if (field != null) {
            j.put("field", field);
        }
        return j.put("instance", "/api/v1/x");
    }

    @Test
    void aMissingPermission_isA403NamingThePermission() {
        Forbidden f = Forbidden.missing("people:read");
        assertThat(f.permission()).isEqualTo("people:read");
        assertThat(body(f))
                .isEqualTo(problem(
                        403, "permission-missing", "Forbidden", "This needs the permission 'people:read'", null));
    }

    @Test
    void escalationsAndOtherRulesOfWhoMayDoWhat_are403WithTheirOwnType() {
        assertThat(body(Forbidden.escalation("You cannot grant x", "permissions.0")))
                .isEqualTo(problem(403, "escalation", "Forbidden", "You cannot grant x", "permissions.0"));
        assertThat(body(Forbidden.because("Only an admin", "expiresAt")))
                .isEqualTo(problem(403, "forbidden", "Forbidden", "Only an admin", "expiresAt"));
        assertThat(body(new Forbidden("record-scope", "Your access level reaches only your own record", null)))
                .isEqualTo(problem(
                        403, "record-scope", "Forbidden", "Your access level reaches only your own record", null));
        assertThat(body(new Forbidden("sign-up-disabled", "Through its operator", null)))
                .isEqualTo(problem(403, "sign-up-disabled", "Sign-up is disabled", "Through its operator", null));
    }

    @Test
    void notFound_conflict_andInvalid_keepTheirTypesTitlesAndFields() {
        assertThat(body(new NotFound("No such user")))
                .isEqualTo(problem(404, "not-found", "Not found", "No such user", null));
        assertThat(body(new Conflict("name-taken", "Taken", "name")))
                .isEqualTo(problem(409, "name-taken", "Conflict", "Taken", "name"));
        assertThat(body(new Conflict("email-taken", "Taken")))
                .isEqualTo(problem(409, "email-taken", "Conflict", "Taken", null));
        assertThat(body(new Invalid("partnerId", "Field 'partnerId' names no partner")))
                .isEqualTo(problem(
                        400,
                        "invalid-request",
                        "The request is invalid",
                        "Field 'partnerId' names no partner",
                        "partnerId"));
        assertThat(body(Invalid.policy("expiresAt", "Keys may live at most 30 days")))
                .isEqualTo(problem(
                        400,
                        "policy-violation",
                        "Against the organization's key policy",
                        "Keys may live at most 30 days",
                        "expiresAt"));
    }

    @Test
    void unauthenticated_andAFailedSignIn_are401s() {
        assertThat(body(Unauthenticated.required()))
                .isEqualTo(problem(401, "unauthenticated", "Authentication required", null, null));
        assertThat(body(Unauthenticated.wrongCredentials()))
                .isEqualTo(
                        problem(401, "invalid-credentials", "Sign-in failed", "The e-mail or password is wrong", null));
    }

    @Test
    void throttling_isA429CarryingRetryAfter() {
        ApiProblem p = FailureHandler.problemOf(new TooMany("Too many sign-ins; try again in 7 seconds", 7));
        assertThat(p.retryAfterSeconds()).isEqualTo(7);
        assertThat(p.toJson("/api/v1/x"))
                .isEqualTo(problem(
                        429,
                        "too-many-requests",
                        "Too many attempts",
                        "Too many sign-ins; try again in 7 seconds",
                        null));
    }

    @Test
    void anUnreachableIdentityProvider_isA503CarryingRetryAfter() {
        ApiProblem p = FailureHandler.problemOf(
                new io.keysmith.errors.Unavailable("identity-provider-unavailable", "It could not be reached", 30));
        assertThat(p.retryAfterSeconds()).isEqualTo(30);
        assertThat(p.toJson("/api/v1/x"))
                .isEqualTo(problem(
                        503, "identity-provider-unavailable", "Service unavailable", "It could not be reached", null));
    }
}
