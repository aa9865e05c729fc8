package io.keysmith.keys;

import io.keysmith.config.Cidr;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Exchange;
import io.keysmith.http.RequestValidation;
import io.keysmith.keys.Verification.Reason;
import io.keysmith.keys.Verification.Refused;
import io.keysmith.keys.Verification.Valid;
import io.vertx.core.MultiMap;
import io.vertx.core.internal.net.RFC3986;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Forward authentication for gateways that cannot send a body (BRIEF's protocol, ADR 0007): the partner's key
 * arrives in the forwarded Authorization header, the original method and URI in X-Forwarded-* / X-Original-*
 * headers; the answer is exactly the decision the API takes at its authentication, authorization and rate-limit
 * stages for the operation the router would run for that method and URI. The gateway is trusted through its own
 * Verification key or its source address; a gateway key of one organization never authorizes (nor meters) another
 * organization's key. Every non-2xx answer says its real status in {@code X-Keysmith-Status}; with
 * {@code X-Keysmith-Gateway-Mode: auth-request} (nginx passes only 2xx/401/403 from an auth subrequest) the status
 * itself is 401 or 403.
 */
public final class ForwardAuthHandlers {
    public static final String GATEWAY =
            "keysmith.gateway"; // public: OAuth introspection is authenticated as verify (issue 16)
    static final String STATUS = "X-Keysmith-Status";

    /** The authenticated gateway: its organization, or null when trusted by address (any organization). */
    public record Gateway(UUID organization) {}

    private final KeyOperations operations;
    private final KeyOperations.Rule gatewayRule;
    private final KeyVerifier verifier;
    private final KeyAuthHandler keys;
    private final ClientAddress client;
    private final List<Cidr> gatewayCidrs;
    private final String addressHeader;
    /** The path and query checks of every operation keys may call, as its route runs them (by operationId). */
    private final Map<String, RequestValidation.ParameterChecks> parameters = new HashMap<>();

    public ForwardAuthHandlers(
            KeyOperations operations,
            KeyVerifier verifier,
            KeyAuthHandler keys,
            ClientAddress client,
            List<Cidr> gatewayCidrs,
            String addressHeader,
            RequestValidation validation) {
        if (operations != null) {
            for (KeyOperations.Rule rule : operations.rules()) {
                if (rule.acceptsKeys()) {
                    parameters.put(rule.operationId(), validation.parametersOf(rule.operationId()));
                }
            }
        }
        this.operations = operations;
        this.gatewayRule = operations == null ? null : operations.rule("forwardAuth");
        this.verifier = verifier;
        this.keys = keys;
        this.client = client;
        this.gatewayCidrs = gatewayCidrs;
        this.addressHeader = addressHeader;
    }

    /** First on the route: the real status in X-Keysmith-Status on every non-2xx answer, mapped for nginx. */
    public Exchange.Step statusHeaders() {
        return rc -> {
            boolean authRequest = "auth-request".equalsIgnoreCase(rc.request().getHeader("X-Keysmith-Gateway-Mode"));
            rc.addHeadersEndHandler(v -> {
                int status = rc.response().getStatusCode();
                if (status >= 300) {
                    rc.response().putHeader(STATUS, Integer.toString(status));
                    if (authRequest && status != 401 && status != 403) {
                        rc.response().setStatusCode(403);
                    }
                }
            });
            rc.next();
        };
    }

    /** Authenticates the gateway: its Verification key in X-Keysmith-Gateway-Key, or a trusted source address. */
    public Exchange.Step gatewayAuthentication() {
        return rc -> {
            String address = client.address(rc.request());
            String gatewayKey = rc.request().getHeader("X-Keysmith-Gateway-Key");
            if (gatewayKey == null) {
                if (inGatewayCidrs(address)) {
                    rc.put(GATEWAY, new Gateway(null));
                    rc.next();
                } else {
                    rc.fail(KeyAuthHandler.unauthenticated(
                            "The gateway must present its Verification key or call from KEYSMITH_GATEWAY_CIDRS",
                            false));
                }
                return;
            }
            if (verifier.throttled(address)) {
                rc.fail(KeyAuthHandler.problem(Refused.of(Reason.THROTTLED), false));
                return;
            }
            // the gateway's own key: verified, not rate-limited (the partner's request is what is counted)
            verifier.verify(gatewayKey, address, gatewayRule, null).onComplete(ar -> {
                if (ar.failed()) {
                    rc.fail(ar.cause());
                } else if (ar.result() instanceof Valid ok) {
                    rc.put(GATEWAY, new Gateway(ok.key().organizationId()));
                    rc.next();
                } else {
                    verifier.failed(address, ar.result());
                    rc.fail(KeyAuthHandler.problem((Refused) ar.result(), false));
                }
            });
        };
    }

    /** The operation's handler, the last step of its route. */
    public Exchange.Step handler() {
        return this::forwardAuth;
    }

    void forwardAuth(Exchange rc) {
        long start = System.nanoTime();
        Gateway gateway = rc.get(GATEWAY);
        MultiMap h = rc.request().headers();
        String method = first(h.get("X-Forwarded-Method"), h.get("X-Original-Method"), "GET");
        String forwardedUri = first(h.get("X-Forwarded-Uri"), h.get("X-Original-URI"), null);
        if (forwardedUri == null) {
            throw ApiProblem.badRequest(
                    "Forward X-Forwarded-Uri (or X-Original-URI) with the original request URI", "X-Forwarded-Uri");
        }
        int fragment = forwardedUri.indexOf('#'); // a client never sends its fragment to the API
        String uri = fragment < 0 ? forwardedUri : forwardedUri.substring(0, fragment);
        String partnerAddress = client.address(rc.request());
        String forwarded = h.get(addressHeader);
        if (forwarded != null) {
            partnerAddress = KeyVerifier.ipLiteral(forwarded.trim());
            if (partnerAddress == null) {
                throw ApiProblem.badRequest("Header " + addressHeader + " is not an IP address", addressHeader);
            }
        }
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        if (ambiguous(rawPath)) {
            refuse(rc, Refused.of(Reason.AMBIGUOUS_URI), null, start, gateway);
            return;
        }
        KeyOperations.Match match = operations.match(method, RFC3986.normalizePath(rawPath));
        KeyOperations.Rule rule = match == null ? null : match.rule();
        if (rule == null) {
            refuse(rc, Refused.of(Reason.UNKNOWN_OPERATION), null, start, gateway);
            return;
        }
        if (!rule.acceptsKeys()) {
            refuse(rc, Refused.of(Reason.NOT_FOR_KEYS), rule, start, gateway);
            return;
        }
        MultiMap query = q < 0 ? EMPTY : queryOf(uri);
        if (q >= 0 && KeyAuthHandler.keyInQuery(query)) {
            refuse(rc, Refused.of(Reason.KEY_IN_URL), rule, start, gateway);
            return;
        }
        String header = rc.request().getHeader("Authorization");
        if (header == null) {
            rc.fail(KeyAuthHandler.unauthenticated(KeyAuthHandler.NO_KEY, false));
            return;
        }
        String address = partnerAddress;
        keys.decide(header, address, rule, gateway.organization()).onComplete(ar -> {
            if (ar.failed()) {
                rc.fail(ar.cause());
                return;
            }
            Verification v = ar.result();
            rc.addHeadersEndHandler(
                    x -> verifier.meter(v, rule.operationId(), rc.response().getStatusCode(), address));
            if (v instanceof Valid ok) {
                KeyPrincipal p = ok.key();
                KeyAuthHandler.rateLimitHeaders(rc.response(), ok.limit());
                KeyAuthHandler.quotaHeaders(rc.response(), ok.quota());
                ApiProblem invalid = invalidParameters(rule, match, query);
                if (invalid != null) {
                    // the API's next stage after the key's: its request validation refuses what its route would
                    verifier.verification(
                            p.organizationId(), KeyUsage.Outcome.of(400).name(), System.nanoTime() - start);
                    rc.fail(invalid);
                    return;
                }
                verifier.verification(p.organizationId(), "ALLOWED", System.nanoTime() - start);
                if (p.metadataJson() != null) {
                    // governance (issue 20 item 4): for the gateway to route or tag; never an authorization input
                    rc.response().putHeader("X-Keysmith-Metadata", p.metadataHeader());
                }
                rc.response()
                        .putHeader("X-Keysmith-Key-Id", p.keyId().toString())
                        .putHeader(
                                "X-Keysmith-Organization-Id", p.organizationId().toString())
                        .putHeader("X-Keysmith-Permissions", p.rights().permissionsHeader())
                        .putHeader("X-Keysmith-Operation-Id", rule.operationId())
                        .putHeader("Cache-Control", "no-store")
                        .setStatusCode(200)
                        .end();
            } else {
                Refused r = (Refused) v;
                KeyAuthHandler.rateLimitHeaders(rc.response(), r.limit());
                KeyAuthHandler.quotaHeaders(rc.response(), r.quota());
                refuse(rc, r, rule, start, gateway);
            }
        });
    }

    private void refuse(Exchange rc, Refused r, KeyOperations.Rule rule, long start, Gateway gateway) {
        UUID org = r.key() != null && r.reason() != Reason.OTHER_ORGANIZATION
                ? r.key().organizationId()
                : gateway.organization();
        verifier.verification(org, KeyUsage.Outcome.of(r.reason().status).name(), System.nanoTime() - start);
        rc.fail(KeyAuthHandler.problem(r, false));
    }

    /**
     * A path the router and the upstream might read differently: an encoded '/' or '\', a backslash, NUL, a matrix
     * parameter, a malformed escape, or a dot segment (literal or encoded).
     */
    static boolean ambiguous(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return true;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' || c == 0 || c == ';' || c < 0x20 || c == 0x7f) {
                return true;
            }
            if (c == '%') {
                if (i + 2 >= path.length()
                        || Character.digit(path.charAt(i + 1), 16) < 0
                        || Character.digit(path.charAt(i + 2), 16) < 0) {
                    return true;
                }
                int b = Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (b == '/' || b == '\\' || b == 0 || b == ';' || b < 0x20 || b == 0x7f) {
                    return true;
                }
            }
        }
        for (String segment : path.split("/", -1)) {
            String s = segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
            if (s.equals(".") || s.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static final MultiMap EMPTY = MultiMap.caseInsensitiveMultiMap();

    /** The problem the operation's route would answer for these path and query parameters, or null. */
    private ApiProblem invalidParameters(KeyOperations.Rule rule, KeyOperations.Match match, MultiMap query) {
        RequestValidation.ParameterChecks checks = parameters.get(rule.operationId());
        if (checks == null) {
            return null;
        }
        try {
            checks.check(match.path(), query);
            return null;
        } catch (ApiProblem problem) {
            return problem;
        }
    }

    private static MultiMap queryOf(String uri) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        new io.netty.handler.codec.http.QueryStringDecoder(uri).parameters().forEach(params::add);
        return params;
    }

    private boolean inGatewayCidrs(String address) {
        try {
            InetAddress a = InetAddress.getByAddress(Cidr.literalAddress(address));
            return gatewayCidrs.stream().anyMatch(c -> c.contains(a));
        } catch (Exception e) {
            return false;
        }
    }

    private static String first(String a, String b, String fallback) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : fallback;
    }
}
