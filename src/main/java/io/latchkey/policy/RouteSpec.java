package io.latchkey.policy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One route: how requests find it (a base-URL {@code prefix}, forward-mode {@code hosts}), where they go
 * ({@code upstream}), what may pass ({@code allow}) and what is added ({@code inject}).
 *
 * @param hosts lower-case host names, each optionally with {@code :port}
 * @param idleTimeout empty means no idle limit
 * @param http2 offer HTTP/2 to an https upstream by ALPN; otherwise HTTP/1.1
 */
public record RouteSpec(
        String name,
        Optional<String> prefix,
        List<String> hosts,
        URI upstream,
        Allow allow,
        List<InjectionSpec> inject,
        boolean tunnel,
        boolean passCallerAuthorization,
        Optional<Path> caBundle,
        Duration connectTimeout,
        Optional<Duration> idleTimeout,
        boolean http2) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    public RouteSpec {
        hosts = List.copyOf(hosts);
        inject = List.copyOf(inject);
    }
}
