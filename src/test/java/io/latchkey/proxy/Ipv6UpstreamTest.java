package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.latchkey.testing.TestCertificates;
import io.vertx.core.Vertx;

/**
 * Upstreams given as IPv6 literals ({@code https://[::1]:8443}): reached, the certificate checked against the
 * address (the test certificate names {@code ::1}), and the brackets kept where HTTP wants them, in {@code Host}.
 */
class Ipv6UpstreamTest {

    static Vertx vertx;
    static EchoUpstream plain;
    static EchoUpstream tls;
    static EchoUpstream h2;
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback address on this machine");
        vertx = ProxyHarness.newVertx();
        plain = EchoUpstream.httpOn(vertx, "::1");
        TestCertificates certificates = TestCertificates.create(directory);
        tls = EchoUpstream.httpsHttp11OnlyOn(vertx, certificates, "::1");
        h2 = EchoUpstream.httpsOn(vertx, certificates, "::1");
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: ipv6
                spec:
                  routes:
                    - name: plain
                      prefix: /plain
                      upstream: http://[::1]:%d
                    - name: tls
                      prefix: /tls
                      upstream: https://[::1]:%d
                      caBundle: %s
                    - name: h2
                      prefix: /h2
                      upstream: https://[::1]:%d
                      caBundle: %s
                      http2: true
                """.formatted(plain.port(), tls.port(), certificates.caCertificate, h2.port(),
                certificates.caCertificate));
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
            plain.close();
            tls.close();
            h2.close();
            vertx.close();
        }
    }

    @Test
    void plainHttpReachesTheAddress() {
        HttpResponse<String> response = proxy.get("/plain/hello");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(plain.last().headerValues("Host")).containsExactly("[::1]:" + plain.port());
    }

    @Test
    void httpsVerifiesTheCertificateAgainstTheAddress() {
        HttpResponse<String> response = proxy.get("/tls/hello");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(tls.last().headerValues("Host")).containsExactly("[::1]:" + tls.port());
    }

    @Test
    void http2KeepsTheBracketsInTheAuthority() {
        HttpResponse<String> response = proxy.get("/h2/hello");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        EchoUpstream.Received received = h2.last();
        assertThat(received.protocol()).isEqualTo("HTTP_2");
        assertThat(received.authority()).isEqualTo("[::1]:" + h2.port());
    }
}
