package io.keysmith.webhooks;

import io.keysmith.config.Cidr;
import io.keysmith.errors.Invalid;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where a webhook may be sent. An endpoint URL must be https (http only when the operator allows it), carry no user
 * information, and every address its host resolves to must be public: loopback, private, link-local (cloud metadata
 * 169.254.169.254 included), CGNAT, multicast, reserved and IPv6 unique-local addresses are refused unless the
 * operator allows them. The check runs on the addresses themselves, after resolution, and the delivery connects to
 * the address that passed (DeliveryWorker), so a DNS answer that changes between check and connect cannot redirect
 * it.
 */
public final class SsrfGuard {
    /** A parsed endpoint: where to connect and what to ask for. */
    public record Target(String host, int port, boolean tls, String pathAndQuery) {}

    /** Refused by the guard at delivery time (a DNS answer that became private, an unresolvable host). */
    public static final class Refused extends Exception {
        private final boolean unresolvable;

        public Refused(String message, boolean unresolvable) {
            super(message, null, false, false);
            this.unresolvable = unresolvable;
        }

        /** No address at all (not a forbidden one): may resolve later, so an endpoint may still be saved. */
        public boolean unresolvable() {
            return unresolvable;
        }
    }

    private static final List<Cidr> FORBIDDEN = List.of(
            Cidr.parse("0.0.0.0/8"),
            Cidr.parse("10.0.0.0/8"),
            Cidr.parse("100.64.0.0/10"),
            Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"),
            Cidr.parse("192.168.0.0/16"),
            Cidr.parse("198.18.0.0/15"),
            Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"),
            Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"),
            Cidr.parse("::1/128"),
            Cidr.parse("64:ff9b::/96"),
            Cidr.parse("100::/64"),
            Cidr.parse("2001:db8::/32"),
            Cidr.parse("fc00::/7"),
            Cidr.parse("fe80::/10"),
            Cidr.parse("ff00::/8"));

    private final boolean allowHttp;
    private final boolean allowPrivate;

    public SsrfGuard(boolean allowHttp, boolean allowPrivate) {
        this.allowHttp = allowHttp;
        this.allowPrivate = allowPrivate;
    }

    /** Parses and checks an endpoint URL's form (scheme, host, no user information); 400 naming {@code url}. */
    public Target parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Invalid("url", "The URL is not valid");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new Invalid("url", allowHttp ? "The URL must be http or https" : "The URL must be https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Invalid("url", "The URL must not carry a user name or password");
        }
        if (uri.getRawFragment() != null) {
            throw new Invalid("url", "The URL must not have a fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Invalid("url", "The URL has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        Target target = new Target(host.toLowerCase(Locale.ROOT), port, tls, path + query);
        if (!allowPrivate) {
            // a literal address or a name that is loopback by definition is refused without resolving anything
            if (isLiteral(target.host())) {
                InetAddress a = literal(target.host());
                if (forbidden(a)) {
                    throw new Invalid("url", "The URL points at a private, loopback or link-local address");
                }
            } else if (target.host().equals("localhost") || target.host().endsWith(".localhost")) {
                throw new Invalid("url", "The URL points at a private, loopback or link-local address");
            }
        }
        return target;
    }

    /**
     * Resolves {@code host} (blocking: call off the event loop) and answers the address to connect to; refused when
     * any answer is forbidden (a name with one private answer is a rebinding attempt) or there is none.
     */
    public InetAddress resolve(String host) throws Refused {
        InetAddress[] all;
        try {
            all = isLiteral(host) ? new InetAddress[] {literal(host)} : InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("The host name does not resolve", true);
        }
        if (all.length == 0) {
            throw new Refused("The host name does not resolve", true);
        }
        if (!allowPrivate) {
            for (InetAddress a : all) {
                if (forbidden(a)) {
                    throw new Refused("The host resolves to a private, loopback or link-local address", false);
                }
            }
        }
        return all[0];
    }

    /** Whether an address is one a webhook must never reach (without the operator's permission). */
    public static boolean forbidden(InetAddress a) {
        if (a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        InetAddress v4 = embeddedV4(a);
        if (v4 != null && forbidden(v4)) {
            return true;
        }
        for (Cidr c : FORBIDDEN) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible IPv6 address, else null. */
    private static InetAddress embeddedV4(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return null;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        boolean mapped = (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
        boolean compatible = (b[10] == 0 && b[11] == 0);
        if (!mapped && !compatible) {
            return null;
        }
        try {
            return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByAddress(Cidr.literalAddress(host));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new Invalid("url", "The URL's host is not a valid address");
        }
    }
}
