package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.RawUpstream;
import io.latchkey.testing.TestCertificates;

/**
 * Every case of {@link Http1UpstreamClientTest} again with the upstream behind TLS: reuse, framing, early answers,
 * resets, retries and the pool limit hold the same on an https route, whose connections are handed out only after
 * their handshake.
 */
class Http1UpstreamClientTlsTest extends Http1UpstreamClientTest {

    static TestCertificates certificates;

    @BeforeAll
    static void createCertificates(@TempDir Path directory) {
        certificates = TestCertificates.create(directory);
    }

    @Override
    RawUpstream upstream(RawUpstream.Responder responder) {
        return RawUpstream.startTls(certificates.serverContext(), responder);
    }

    @Override
    String upstreamAuthority(int port) {
        return "api.latchkey.test:" + port;
    }

    @Override
    String upstreamKeys(int port) {
        return "upstream: https://api.latchkey.test:" + port + "\n      caBundle: " + certificates.caCertificate;
    }

    @Test
    void everyConnectionNamesTheUpstreamHostInItsHandshake() {
        AtomicInteger requests = new AtomicInteger();
        start((head, in, out) -> {
            requests.incrementAndGet();
            RawUpstream.readBody(head, in);
            RawUpstream.write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            return false;
        }, "");
        for (int i = 0; i < 3; i++) {
            assertThat(proxy.get("/raw/x").body()).isEqualTo("ok");
        }
        assertThat(upstream.serverNames()).containsExactly("api.latchkey.test", "api.latchkey.test",
                "api.latchkey.test");
    }
}
