# Latchkey on the JVM: quick to build, the reference for the benchmark's -Xmx64m measurements.
#   ./mvnw -B package -DskipTests
#   docker build -t latchkey:jvm .
#   docker run --rm -p 127.0.0.1:15001:15001 -p 15020:15020 \
#     -v "$PWD/examples:/etc/latchkey:ro" -e LATCHKEY_POLICY=/etc/latchkey/quickstart-policy.yaml \
#     -e LATCHKEY_PROXY_HOST=0.0.0.0 latchkey:jvm
#
# For sidecars without the database (LATCHKEY_DATABASE_ENABLED=false, as k8s/base runs), the same package step also
# builds target/quarkus-app-without-database, built without the database's libraries (README "Images"):
#   docker build --build-arg APP=quarkus-app-without-database -t latchkey:jvm-without-database .
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21
ARG APP=quarkus-app
ENV LANGUAGE='en_US:en'
# One jar holding every dependency, its entries stored (application.properties says why).
COPY --chown=185 target/${APP}/quarkus-run.jar /deployments/quarkus-run.jar
COPY --chown=185 --chmod=0755 src/main/docker/cds-training.sh /deployments/cds-training.sh
EXPOSE 15001 15000 15020
USER 185
# The base image's run-java.sh puts its own defaults before JAVA_OPTS_APPEND, among them a collector chosen by
# GC_CONTAINER_OPTIONS (Parallel unless set); a second collector in JAVA_OPTS_APPEND stops the JVM with "Multiple
# garbage collectors selected", so serial GC and the heap free ratios are chosen through the image's own variables.
# A 64 MiB heap that starts small with a small young generation: 10-20 MiB less RSS than letting serial GC commit the
# whole heap, at the same CPU per request. It starts at 16 MiB, twice the young generation: an initial heap that is
# all young generation (-Xms8m) made the JVM warn at every start ("NewSize was set larger than initial heap size")
# and collect the old generation three times while starting (30-45 ms more in pauses), at the same RSS.
# TrimNativeHeapInterval hands memory that the JIT compilers freed back to the OS every 5 s (glibc keeps it
# otherwise): about 25 MiB less RSS at 5k req/s, no latency cost seen (bench/run.sh, LATCHKEY_JVM_FLAGS). The flag
# needs JDK 17.0.9 or later; IgnoreUnrecognizedVMOptions keeps an older base image starting (without the trim)
# instead of refusing the option. CompileThresholdScaling=3 lets methods run three times
# longer before the JIT compiles them: on one CPU the compilers otherwise spend about 1 s of start-up on code that
# runs only then. First proxied 200 1.7 s instead of 2.2-2.5 s, CPU per request once warm the same; warm-up at low
# rates is slower (p50 +0.2-0.4 ms in the first minute at 10-100 req/s). Append -XX:CompileThresholdScaling=1 for
# the JVM's default. JvmImageIT starts the jar with the options this file composes.
ENV GC_CONTAINER_OPTIONS="-XX:+UseSerialGC" GC_MIN_HEAP_FREE_RATIO=10 GC_MAX_HEAP_FREE_RATIO=30
ENV JAVA_OPTS_APPEND="-Xmx64m -Xms16m -Xmn8m -XX:CompileThresholdScaling=3 -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"
# AppCDS: a training run (start, one proxied request, stop) archives the classes that start-up loads, with this
# image's JDK and jar, so that every start maps them instead of loading them again: the first proxied 200 comes
# about 0.5 s sooner on one CPU (bench/run.sh, without-database build: 0.74 s instead of 1.25 s). If the archive
# cannot be used (another JDK mounted over this one, say) the JVM says so once and starts without it.
RUN JAVA_OPTS_APPEND="$JAVA_OPTS_APPEND -XX:ArchiveClassesAtExit=/deployments/app-cds.jsa -Xlog:cds=error" \
    /deployments/cds-training.sh /opt/jboss/container/java/run/run-java.sh
ENV JAVA_OPTS_APPEND="$JAVA_OPTS_APPEND -XX:SharedArchiveFile=/deployments/app-cds.jsa"
ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
