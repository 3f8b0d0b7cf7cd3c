package io.latchkey.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.latchkey.testing.ManualClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;

class MeterClockTest {

    final ManualClock wall = new ManualClock();
    final AtomicLong nanos = new AtomicLong(5_000);
    final MeterClock clock = new MeterClock(wall, nanos::get);

    @Test
    void wallTimeIsTheOneLastReadUntilRefreshed() {
        long start = wall.millis();
        assertThat(clock.wallTime()).isEqualTo(start);

        wall.advance(Duration.ofMillis(700));
        assertThat(clock.wallTime()).isEqualTo(start);

        clock.refresh();
        assertThat(clock.wallTime()).isEqualTo(start + 700);
    }

    @Test
    void monotonicTimeIsReadEachTime() {
        assertThat(clock.monotonicTime()).isEqualTo(5_000);
        nanos.addAndGet(1);
        assertThat(clock.monotonicTime()).isEqualTo(5_001);
    }

    /** A timer's maximum is kept for a window of the wall time: it moves on when the clock is refreshed, not before. */
    @Test
    void aTimersMaximumRotatesOnTheRefreshedWallTime() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new CollectorRegistry(), clock);
        Timer timer = Timer.builder("t").distributionStatisticExpiry(Duration.ofSeconds(3))
                .distributionStatisticBufferLength(1).publishPercentileHistogram().register(registry);
        timer.record(40, TimeUnit.MILLISECONDS);

        wall.advance(Duration.ofSeconds(10));
        timer.record(1, TimeUnit.MILLISECONDS);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(40);

        clock.refresh();
        timer.record(2, TimeUnit.MILLISECONDS);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(2);
        assertThat(timer.count()).isEqualTo(3);
    }
}
