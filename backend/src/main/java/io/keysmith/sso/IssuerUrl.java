package io.keysmith.sso;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Which URLs an issuer and its endpoints may have: absolute https without user info or fragment (OpenID Connect
 * Discovery requires https); plain http only on the loopback interface (a provider on the same host, as in tests and
 * RFC 8252's loopback exception). The issuer itself also carries no query.
 */
final class IssuerUrl {
    private IssuerUrl() {}

    static boolean acceptable(String url) {
        return check(url, false);
    }

    static boolean acceptableIssuer(String url) {
        return check(url, true);
    }

    private static boolean check(String url, boolean issuer) {
        if (url == null || url.length() > 500) {
            return false;
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        if (u.getScheme() == null || u.getHost() == null || u.getRawUserInfo() != null || u.getRawFragment() != null) {
            return false;
        }
        if (issuer && u.getRawQuery() != null) {
            return false;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return true;
        }
        return scheme.equals("http") && loopback(u.getHost());
    }

    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
