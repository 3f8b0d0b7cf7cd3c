import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * An open-loop load generator: requests are due at planned times (a fixed rate) whether or not earlier ones have
 * answered, and each latency is measured from its planned time, so a stall shows up as latency instead of silently
 * lowering the rate (coordinated omission). One Vert.x event loop sends every due request each millisecond over a
 * pool of keep-alive connections, which are warmed up first. Prints p50, p99, p99.9 and max in microseconds.
 *
 * <pre>
 * java -cp "$(project runtime classpath):HdrHistogram.jar" bench/src/OpenLoopLoad.java HOST PORT PATH RATE SECONDS
 * </pre>
 */
public class OpenLoopLoad {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true)
                .setPipelining(false));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                .setURI(path);
        // Warm up: two seconds at the target rate, not recorded.
        run(vertx, client, request, rate, 2, new Histogram(TimeUnit.SECONDS.toMicros(60), 3), new AtomicLong());
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong errors = new AtomicLong();
        run(vertx, client, request, rate, seconds, histogram, errors);
        System.out.printf("rate=%d sent=%d errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d%n", rate,
                (long) rate * seconds, errors.get(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
        System.exit(0);
    }

    static void run(Vertx vertx, HttpClient client, RequestOptions request, int rate, int seconds, Histogram histogram,
            AtomicLong errors) throws InterruptedException {
        long total = (long) rate * seconds;
        CountDownLatch done = new CountDownLatch((int) total);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long[] next = { 0 };
        vertx.runOnContext(v -> vertx.setPeriodic(1, timer -> {
            long now = System.nanoTime();
            while (next[0] < total && start + next[0] * interval <= now) {
                long planned = start + next[0]++ * interval;
                client.request(request).compose(r -> r.send()).compose(response -> response.body().map(response))
                        .onComplete(result -> {
                            if (result.failed() || result.result().statusCode() != 200) {
                                errors.incrementAndGet();
                            }
                            histogram.recordValue(Math.max(1, (System.nanoTime() - planned) / 1000));
                            done.countDown();
                        });
            }
            if (next[0] >= total) {
                vertx.cancelTimer(timer);
            }
        }));
        done.await(seconds + 60L, TimeUnit.SECONDS);
    }
}
