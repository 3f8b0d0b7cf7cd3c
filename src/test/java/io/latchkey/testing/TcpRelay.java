package io.latchkey.testing;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A loopback TCP relay in front of a real server (PostgreSQL) that a test can cut and restore: while cut, it closes
 * every connection as it arrives, as a database that went away would. Bytes pass untouched.
 */
public final class TcpRelay implements AutoCloseable {

    private final Vertx vertx;
    private final NetServer server;
    private final NetClient client;
    private volatile boolean open;

    public TcpRelay(Vertx vertx, String targetHost, int targetPort) {
        this.vertx = vertx;
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(socket -> relay(socket, targetHost, targetPort));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("relay did not start", e);
        }
    }

    private void relay(NetSocket inbound, String host, int port) {
        if (!open) {
            inbound.close();
            return;
        }
        inbound.pause();
        client.connect(port, host).onSuccess(outbound -> {
            inbound.pipeTo(outbound);
            outbound.pipeTo(inbound);
            inbound.resume();
        }).onFailure(error -> inbound.close());
    }

    public int port() {
        return server.actualPort();
    }

    /** New connections reach the target from now on. */
    public void restore() {
        open = true;
    }

    /** New connections are closed from now on. */
    public void cut() {
        open = false;
    }

    @Override
    public void close() {
        server.close();
        client.close();
        vertx.close();
    }
}
