package io.keysmith.leaks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.keysmith.errors.TooMany;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where leaks are reported: GitHub's secret scanning partner endpoint (signed by GitHub; answered in GitHub's feedback
 * format, the token as its SHA-256 so no secret is echoed), and the public revocation API (anyone; one answer
 * whatever was sent, given before the work is done so its timing says nothing either; throttled per address, and a
 * bounded number of batches at work at once).
 */
public final class LeakHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(LeakHandlers.class);
    public static final String SIGNATURE = "Github-Public-Key-Signature";
    public static final String KEY_IDENTIFIER = "Github-Public-Key-Identifier";
    /** Revocation batches at work at once on this replica; past it callers are asked to come back. */
    static final int MAX_BATCHES_AT_WORK = 16;

    private final LeakService leaks;
    private final GitHubKeys github;
    private final ClientAddress client;
    private final int revocationsPerMinute;
    private final Cache<String, AtomicInteger> revocations = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();
    private final AtomicInteger atWork = new AtomicInteger();

    public LeakHandlers(LeakService leaks, GitHubKeys github, ClientAddress client, int revocationsPerMinute) {
        this.leaks = leaks;
        this.github = github;
        this.client = client;
        this.revocationsPerMinute = revocationsPerMinute;
    }

    /** GitHub's partner call: a JSON array of {token, type, url, source}, signed over the raw body. */
    public void github(RoutingContext rc) {
        Buffer raw = rc.body().buffer();
        JsonArray items = (JsonArray) RequestValidation.input(rc).body();
        String address = client.address(rc);
        github.verify(rc.request().getHeader(KEY_IDENTIFIER), rc.request().getHeader(SIGNATURE), raw)
                .compose(ok -> {
                    if (!ok) {
                        throw new ApiProblem(
                                401,
                                "signature-invalid",
                                "Authentication required",
                                "The request is not signed by GitHub (" + SIGNATURE + " with the key named by "
                                        + KEY_IDENTIFIER + ")",
                                null);
                    }
                    List<LeakService.Report> reports = new ArrayList<>(items.size());
                    for (Object o : items) {
                        JsonObject i = (JsonObject) o;
                        reports.add(new LeakService.Report(
                                i.getString("token"), i.getString("type"), i.getString("url"), i.getString("source")));
                    }
                    return leaks.report(reports, "GitHub secret scanning", "github", address);
                })
                .onSuccess(outcomes -> {
                    JsonArray feedback = new JsonArray();
                    for (LeakService.Outcome o : outcomes) {
                        feedback.add(new JsonObject()
                                .put("token_hash", sha256Hex(o.report().token()))
                                .put("token_type", o.report().type())
                                .put("label", o.keysmithSecret() ? "true_positive" : "false_positive"));
                    }
                    Responses.json(rc, 200, feedback.toBuffer());
                })
                .onFailure(rc::fail);
    }

    /** Anyone who finds Keysmith secrets: up to 1,000 per request, no account, the same answer whatever they are. */
    public void revoke(RoutingContext rc) {
        String address = client.address(rc);
        AtomicInteger used = revocations.get(address, a -> new AtomicInteger());
        if (used.incrementAndGet() > revocationsPerMinute) {
            throw new TooMany("Too many revocation requests from this address; try again in a minute", 60);
        }
        if (atWork.incrementAndGet() > MAX_BATCHES_AT_WORK) {
            atWork.decrementAndGet();
            throw new TooMany("Revocation requests are queued; try again shortly", 1);
        }
        JsonArray credentials = RequestValidation.input(rc).bodyObject().getJsonArray("credentials");
        List<LeakService.Report> reports = new ArrayList<>(credentials.size());
        for (Object o : credentials) {
            reports.add(new LeakService.Report((String) o, null, null, "revocation-api"));
        }
        Responses.json(rc, 202, new JsonObject().put("status", "received"));
        leaks.report(reports, "Public revocation API", "public", address)
                .onFailure(e -> LOG.warn("A public revocation batch failed: {}", e.toString()))
                .onComplete(x -> atWork.decrementAndGet());
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest((token == null ? "" : token).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
