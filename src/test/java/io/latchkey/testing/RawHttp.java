package io.latchkey.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Writes bytes the JDK client would refuse to send (smuggling attempts, malformed heads) and reads what comes back
 * until the server closes the connection.
 */
public final class RawHttp {

    /** What the server sent, and whether it closed the connection afterwards. */
    public record Exchange(String response, boolean closed) {

        public int status() {
            if (!response.startsWith("HTTP/1.1 ")) {
                throw new AssertionError("not an HTTP response: " + response);
            }
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    private RawHttp() {
    }

    /** One connection kept open: requests written as bytes, responses read one at a time. */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        public Connection(int port) {
            try {
                socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(5000);
                in = new java.io.BufferedInputStream(socket.getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Connection send(String bytes) {
            try {
                socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Reads one response: its head, then a body framed by Content-Length or chunked coding (returned decoded, with
         * the head as sent). A response with neither has no body here.
         */
        public String readResponse() {
            String head = readHead();
            String lower = head.toLowerCase(java.util.Locale.ROOT);
            StringBuilder body = new StringBuilder();
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)")
                    .matcher(lower);
            if (lower.contains("\r\ntransfer-encoding: chunked")) {
                int size;
                while ((size = Integer.parseInt(readLine().split(";")[0].trim(), 16)) > 0) {
                    body.append(readBytes(size));
                    readLine();
                }
                while (!readLine().isEmpty()) {
                    // trailers
                }
            } else if (length.find()) {
                body.append(readBytes(Integer.parseInt(length.group(1))));
            }
            return head + body;
        }

        /** A head alone (an interim 100 Continue, say), up to and with its blank line. */
        public String readHead() {
            StringBuilder head = new StringBuilder();
            String line;
            while (!(line = readLine()).isEmpty()) {
                head.append(line).append("\r\n");
            }
            return head.append("\r\n").toString();
        }

        /** Whether the server closes the connection (rather than sending more) within five seconds. */
        public boolean closedByServer() {
            return closedWithin(5000);
        }

        /**
         * Whether the connection is still open, with nothing more sent, a moment after an answer: a server that ends
         * a connection after an answer closes it at once, so a short look is enough.
         */
        public boolean staysOpen() {
            return !closedWithin(300);
        }

        private boolean closedWithin(int millis) {
            try {
                socket.setSoTimeout(millis);
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            } finally {
                try {
                    socket.setSoTimeout(5000);
                } catch (IOException e) {
                    // closed: nothing left to read
                }
            }
        }

        private String readLine() {
            StringBuilder line = new StringBuilder();
            try {
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    line.append((char) b);
                }
                if (b < 0 && line.length() == 0) {
                    throw new AssertionError("the connection closed before a line");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int end = line.length();
            return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
        }

        private String readBytes(int count) {
            try {
                return new String(in.readNBytes(count), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Sends {@code request} and reads until the server closes, or until it has been silent for five seconds. */
    public static Exchange send(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean closed;
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (java.net.SocketException e) {
                closed = true; // reset by the server
            }
            return new Exchange(out.toString(StandardCharsets.ISO_8859_1), closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
