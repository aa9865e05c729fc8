package io.keysmith.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The response check Api runs on every answer does catch an answer the contract does not describe. */
@DisplayName("ResponseContract refuses answers that do not match openapi.yaml")
class ResponseContractTest {
    private static final String ID = "7d0f6c52-8c1e-4d7a-9d1e-2a3b4c5d6e7f";

    private static MultiMap json() {
        return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    }

    private static MultiMap problem() {
        return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/problem+json");
    }

    private static final String PROBLEM_404 =
            "{\"type\":\"https://keysmith.dev/problems/not-found\",\"title\":\"Not found\",\"status\":404}";

    @Test
    @DisplayName("a conforming answer passes, and requests the contract does not describe are not checked")
    void conformingAnswersPass() {
        assertThat(ResponseContract.mismatches(
                        "GET", "/health/live", 200, json(), Buffer.buffer("{\"status\":\"UP\"}")))
                .isEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET", "/api/v1/people/" + ID + "?x=1", 404, problem(), Buffer.buffer(PROBLEM_404)))
                .isEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET", "/metrics", 200, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("x")))
                .isEmpty();
        // the router normalizes these before matching; the tests that send them check the outcome themselves
        assertThat(ResponseContract.mismatches(
                        "GET", "/api/v1/people/..%2Fusers", 405, problem(), Buffer.buffer(PROBLEM_404)))
                .isEmpty();
    }

    @Test
    @DisplayName("an undeclared status, a missing or unknown property, a wrong type or enum, a wrong media type fail")
    void wrongAnswersFail() {
        assertThat(ResponseContract.mismatches(
                        "GET", "/health/live", 418, json(), Buffer.buffer("{\"status\":\"UP\"}")))
                .singleElement()
                .asString()
                .contains("status 418 is not declared");
        assertThat(ResponseContract.mismatches("GET", "/health/live", 200, json(), Buffer.buffer("{}")))
                .isNotEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET", "/health/live", 200, json(), Buffer.buffer("{\"status\":\"UP\",\"secret\":1}")))
                .isNotEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET", "/health/live", 200, json(), Buffer.buffer("{\"status\":\"SIDEWAYS\"}")))
                .isNotEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET",
                        "/api/v1/people/" + ID,
                        200,
                        json(),
                        Buffer.buffer("{\"id\":\"" + ID + "\",\"salary\":\"1\"}")))
                .isNotEmpty();
        assertThat(ResponseContract.mismatches("GET", "/api/v1/people/" + ID, 404, json(), Buffer.buffer(PROBLEM_404)))
                .singleElement()
                .asString()
                .contains("Content-Type application/json is not declared");
        assertThat(ResponseContract.mismatches(
                        "GET", "/health/live", 200, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("")))
                .singleElement()
                .asString()
                .contains("no body");
    }

    @Test
    @DisplayName("a rate-limit header where none is declared, or a malformed declared one, fails")
    void headersAreChecked() {
        MultiMap limited = json().add("RateLimit", "\"key\";r=1;t=2").add("RateLimit-Policy", "\"key\";q=5;w=60");
        String person = "{\"id\":\"" + ID + "\"}";
        assertThat(ResponseContract.mismatches("GET", "/api/v1/people/" + ID, 200, limited, Buffer.buffer(person)))
                .isEmpty();
        assertThat(ResponseContract.mismatches(
                        "GET",
                        "/api/v1/me",
                        401,
                        problem().add("RateLimit", "\"key\";r=1;t=2"),
                        Buffer.buffer("{\"type\":\"u\",\"title\":\"t\",\"status\":401}")))
                .isEmpty(); // Unauthenticated declares the key's RateLimit headers
        assertThat(ResponseContract.mismatches(
                        "GET",
                        "/health/live",
                        200,
                        json().add("Retry-After", "5"),
                        Buffer.buffer("{\"status\":\"UP\"}")))
                .singleElement()
                .asString()
                .contains("Retry-After is sent but not declared");
        assertThat(ResponseContract.mismatches(
                        "GET", "/api/v1/people/" + ID, 200, json().add("RateLimit", "lots"), Buffer.buffer(person)))
                .singleElement()
                .asString()
                .contains("header ratelimit 'lots'");
    }
}
