package io.latchkey.health;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;
import io.quarkus.runtime.StartupEvent;

/**
 * The JVM's meters (memory pools, threads, classes, the JVM's version) without the ones that listen to garbage
 * collections. Those (Micrometer's {@code JvmGcMetrics} and {@code JvmHeapPressureMetrics}, which Quarkus's JVM
 * binder registers) make the JVM build a JMX notification after every collection and hand it to a thread of its own;
 * at full load a young collection comes every few tens of milliseconds, and the work came to about 2% of the proxy's
 * one CPU. Collections are counted here instead by reading the collectors' own counters when the meters are
 * scraped: {@code jvm_gc_collections_total} and {@code jvm_gc_collection_seconds_total}, by collector.
 */
@ApplicationScoped
public class JvmMeters {

    void register(@Observes StartupEvent event, MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JVMInfoBinder().bindTo(registry);
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionCounter.builder("jvm.gc.collections", collector, GarbageCollectorMXBean::getCollectionCount)
                    .tag("gc", collector.getName())
                    .description("Collections by this collector since the JVM started")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.seconds", collector,
                    bean -> bean.getCollectionTime() / 1000.0)
                    .tag("gc", collector.getName())
                    .description("Time spent in this collector's collections since the JVM started (its own count)")
                    .register(registry);
        }
    }
}
