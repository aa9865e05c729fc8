package io.keysmith.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plain TCP forwarder for outage tests: put it between a server and PostgreSQL, then {@link #cut()} (every open
 * connection closed, the port closed so new connections are refused) and {@link #restore()} (the same port listens
 * again). {@link #latencyMillis} delays every chunk coming back from upstream (a slow database).
 */
public final class TcpProxy implements AutoCloseable {
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile int port;
    private volatile boolean closed;
    public volatile long latencyMillis;

    public TcpProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        listen(0);
    }

    public int port() {
        return port;
    }

    private synchronized void listen(int wanted) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", wanted));
        port = s.getLocalPort();
        listener = s;
        Thread t = new Thread(() -> accept(s), "tcp-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // cut or closed
            }
            try {
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                quietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean delayed) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            long delay = latencyMillis;
                            if (delayed && delay > 0) {
                                Thread.sleep(delay);
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // one side went away
                    } finally {
                        quietly(from);
                        quietly(to);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every forwarded connection and the listening port: new connections are refused. */
    public synchronized void cut() {
        quietly(listener);
        for (Socket s : sockets) {
            quietly(s);
        }
        sockets.clear();
    }

    /** Listens again on the same port. */
    public synchronized void restore() throws IOException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (listener != null && !listener.isClosed()) {
            return;
        }
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                listen(port);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw last;
    }

    @Override
    public synchronized void close() {
        closed = true;
        cut();
    }

    private static void quietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
