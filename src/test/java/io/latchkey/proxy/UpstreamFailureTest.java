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
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;

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
        // other.latchkey.test is a name the test certificate does not carry.
        vertx = ProxyHarness.newVertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
                .setHostsValue(Buffer.buffer("127.0.0.1 localhost other.latchkey.test\n"))));
        healthy = EchoUpstream.http(vertx);
        TestCertificates certificates = TestCertificates.create(directory);
        untrusted = EchoUpstream.https(vertx, certificates);
        // Accepts connections and never answers: the idle timeout, or the TLS handshake's timeout, must fire.
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
                    - {name: wrong-host, prefix: /wrong-host, upstream: "https://other.latchkey.test:%d",
                       caBundle: "%s"}
                    - {name: silent-tls, prefix: /silent-tls, upstream: "https://localhost:%d", connectTimeout: 300ms}
                    - {name: not-tls, prefix: /not-tls, upstream: "https://localhost:%d"}
                """.formatted(closedPort, silent.getLocalPort(), untrusted.port(), healthy.port(), untrusted.port(),
                certificates.caCertificate, silent.getLocalPort(), healthy.port()));
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

    @Test
    void certificateForAnotherHostIsRefusedEvenFromATrustedCa() {
        var response = proxy.get("/wrong-host/x");
        RoutingTest.assertError(response, 502, "upstream_unreachable", "wrong-host");
        assertThat(response.body()).contains("does not match the host");
        assertThat(untrusted.received()).isEmpty();
        assertThat(proxy.get("/healthy/x").statusCode()).isEqualTo(200);
    }

    @Test
    void tlsHandshakeThatNeverCompletesIsUpstreamTimeout() {
        var response = proxy.get("/silent-tls/x");
        RoutingTest.assertError(response, 504, "upstream_timeout", "silent-tls");
        assertThat(response.body()).contains("TLS handshake with localhost:" + silent.getLocalPort()
                + " timed out after 300 ms");
        assertThat(proxy.get("/healthy/x").statusCode()).isEqualTo(200);
    }

    @Test
    void httpsRouteToAPlainHttpPortSaysSo() {
        var response = proxy.get("/not-tls/x");
        RoutingTest.assertError(response, 502, "upstream_unreachable", "not-tls");
        assertThat(response.body()).contains("something other than TLS");
        assertThat(proxy.get("/healthy/x").statusCode()).isEqualTo(200);
    }
}
