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
