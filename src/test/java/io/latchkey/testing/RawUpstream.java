package io.latchkey.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An upstream that writes whatever bytes a test scripts, one thread per connection, and counts connections: for
 * answers a well-behaved server library will not produce (no length, informational heads, garbage, early answers).
 * Plain, or over TLS, where it also records the host name each connection asked for (SNI).
 */
public final class RawUpstream implements AutoCloseable {

    /** Answers one request whose head has been read; returns whether to keep the connection open for another. */
    public interface Responder {
        boolean respond(String head, InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();

    private RawUpstream(ServerSocket server, Responder responder) {
        this.server = server;
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    sockets.add(socket);
                    Thread serving = new Thread(() -> {
                        serve(socket, responder, serverNames);
                        ended.incrementAndGet();
                    }, "raw-upstream-connection");
                    serving.setDaemon(true);
                    serving.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "raw-upstream-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static RawUpstream start(Responder responder) {
        try {
            return new RawUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #start}, over TLS with the given server context. */
    public static RawUpstream startTls(SSLContext tls, Responder responder) {
        try {
            return new RawUpstream(tls.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress()), responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void serve(Socket socket, Responder responder, List<String> serverNames) {
        try (socket) {
            if (socket instanceof SSLSocket tls) {
                tls.startHandshake();
                for (SNIServerName name : ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()) {
                    serverNames.add(name instanceof SNIHostName host ? host.getAsciiName() : name.toString());
                }
            }
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (String head = readHead(in); head != null; head = readHead(in)) {
                if (!responder.respond(head, in, out)) {
                    return;
                }
                out.flush();
            }
        } catch (IOException ignored) {
            // the proxy closed the connection
        }
    }

    /** The request head up to its blank line, or null at the end of the stream. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Reads and drops the body the head announces with Content-Length; returns its size. */
    public static long readBody(String head, InputStream in) throws IOException {
        long length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        long left = length;
        byte[] buffer = new byte[8192];
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("body ended early");
            }
            left -= n;
        }
        return length;
    }

    public static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The host names TLS connections asked for (SNI), in order; none for connections that sent none. */
    public List<String> serverNames() {
        return serverNames;
    }

    /** Connections that have ended so far: closed by either side. */
    public int endedConnections() {
        return ended.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
