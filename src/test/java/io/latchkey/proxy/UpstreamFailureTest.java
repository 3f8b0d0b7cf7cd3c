package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.TestCertificates;
import io.vertx.core.Vertx;

/** Upstream trouble becomes the documented 502 and 504 codes, and the proxy keeps serving. */
class UpstreamFailureTest {

    static Vertx vertx;
    static EchoUpstream healthy;
    static EchoUpstream untrusted;
    static ServerSocket silent;
    static final List<Socket> held = new ArrayList<>();
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) throws IOException {
        vertx = Vertx.vertx();
        healthy = EchoUpstream.http(vertx);
        untrusted = EchoUpstream.https(vertx, TestCertificates.create(directory));
        // Accepts connections and never answers: the idle timeout must fire.
        silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (!silent.isClosed()) {
                    held.add(silent.accept());
                }
            } catch (IOException closed) {
                // test over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: failures
                spec:
                  routes:
                    - {name: refused, prefix: /refused, upstream: "http://127.0.0.1:%d"}
                    - {name: silent, prefix: /silent, upstream: "http://127.0.0.1:%d", idleTimeout: 300ms}
                    - {name: untrusted, prefix: /untrusted, upstream: "https://localhost:%d"}
                    - {name: unresolvable, prefix: /dns, upstream: "http://no-such-host.invalid"}
                    - {name: healthy, prefix: /healthy, upstream: "http://127.0.0.1:%d"}
                """.formatted(closedPort, silent.getLocalPort(), untrusted.port(), healthy.port()));
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        healthy.close();
        untrusted.close();
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
        vertx.close();
    }

    @Test
    void refusedConnectionIsUpstreamUnreachable() {
        RoutingTest.assertError(proxy.get("/refused/x"), 502, "upstream_unreachable", "refused");
        assertThat(proxy.get("/healthy/x").statusCode()).isEqualTo(200);
    }

    @Test
    void silenceBeyondTheIdleTimeoutIsUpstreamTimeout() {
        RoutingTest.assertError(proxy.get("/silent/x"), 504, "upstream_timeout", "silent");
        assertThat(proxy.get("/healthy/x").statusCode()).isEqualTo(200);
    }

    @Test
    void untrustedCertificateIsRefused() {
        var response = proxy.get("/untrusted/x");
        RoutingTest.assertError(response, 502, "upstream_unreachable", "untrusted");
        assertThat(response.body()).contains("caBundle");
        assertThat(untrusted.received()).isEmpty();
    }

    @Test
    void unresolvableHostIsUpstreamUnreachable() {
        RoutingTest.assertError(proxy.get("/dns/x"), 502, "upstream_unreachable", "unresolvable");
    }
}
