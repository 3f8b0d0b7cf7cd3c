package io.latchkey.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

/**
 * A token endpoint on a loopback port that answers as a test scripts it, the way a given provider documents its
 * answers (status, content type, body), and records each request it receives. A stand-in for a provider's server,
 * not a mock of our code: requests arrive over real HTTP.
 */
public final class ScriptedTokenEndpoint implements AutoCloseable {

    /** One answer. */
    public record Answer(int status, String contentType, String body) {
        public static Answer json(String body) {
            return new Answer(200, "application/json", body);
        }

        public static Answer token(String accessToken, int expiresIn) {
            return json("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                    + expiresIn + "}");
        }
    }

    /** One request as received. */
    public record Received(String path, Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile Function<Integer, Answer> fallback = n -> Answer.token("token-" + n, 3600);
    private volatile boolean down;
    private volatile boolean holding;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();

    public ScriptedTokenEndpoint(Vertx vertx) {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            Map<String, String> headers = new java.util.HashMap<>();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            received.add(new Received(request.path(), headers, body.toString()));
            if (down) {
                request.connection().close();
                return;
            }
            int n = counter.incrementAndGet();
            Answer scripted = script.poll();
            Answer answer = scripted == null ? fallback.apply(n) : scripted;
            Runnable respond = () -> request.response().setStatusCode(answer.status())
                    .putHeader("Content-Type", answer.contentType()).end(Buffer.buffer(answer.body()));
            if (holding) {
                held.add(() -> vertx.runOnContext(v -> respond.run()));
            } else {
                respond.run();
            }
        }));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/token";
    }

    /** Queues answers for the next requests; after them, the fallback answers. */
    public ScriptedTokenEndpoint then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** Answers every unscripted request; {@code n} counts answered requests from 1. */
    public ScriptedTokenEndpoint otherwise(Function<Integer, Answer> answer) {
        fallback = answer;
        return this;
    }

    /** While down, connections are closed without an answer. */
    public void down(boolean down) {
        this.down = down;
    }

    /** Holds answers back until {@link #release()}: a slow provider. */
    public void hold() {
        holding = true;
    }

    public void release() {
        holding = false;
        held.forEach(Runnable::run);
        held.clear();
    }

    public List<Received> received() {
        return received;
    }

    public int requests() {
        return received.size();
    }

    @Override
    public void close() {
        server.close();
    }
}
