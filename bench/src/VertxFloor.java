import io.vertx.core.AbstractVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/**
 * A reference arm, not a proxy anyone should run: the least a relay built on Vert.x's HTTP server and pooled HTTP
 * client does per request (Latchkey used that client for every upstream until it got its own HTTP/1.1 client; routes
 * with {@code http2: true} still use it). One event loop; per request a pooled upstream request with
 * the caller's headers copied and the same bearer header injected, and both bodies piped. No policy, no metrics, no
 * idle watch, no hop-by-hop handling, no error codes. Beside {@code NettyFloor.java} it shows what Vert.x's server
 * and client add to any relay on Netty's codecs.
 *
 * <pre>
 * java -cp "$(project runtime classpath)" bench/src/VertxFloor.java PORT UPSTREAM_PORT
 * </pre>
 */
public class VertxFloor {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        // The transport Latchkey runs on: epoll where the platform has it.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
        vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        .setTcpNoDelay(true).setMaxPoolSize(128));
                vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
                        .requestHandler(request -> relay(client, upstreamPort, request))
                        .listen(port, "127.0.0.1")
                        .onSuccess(server -> System.out.println("vertx floor on " + port));
            }
        });
    }

    static void relay(HttpClient client, int upstreamPort, HttpServerRequest request) {
        request.pause();
        String uri = request.uri().startsWith("/bench/") ? request.uri().substring("/bench".length()) : request.uri();
        client.request(new RequestOptions().setMethod(request.method()).setHost("127.0.0.1").setPort(upstreamPort)
                .setURI(uri)).onSuccess(upstream -> {
                    upstream.headers().setAll(request.headers()).remove("Host")
                            .set("Authorization", "Bearer bench-token");
                    upstream.response().onSuccess(answer -> {
                        request.response().setStatusCode(answer.statusCode()).headers().setAll(answer.headers());
                        answer.pipeTo(request.response());
                    }).onFailure(failure -> request.response().setStatusCode(502).end());
                    request.pipeTo(upstream);
                }).onFailure(failure -> request.response().setStatusCode(502).end());
    }
}
