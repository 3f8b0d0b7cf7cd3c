import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The OAuth arm's token endpoint: every POST gets a fresh access token that lives {@code LIFETIME} seconds;
 * {@code GET /count} says how many were issued, so the harness can compare token requests with elapsed lifetimes.
 *
 * <pre>
 * java -cp "$(project runtime classpath)" bench/src/TokenEndpoint.java PORT LIFETIME_SECONDS
 * </pre>
 */
public class TokenEndpoint {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int lifetime = Integer.parseInt(args[1]);
        AtomicLong issued = new AtomicLong();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/count")) {
                request.response().end(Long.toString(issued.get()));
                return;
            }
            request.body().onSuccess(body -> request.response().putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end("{\"access_token\":\"bench-oauth-" + issued.incrementAndGet()
                            + "\",\"token_type\":\"Bearer\",\"expires_in\":" + lifetime + "}"));
        }).listen(port, "127.0.0.1").onSuccess(server -> System.out.println("token endpoint on " + port))
                .onFailure(error -> {
                    error.printStackTrace();
                    System.exit(1);
                });
    }
}
