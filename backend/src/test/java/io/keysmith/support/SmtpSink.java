package io.keysmith.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small SMTP server speaking the protocol's plain subset (EHLO, MAIL, RCPT, DATA, QUIT) over a real socket, so
 * the mail client is tested against a real peer; it keeps every message it accepts.
 */
public final class SmtpSink implements AutoCloseable {
    public final List<String> messages = new CopyOnWriteArrayList<>();
    /** The same messages with their envelope's recipients (RCPT TO: Bcc addresses are in no header). */
    public final List<Mail> mails = new CopyOnWriteArrayList<>();

    public record Mail(List<String> recipients, String text) {}

    private final NetServer server;

    private SmtpSink(NetServer server) {
        this.server = server;
    }

    public static SmtpSink start(Vertx vertx) {
        SmtpSink[] self = new SmtpSink[1];
        NetServer server = vertx.createNetServer().connectHandler(socket -> self[0].serve(socket));
        self[0] = new SmtpSink(server);
        server.listen(0, "127.0.0.1").await();
        return self[0];
    }

    public int port() {
        return server.actualPort();
    }

    private void serve(NetSocket socket) {
        StringBuilder pending = new StringBuilder();
        boolean[] inData = {false};
        StringBuilder data = new StringBuilder();
        List<String> recipients = new java.util.ArrayList<>();
        socket.write("220 sink ESMTP\r\n");
        socket.handler(buf -> {
            pending.append(buf.toString());
            int nl;
            while ((nl = pending.indexOf("\r\n")) >= 0) {
                String line = pending.substring(0, nl);
                pending.delete(0, nl + 2);
                if (inData[0]) {
                    if (line.equals(".")) {
                        inData[0] = false;
                        messages.add(data.toString());
                        mails.add(new Mail(List.copyOf(recipients), data.toString()));
                        data.setLength(0);
                        recipients.clear();
                        socket.write("250 OK queued\r\n");
                    } else {
                        data.append(line).append("\n");
                    }
                    continue;
                }
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> socket.write("250-sink\r\n250 8BITMIME\r\n");
                    case "RCPT" -> {
                        int lt = line.indexOf('<');
                        int gt = line.indexOf('>', lt + 1);
                        recipients.add(
                                lt >= 0 && gt > lt
                                        ? line.substring(lt + 1, gt)
                                        : line.substring(4).trim());
                        socket.write("250 OK\r\n");
                    }
                    case "MAIL", "RSET", "NOOP" -> {
                        if (!verb.equals("NOOP")) {
                            recipients.clear();
                        }
                        socket.write("250 OK\r\n");
                    }
                    case "DATA" -> {
                        inData[0] = true;
                        socket.write("354 go ahead\r\n");
                    }
                    case "QUIT" -> socket.write(Buffer.buffer("221 bye\r\n")).onComplete(x -> socket.close());
                    default -> socket.write("502 not implemented\r\n");
                }
            }
        });
    }

    @Override
    public void close() {
        server.close().await();
    }
}
