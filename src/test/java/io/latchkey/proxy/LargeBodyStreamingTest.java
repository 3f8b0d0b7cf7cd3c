package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * 200 MB each way through the proxy in a JVM whose heap (-Xmx96m) and direct memory (64 MiB) are both smaller than
 * the body, set by the bounded-memory execution in the pom: a proxy that buffered a body would die of
 * OutOfMemoryError. The limits are what the test relies on, so it checks them first, then counts the bytes that
 * arrive at the far end.
 */
@Tag("bounded-memory")
class LargeBodyStreamingTest {

    static final long BODY = 200L * 1024 * 1024;
    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start(@TempDir Path directory) {
        assertThat(Runtime.getRuntime().maxMemory()).as("heap limit of this JVM").isLessThan(BODY / 2);
        assertThat(PlatformDependent.maxDirectMemory()).as("direct memory limit of this JVM").isLessThan(BODY / 2);
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        upstream.on("/download", request -> {
            var response = request.response().putHeader("Content-Length", Long.toString(BODY));
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            long[] sent = { 0 };
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (sent[0] < BODY && !response.writeQueueFull()) {
                    response.write(chunk);
                    sent[0] += chunk.length();
                }
                if (sent[0] >= BODY) {
                    response.end();
                } else {
                    response.drainHandler(v -> pump[0].run());
                }
            };
            pump[0].run();
        });
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: large
                spec:
                  routes:
                    - name: files
                      prefix: /files
                      upstream: http://127.0.0.1:%d
                """.formatted(upstream.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @Test
    void uploadStreamsThrough() {
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/files/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(new ZeroBytes(BODY), BODY)).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.last().bodyBytes()).isEqualTo(BODY);
    }

    @Test
    void downloadStreamsThrough() throws Exception {
        HttpResponse<InputStream> response = proxy.client().send(
                HttpRequest.newBuilder(proxy.uri("/files/download")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received += n;
            }
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(received).isEqualTo(BODY);
    }

    /** A publisher of {@code size} zero bytes in 64 KiB buffers, produced on demand. */
    static final class ZeroBytes implements java.util.concurrent.Flow.Publisher<java.nio.ByteBuffer> {
        private final long size;

        ZeroBytes(long size) {
            this.size = size;
        }

        @Override
        public void subscribe(java.util.concurrent.Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
            subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
                private long produced;
                private boolean done;

                @Override
                public synchronized void request(long n) {
                    for (long i = 0; i < n && !done; i++) {
                        if (produced >= size) {
                            done = true;
                            subscriber.onComplete();
                            return;
                        }
                        int length = (int) Math.min(64 * 1024, size - produced);
                        produced += length;
                        subscriber.onNext(java.nio.ByteBuffer.allocate(length));
                    }
                    if (produced >= size && !done) {
                        done = true;
                        subscriber.onComplete();
                    }
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        }
    }
}
