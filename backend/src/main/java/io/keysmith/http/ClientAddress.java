package io.keysmith.http;

import io.keysmith.config.Cidr;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * The client's address and scheme. {@code X-Forwarded-For/Proto} are believed only when the direct peer is a
 * trusted proxy ({@code KEYSMITH_TRUSTED_PROXIES}); the client is then the right-most forwarded address that is not
 * itself a trusted proxy. Used by throttling, audit records and the cookie's Secure flag.
 */
public final class ClientAddress {
    private final List<Cidr> trusted;
    private final Supplier<String> publicUrl;

    /** {@code publicUrl}: KEYSMITH_PUBLIC_URL, or (embedded database) http://localhost:<the bound port>. */
    public ClientAddress(List<Cidr> trusted, Supplier<String> publicUrl) {
        this.trusted = trusted;
        this.publicUrl = publicUrl;
    }

    /**
     * Where links we hand out point (invitations, password resets): the configured public URL, never the request's
     * Host header, which any client sets (issue 13 item 8: {@code Host: attacker.example} gave a link to it).
     */
    public String publicBase() {
        return publicUrl.get().replaceAll("/+$", "");
    }

    public String address(RoutingContext rc) {
        return address(rc.request());
    }

    public String address(io.vertx.core.http.HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        String direct = peer == null ? "unknown" : peer.hostAddress();
        if (!isTrusted(direct)) {
            return direct;
        }
        String forwarded = request.getHeader("X-Forwarded-For");
        if (forwarded == null) {
            return direct;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !isTrusted(hop)) {
                return isIp(hop) ? hop : direct;
            }
        }
        return direct;
    }

    public boolean isHttps(RoutingContext rc) {
        SocketAddress peer = rc.request().remoteAddress();
        if (peer != null && isTrusted(peer.hostAddress())) {
            String proto = rc.request().getHeader("X-Forwarded-Proto");
            if (proto != null) {
                return proto.trim().equalsIgnoreCase("https");
            }
        }
        return rc.request().isSSL();
    }

    private boolean isTrusted(String ip) {
        if (trusted.isEmpty() || !isIp(ip)) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByAddress(Cidr.literalAddress(ip));
            return trusted.stream().anyMatch(c -> c.contains(a));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean isIp(String s) {
        try {
            Cidr.literalAddress(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
