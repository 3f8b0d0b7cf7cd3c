package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import io.latchkey.testing.ProxyHarness;
import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;

/** The start-up log names the transport the proxy's event loops run on, and why it is not epoll. */
class ProxyTransportTest {

    @Test
    void proxyTestsRunOnEpollAndTheLogSaysSo() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available on this platform");
        Vertx vertx = ProxyHarness.newVertx();
        try {
            assertThat(ProxyListener.transport(vertx)).isEqualTo("epoll transport");
        } finally {
            vertx.close();
        }
    }

    @Test
    void nioIsExplainedWhenEpollWasNotAskedFor() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available on this platform");
        Vertx vertx = Vertx.vertx();
        try {
            assertThat(ProxyListener.transport(vertx))
                    .isEqualTo("Java NIO transport; quarkus.vertx.prefer-native-transport is off");
        } finally {
            vertx.close();
        }
    }

    @Test
    void nioIsExplainedWhenEpollCannotLoad() {
        assumeTrue(!Epoll.isAvailable(), "epoll is available on this platform");
        Vertx vertx = ProxyHarness.newVertx();
        try {
            assertThat(ProxyListener.transport(vertx)).startsWith("Java NIO transport; epoll is unavailable here: ");
        } finally {
            vertx.close();
        }
    }
}
