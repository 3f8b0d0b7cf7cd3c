import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * An open-loop load generator: requests are due at planned times (a fixed rate) whether or not earlier ones have
 * answered, and each latency is measured from its planned time, so a stall shows up as latency instead of silently
 * lowering the rate (coordinated omission). A sender thread sleeps until each planned time (parkNanos, so tens of
 * microseconds late at worst, not a millisecond tick) and hands the request to one Vert.x event loop, which sends it
 * over a pool of warmed keep-alive connections. How late the sender itself was is reported too ({@code lag_*}): it
 * is part of every arm's latency alike. Prints p50, p99, p99.9 and max in microseconds, how busy the load's own CPU
 * was ({@code LOAD_CPU}), and the hypervisor's steal
 * time during the measured seconds (a VM that stalls shows it there).
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
        Context context = vertx.getOrCreateContext();
        // Warm up: three seconds at the target rate, not recorded.
        run(context, client, request, rate, 3, newHistogram(), newHistogram(), new AtomicLong());
        Histogram latency = newHistogram();
        Histogram lag = newHistogram();
        AtomicLong errors = new AtomicLong();
        long stealBefore = stealMillis();
        long[] loadCpuBefore = loadCpuJiffies();
        run(context, client, request, rate, seconds, latency, lag, errors);
        long steal = stealMillis() - stealBefore;
        long[] loadCpuAfter = loadCpuJiffies();
        long busyPct = loadCpuBefore == null ? -1
                : 100 * (loadCpuAfter[0] - loadCpuBefore[0]) / Math.max(1, loadCpuAfter[1] - loadCpuBefore[1]);
        System.out.printf("rate=%d sent=%d errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d lag_p50_us=%d"
                + " lag_p99_us=%d steal_ms=%d load_cpu_busy_pct=%d%n", rate, (long) rate * seconds, errors.get(),
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9), latency.getMaxValue(), lag.getValueAtPercentile(50),
                lag.getValueAtPercentile(99), steal, busyPct);
        System.exit(0);
    }

    /**
     * Gives the calling thread (the sender) real-time priority (SCHED_FIFO) when {@code REALTIME_SENDER=1}, so it
     * wakes on time although the upstream and this JVM's other threads share its CPU; only this thread, since a
     * real-time JIT compiler thread would hold the CPU for whole compilations. Linux only, needs root.
     */
    static void realtimeForThisThread() {
        if (!"1".equals(System.getenv("REALTIME_SENDER"))) {
            return;
        }
        try {
            String tid = java.nio.file.Path.of("/proc/thread-self").toRealPath().getFileName().toString();
            int exit = new ProcessBuilder("chrt", "-f", "-p", "10", tid).inheritIO().start().waitFor();
            if (exit != 0) {
                System.err.println("chrt failed for the sender thread: exit " + exit);
            }
        } catch (Exception e) {
            System.err.println("no real-time priority for the sender: " + e);
        }
    }

    /**
     * The hypervisor's steal time so far, all CPUs, from the {@code cpu} line of /proc/stat (its eighth value, in
     * USER_HZ ticks, 100 per second on Linux). The harness is Linux-only: without /proc/stat this fails rather than
     * report no steal.
     */
    static long stealMillis() throws java.io.IOException {
        String total = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0);
        return Long.parseLong(total.split("\\s+")[8]) * 10;
    }

    /**
     * Busy and total jiffies so far of the CPU named by {@code LOAD_CPU} (the harness pins this process, and the
     * upstream, to it), from its {@code cpuN} line of /proc/stat: user, nice, system, irq, softirq and steal count as
     * busy, idle and iowait do not. Near 100% busy over the measured seconds, requests queue on the load side and
     * the latencies are its own. Null without {@code LOAD_CPU} (reported as -1).
     */
    static long[] loadCpuJiffies() throws java.io.IOException {
        String cpu = System.getenv("LOAD_CPU");
        if (cpu == null) {
            return null;
        }
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
            String[] f = line.split("\\s+");
            if (f[0].equals("cpu" + cpu)) {
                long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                        + Long.parseLong(f[7]) + Long.parseLong(f[8]);
                return new long[] { busy, busy + Long.parseLong(f[4]) + Long.parseLong(f[5]) };
            }
        }
        throw new IllegalStateException("no cpu" + cpu + " line in /proc/stat");
    }

    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }

    static void run(Context context, HttpClient client, RequestOptions request, int rate, int seconds,
            Histogram latency, Histogram lag, AtomicLong errors) throws InterruptedException {
        long total = (long) rate * seconds;
        CountDownLatch done = new CountDownLatch((int) total);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        Thread sender = new Thread(() -> {
            realtimeForThisThread();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            for (long i = 0; i < total; i++) {
                long planned = start + i * interval;
                long wait;
                while ((wait = planned - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                lag.recordValue(Math.max(0, (System.nanoTime() - planned) / 1000));
                context.runOnContext(v -> client.request(request).compose(r -> r.send())
                        .compose(response -> response.body().map(response)).onComplete(result -> {
                            if (result.failed() || result.result().statusCode() != 200) {
                                errors.incrementAndGet();
                            }
                            latency.recordValue(Math.max(1, (System.nanoTime() - planned) / 1000));
                            done.countDown();
                        }));
            }
        }, "sender");
        sender.start();
        done.await(seconds + 60L, TimeUnit.SECONDS);
    }
}
