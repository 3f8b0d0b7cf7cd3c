import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An open-loop load generator: requests are due at planned times (a fixed rate) whether or not earlier ones have
 * answered, and each latency is measured from its planned time, so a stall shows up as latency instead of silently
 * lowering the rate (coordinated omission).
 *
 * <p>
 * It shares its CPU with the upstream, so it must cost little per request: an earlier version on Vert.x's client, with
 * a sender thread handing each request to the event loop, used 0.9 of that CPU at 5,000 req/s (its JIT compilers
 * a quarter of it, still compiling during the measured seconds), and the 5k rows measured its queue. Here one Netty
 * event loop does everything: it wakes at the next planned time (epoll's timeout has nanosecond resolution), sends
 * every request that is due as one write of prepared bytes on an idle keep-alive connection (warmed before), and
 * decodes answers with Netty's response decoder. Run it with {@code -XX:TieredStopAtLevel=1}: C1's code is enough
 * here, and C2 would still be compiling during the measured seconds at these rates. How late the loop woke for each
 * request ({@code lag_*}) is part of every arm's latency alike.
 *
 * <p>
 * Prints p50, p99, p99.9 and max in microseconds, the lag, the hypervisor's steal time during the measured seconds (a
 * VM that stalls shows it there), how busy the load's own CPU was ({@code LOAD_CPU}) and how much of it this process
 * took ({@code load_process_cpu_pct}), and with {@code PROXY_PID} the proxy's CPU seconds per 1,000 of the measured
 * requests ({@code proxy_cpu_per_1k_s}; -1 without). {@code REALTIME_LOAD=1} gives the event loop real-time priority (needs
 * root). {@code SLOW_REQUESTS_US} lists the measured requests slower than that on stderr (see {@link SlowRequests}).
 *
 * <pre>
 * java -XX:TieredStopAtLevel=1 -cp "$(project runtime classpath):HdrHistogram.jar" bench/src/OpenLoopLoad.java \
 *     HOST PORT PATH RATE SECONDS
 * </pre>
 */
public class OpenLoopLoad {

    /**
     * Keep-alive connections, opened before the warm-up and kept open (one that the other side closes is replaced).
     * A request that is due while all of them wait for answers is queued, and its wait is part of its latency.
     */
    static final int CONNECTIONS = 64;

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable failure) {
            // The event loop's thread is not a daemon: without the exit a failed run would never end.
            failure.printStackTrace();
            System.exit(2);
        }
    }

    static void run(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        boolean epoll = Epoll.isAvailable();
        if (!epoll) {
            System.err.println("epoll is unavailable (" + Epoll.unavailabilityCause()
                    + "): Java NIO wakes at millisecond resolution, so the send lag will be larger");
        }
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoop loop = group.next();
        if ("1".equals(System.getenv("REALTIME_LOAD"))) {
            loop.submit(OpenLoopLoad::realtimeForThisThread).get();
        }
        // Header lines besides Host, one per line (bench/run.sh, CALLER_HEADERS): the same ones wrk sends.
        StringBuilder lines = new StringBuilder();
        for (String line : System.getenv().getOrDefault("BENCH_HEADER_LINES", "").split("\n")) {
            if (!line.isBlank()) {
                lines.append(line).append("\r\n");
            }
        }
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n" + lines + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Load load = new Load(loop, new Bootstrap().group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(new InetSocketAddress(host, port)),
                Unpooled.unreleasableBuffer(Unpooled.directBuffer(request.length).writeBytes(request)));
        load.open(CONNECTIONS);
        // Warm-up: three seconds at the target rate, not recorded.
        load.run(rate, 3).get(3 + 60, TimeUnit.SECONDS);
        long stealBefore = stealMillis();
        long idleBefore = loadCpuIdleJiffies();
        long processBefore = processJiffies("self");
        String proxyPid = System.getenv().getOrDefault("PROXY_PID", "");
        long proxyBefore = proxyPid.isEmpty() ? 0 : processJiffies(proxyPid);
        long wallBefore = System.nanoTime();
        Load.Result result = load.run(rate, seconds).get(seconds + 60L, TimeUnit.SECONDS);
        long wallJiffies = Math.max(1, (System.nanoTime() - wallBefore) / 10_000_000);
        long process = processJiffies("self") - processBefore;
        // The proxy's CPU over exactly the measured requests (the warm-up's are not in it), in CPU seconds per 1,000.
        double proxyCpuPer1k = proxyPid.isEmpty() ? -1
                : (processJiffies(proxyPid) - proxyBefore) / 100.0 / (rate * (double) seconds / 1000);
        long steal = stealMillis() - stealBefore;
        long busyPct = idleBefore < 0 ? -1
                : Math.max(0, 100 * (wallJiffies - (loadCpuIdleJiffies() - idleBefore)) / wallJiffies);
        System.out.printf("rate=%d sent=%d errors=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d lag_p50_us=%d"
                + " lag_p99_us=%d steal_ms=%d load_cpu_busy_pct=%d load_process_cpu_pct=%d"
                + " proxy_cpu_per_1k_s=%.4f%n", rate,
                (long) rate * seconds, result.errors, result.latency.getValueAtPercentile(50),
                result.latency.getValueAtPercentile(90),
                result.latency.getValueAtPercentile(99), result.latency.getValueAtPercentile(99.9),
                result.latency.getMaxValue(), result.lag.getValueAtPercentile(50),
                result.lag.getValueAtPercentile(99), steal, busyPct, 100 * process / wallJiffies,
                proxyCpuPer1k);
        load.slow.printTo(System.err);
        System.exit(0);
    }

    /**
     * One run at a time on one event loop: the planned times, the idle connections, and the requests that are due
     * while every connection waits for an answer. Everything here runs on the loop, so nothing is locked.
     */
    static final class Load {
        record Result(Histogram latency, Histogram lag, long errors) {
        }

        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final ByteBuf request;
        private final ArrayDeque<Connection> idle = new ArrayDeque<>();
        /** Planned times of due requests that found no idle connection, oldest first. */
        private final ArrayDeque<Long> queued = new ArrayDeque<>();

        private long start;
        private long interval;
        private long total;
        private long next;
        private long answered;
        private long errors;
        private Histogram latency;
        private Histogram lag;
        private CompletableFuture<Result> done;
        /** With {@code SLOW_REQUESTS_US}: the planned time and latency of each slower request of the run, kept. */
        private final SlowRequests slow = SlowRequests.fromEnvironment();

        Load(EventLoop loop, Bootstrap bootstrap, ByteBuf request) {
            this.loop = loop;
            this.bootstrap = bootstrap.handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast(new HttpResponseDecoder(), new Connection());
                }
            });
            this.request = request;
        }

        void open(int count) throws InterruptedException {
            for (int i = 0; i < count; i++) {
                connect().sync();
            }
        }

        /** Opens a connection that joins the idle ones (or takes a queued request) once connected. */
        private ChannelFuture connect() {
            return bootstrap.connect().addListener((ChannelFuture opened) -> {
                if (opened.isSuccess()) {
                    opened.channel().pipeline().get(Connection.class).ready();
                } else {
                    System.err.println("cannot connect: " + opened.cause());
                }
            });
        }

        CompletableFuture<Result> run(int rate, int seconds) {
            CompletableFuture<Result> result = new CompletableFuture<>();
            loop.execute(() -> {
                done = result;
                latency = newHistogram();
                lag = newHistogram();
                errors = 0;
                answered = 0;
                slow.clear();
                next = 0;
                total = (long) rate * seconds;
                interval = TimeUnit.SECONDS.toNanos(1) / rate;
                start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
                sendDue();
            });
            return result;
        }

        /** Sends every request whose planned time has come, then sleeps until the next one's. */
        private void sendDue() {
            long now = System.nanoTime();
            while (next < total && start + next * interval <= now) {
                long planned = start + next * interval;
                next++;
                lag.recordValue(Math.max(0, (now - planned) / 1000));
                Connection connection = idle.poll();
                if (connection != null) {
                    connection.send(planned);
                } else {
                    queued.add(planned);
                }
            }
            if (next < total) {
                loop.schedule(this::sendDue, start + next * interval - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        }

        private void answered(long planned, boolean ok) {
            long micros = Math.max(1, (System.nanoTime() - planned) / 1000);
            latency.recordValue(micros);
            slow.record(planned, micros);
            if (!ok) {
                errors++;
            }
            if (++answered == total) {
                done.complete(new Result(latency, lag, errors));
            }
        }

        /** One keep-alive connection with at most one request outstanding. */
        final class Connection extends SimpleChannelInboundHandler<HttpObject> {
            private Channel channel;
            /** The outstanding request's planned time, or -1. */
            private long planned = -1;
            private boolean ok;

            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // Before the connect future's listeners run, which may send at once.
                channel = ctx.channel();
            }

            void send(long plannedTime) {
                planned = plannedTime;
                ok = false;
                channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
            }

            /** Idle now: takes the oldest queued request, or waits for the next one. */
            void ready() {
                Long waiting = queued.poll();
                if (waiting != null) {
                    send(waiting);
                } else {
                    idle.push(this);
                }
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
                if (message instanceof HttpResponse response) {
                    ok = response.status().code() == 200 && response.decoderResult().isSuccess();
                }
                if (message instanceof LastHttpContent) {
                    long answeredPlanned = planned;
                    planned = -1;
                    answered(answeredPlanned, ok);
                    ready();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                idle.remove(this);
                if (planned >= 0) {
                    answered(planned, false);
                }
                connect();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }

    /**
     * The requests of the measured run that took longer than {@code SLOW_REQUESTS_US} microseconds, for finding what
     * ran on the CPUs at their moment in a scheduler trace: printed after the result as {@code slow PLANNED_NS
     * LATENCY_US} lines, the planned send time on {@code System.nanoTime()}'s clock, which on Linux is
     * CLOCK_MONOTONIC, the clock ftrace's {@code mono} trace clock reads. Kept in arrays sized once, so that a slow
     * moment does not make the loop allocate; past the capacity the rest are counted.
     */
    static final class SlowRequests {
        private static final int CAPACITY = 100_000;
        private final long thresholdMicros;
        private final long[] planned;
        private final long[] micros;
        private int count;
        private long over;

        private SlowRequests(long thresholdMicros, int capacity) {
            this.thresholdMicros = thresholdMicros;
            this.planned = new long[capacity];
            this.micros = new long[capacity];
        }

        static SlowRequests fromEnvironment() {
            String threshold = System.getenv("SLOW_REQUESTS_US");
            if (threshold == null || threshold.isBlank()) {
                return new SlowRequests(Long.MAX_VALUE, 0);
            }
            try {
                return new SlowRequests(Long.parseLong(threshold.trim()), CAPACITY);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "SLOW_REQUESTS_US is a number of microseconds, not '" + threshold + "'");
            }
        }

        void clear() {
            count = 0;
            over = 0;
        }

        void record(long plannedNanos, long latencyMicros) {
            if (latencyMicros <= thresholdMicros) {
                return;
            }
            if (count == planned.length) {
                over++;
                return;
            }
            planned[count] = plannedNanos;
            micros[count++] = latencyMicros;
        }

        void printTo(java.io.PrintStream out) {
            for (int i = 0; i < count; i++) {
                out.println("slow " + planned[i] + " " + micros[i]);
            }
            if (over > 0) {
                out.println("slow: " + over + " more past the first " + planned.length);
            }
        }
    }

    /**
     * Gives the calling thread (the event loop) real-time priority (SCHED_FIFO), so it sends and reads on time
     * although the upstream shares its CPU; only this thread, since a real-time JIT compiler thread would hold the
     * CPU for whole compilations. Linux only, needs root.
     */
    static void realtimeForThisThread() {
        try {
            String tid = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
            int exit = new ProcessBuilder("chrt", "-f", "-p", "10", tid).inheritIO().start().waitFor();
            if (exit != 0) {
                System.err.println("chrt failed for the event loop: exit " + exit);
            }
        } catch (Exception e) {
            System.err.println("no real-time priority for the event loop: " + e);
        }
    }

    /**
     * The hypervisor's steal time so far, all CPUs, from the {@code cpu} line of /proc/stat (its eighth value, in
     * USER_HZ ticks, 100 per second on Linux). The harness is Linux-only: without /proc/stat this fails rather than
     * report no steal.
     */
    static long stealMillis() throws java.io.IOException {
        String total = Files.readAllLines(Path.of("/proc/stat")).get(0);
        return Long.parseLong(total.split("\\s+")[8]) * 10;
    }

    /**
     * Idle jiffies so far of the CPU named by {@code LOAD_CPU} (the harness pins this process, and the upstream, to
     * it), idle and iowait from its {@code cpuN} line of /proc/stat, or -1 without {@code LOAD_CPU}. Busy is the
     * wall-clock time less this: the kernel measures idle periods exactly, while the busy counters are sampled at
     * ticks, and with thousands of short idle periods a second they missed most of the busy time in runs here (9%
     * busy reported while this process alone took 50% of the CPU).
     */
    static long loadCpuIdleJiffies() throws java.io.IOException {
        String cpu = System.getenv("LOAD_CPU");
        if (cpu == null) {
            return -1;
        }
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            String[] f = line.split("\\s+");
            if (f[0].equals("cpu" + cpu)) {
                return Long.parseLong(f[4]) + Long.parseLong(f[5]);
            }
        }
        throw new IllegalStateException("no cpu" + cpu + " line in /proc/stat");
    }

    /** A process's user and system CPU so far, in USER_HZ ticks (/proc/PID/stat, fields 14 and 15). */
    static long processJiffies(String pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }
}
