package io.keysmith.leaks;

import io.keysmith.audit.AuditAction;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.config.ServerSecret;
import io.keysmith.db.Db;
import io.keysmith.keys.KeyFormat;
import io.keysmith.keys.KeyHasher;
import io.keysmith.keys.KeyRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The response to a reported leak (GitHub secret scanning, the public revocation API). A reported string that is not
 * a well-formed Keysmith secret costs no database work; the rest are hashed with every version of the server secret
 * and looked up in one round trip. Each key found is handled in its organization's transaction by its policy
 * (revoke by default, disable, or only notify; a leaked previous secret loses its rotation grace) and audited as
 * {@code key.leaked} with where it was found, naming the owner: the notifications built from audit events tell the
 * owner and the organization's credential admins. The key's version moves in that transaction, so every replica
 * drops its cached verdict when the change is announced; this replica at once.
 */
public final class LeakService {
    /** One reported string and where it was found ({@code url}, {@code source}: GitHub's fields, may be null). */
    public record Report(String token, String type, String url, String source) {}

    /** Per report, in order: whether it is a Keysmith secret (GitHub's true_positive). */
    public record Outcome(Report report, boolean keysmithSecret) {}

    private final Db db;
    private final LeakRepository leaks;
    private final KeyRepository keys;
    private final KeyHasher hasher;
    private final AuditRepository audit;
    private final MeterRegistry metrics;
    private Consumer<UUID> changed = org -> {};

    public LeakService(
            Db db,
            LeakRepository leaks,
            KeyRepository keys,
            KeyHasher hasher,
            AuditRepository audit,
            MeterRegistry metrics) {
        this.db = db;
        this.leaks = leaks;
        this.keys = keys;
        this.hasher = hasher;
        this.audit = audit;
        this.metrics = metrics;
        // every series exists from the start, so alerts and dashboards see 0 rather than no data
        for (String channel : new String[] {"github", "public"}) {
            for (String label : new String[] {"true_positive", "false_positive"}) {
                metrics.counter("keysmith.leak.reports", "channel", channel, "label", label);
            }
        }
        for (String action : new String[] {"REVOKED", "DISABLED", "NOTIFIED", "GRACE_ENDED"}) {
            metrics.counter("keysmith.leaked.keys", "action", action);
        }
    }

    /** Called with the organization after a committed leak response (the key cache of this replica). */
    public void onChange(Consumer<UUID> listener) {
        this.changed = listener;
    }

    /**
     * Handles {@code reports} found by {@code reporter} (the audit's actor label, e.g. "GitHub secret scanning"),
     * received from {@code address}; {@code channel} names the way in for metrics ("github", "public").
     */
    public Future<List<Outcome>> report(List<Report> reports, String reporter, String channel, String address) {
        Map<String, Integer> byHash = new LinkedHashMap<>();
        List<byte[]> hashes = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < reports.size(); i++) {
            String token = reports.get(i).token();
            if (token == null || !KeyFormat.isKeysmithSecret(token)) {
                continue; // noise, or another vendor's secret: no database work
            }
            for (ServerSecret.Version v : hasher.secret().versions()) {
                byte[] h = hasher.hash(token, v);
                if (byHash.putIfAbsent(hex.formatHex(h), i) == null) {
                    hashes.add(h);
                }
            }
        }
        if (hashes.isEmpty()) {
            return Future.succeededFuture(outcomes(reports, new boolean[reports.size()], channel));
        }
        return leaks.keysByHashes(db.pool(), hashes).compose(matches -> {
            boolean[] found = new boolean[reports.size()];
            // per organization, each key once (the first report that named it says where it was found)
            Map<UUID, Map<UUID, LeakRepository.Match>> byOrg = new LinkedHashMap<>();
            Map<UUID, Report> firstReport = new LinkedHashMap<>();
            for (LeakRepository.Match m : matches) {
                int index = byHash.get(m.hashHex());
                found[index] = true;
                byOrg.computeIfAbsent(m.organization(), o -> new LinkedHashMap<>())
                        .putIfAbsent(m.key(), m);
                firstReport.putIfAbsent(m.key(), reports.get(index));
            }
            List<Future<Void>> orgs = new ArrayList<>();
            byOrg.forEach((org, keysOfOrg) ->
                    orgs.add(respond(org, keysOfOrg.values(), firstReport, reporter, address, channel)));
            return Future.join(orgs).map(x -> outcomes(reports, found, channel));
        });
    }

    private Future<Void> respond(
            UUID org,
            java.util.Collection<LeakRepository.Match> found,
            Map<UUID, Report> where,
            String reporter,
            String address,
            String channel) {
        List<LeakRepository.Match> keysFound = new ArrayList<>(found);
        return db.inOrganization(
                        org,
                        t -> leaks.leakResponse(t)
                                .compose(policy -> keys.respondToLeaks(
                                                t,
                                                keysFound.stream()
                                                        .map(LeakRepository.Match::key)
                                                        .toList(),
                                                policy,
                                                keysFound.stream()
                                                        .map(LeakRepository.Match::previous)
                                                        .toList())
                                        .compose(changedKeys -> {
                                            List<AuditEvent> events = new ArrayList<>();
                                            for (int i = 0; i < keysFound.size(); i++) {
                                                JsonObject key = changedKeys.get(i);
                                                if (key == null) {
                                                    continue; // revoked already: nothing to stop
                                                }
                                                LeakRepository.Match m = keysFound.get(i);
                                                Report r = where.get(m.key());
                                                String action = m.previous()
                                                        ? (policy.equals("REVOKE") ? "REVOKED" : "GRACE_ENDED")
                                                        : switch (policy) {
                                                            case "REVOKE" -> "REVOKED";
                                                            case "DISABLE" -> "DISABLED";
                                                            default -> "NOTIFIED";
                                                        };
                                                metrics.counter("keysmith.leaked.keys", "action", action)
                                                        .increment();
                                                events.add(AuditEvent.by(
                                                                null,
                                                                AuditAction.KEY_LEAKED,
                                                                "api-key",
                                                                m.key(),
                                                                address)
                                                        .label(reporter)
                                                        .with("name", key.getString("name"))
                                                        .with("ownerUserId", key.getString("ownerUserId"))
                                                        .with("reportedBy", channel)
                                                        .with("url", bounded(r.url(), 2000))
                                                        .with("source", bounded(r.source(), 100))
                                                        .with("secret", m.previous() ? "PREVIOUS" : "CURRENT")
                                                        .with("policy", policy)
                                                        .with("action", action)
                                                        .with("status", key.getString("status")));
                                            }
                                            return audit.appendAll(t, events);
                                        })))
                .onSuccess(x -> changed.accept(org));
    }

    private List<Outcome> outcomes(List<Report> reports, boolean[] found, String channel) {
        List<Outcome> out = new ArrayList<>(reports.size());
        int positives = 0;
        for (int i = 0; i < reports.size(); i++) {
            out.add(new Outcome(reports.get(i), found[i]));
            positives += found[i] ? 1 : 0;
        }
        metrics.counter("keysmith.leak.reports", "channel", channel, "label", "true_positive")
                .increment(positives);
        metrics.counter("keysmith.leak.reports", "channel", channel, "label", "false_positive")
                .increment(reports.size() - positives);
        return out;
    }

    private static String bounded(String s, int max) {
        return s == null ? null : s.length() <= max ? s : s.substring(0, max);
    }
}
