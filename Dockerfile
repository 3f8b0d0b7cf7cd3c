# Latchkey on the JVM: quick to build, the reference for the benchmark's -Xmx64m measurements.
#   ./mvnw -B package -DskipTests
#   docker build -t latchkey:jvm .
#   docker run --rm -p 127.0.0.1:15001:15001 -p 15020:15020 \
#     -v "$PWD/examples:/etc/latchkey:ro" -e LATCHKEY_POLICY=/etc/latchkey/quickstart-policy.yaml \
#     -e LATCHKEY_PROXY_HOST=0.0.0.0 latchkey:jvm
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21
ENV LANGUAGE='en_US:en'
COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 target/quarkus-app/*.jar /deployments/
COPY --chown=185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/
EXPOSE 15001 15000 15020
USER 185
# A 64 MiB heap that starts small with a small young generation: 10-20 MiB less RSS than letting serial GC
# commit the whole heap, at the same CPU per request. TrimNativeHeapInterval hands memory that the JIT compilers
# freed back to the OS every 5 s (glibc keeps it otherwise): about 25 MiB less RSS at 5k req/s, no latency cost
# seen (bench/run.sh, LATCHKEY_JVM_FLAGS). The flag needs JDK 17.0.9 or later; IgnoreUnrecognizedVMOptions keeps an
# older base image starting (without the trim) instead of refusing the option.
ENV JAVA_OPTS_APPEND="-Xmx64m -Xms8m -Xmn8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"
ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
