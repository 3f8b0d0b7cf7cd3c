package io.latchkey.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.latchkey.secret.Sha256;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.TrustOptions;

/**
 * The pooled HTTP clients that reach upstreams: Latchkey's own HTTP/1.1 client per origin (plain http, or https with
 * TLS verified against the JVM trust store plus the route's CA bundle); Vert.x's client for https routes that ask for
 * HTTP/2 (by ALPN, where the upstream offers it), one per distinct CA bundle. Clients outlive policy reloads, so a
 * reload keeps warm connections and never cuts a stream in flight; a bundle is keyed by its content, so an edited
 * bundle gets a new client.
 */
final class UpstreamClients implements AutoCloseable {

    private final Vertx vertx;
    private final int poolSize;
    private final MeterRegistry registry;
    /** System.nanoTime, or a clock the tests tick: how old an idle pooled connection is. */
    private final LongSupplier nanoClock;
    private final ByteBufAllocator allocator;
    /** Latchkey's own clients, by origin and CA bundle ({@code http://host:port#}, {@code https://host:port#hash}). */
    private final Map<String, Http1UpstreamClient> ownByOrigin = new ConcurrentHashMap<>();
    /** TLS for the own clients, by CA bundle hash ("" for the JVM trust store alone); shared by origins. */
    private final Map<String, SslContext> sslByBundle = new ConcurrentHashMap<>();
    /** Vert.x's clients for HTTP/2 routes, by CA bundle hash ("" for the JVM trust store alone). */
    private final Map<String, VertxUpstreamClient> http2ByBundle = new ConcurrentHashMap<>();
    private final Map<String, HttpClient> tokenClients = new ConcurrentHashMap<>();

    UpstreamClients(Vertx vertx, int poolSize, MeterRegistry registry, LongSupplier nanoClock,
            ByteBufAllocator allocator) {
        this.vertx = vertx;
        this.allocator = allocator;
        this.poolSize = poolSize;
        this.registry = registry;
        this.nanoClock = nanoClock;
    }

    /** The client for a plain-http origin: Latchkey's own HTTP/1.1 client, one per origin, kept across reloads. */
    UpstreamClient plain(String host, int port) {
        return own("http://" + host + ":" + port, "", host, port, null);
    }

    /**
     * The client for an https origin: Latchkey's own HTTP/1.1 client, or with {@code http2} Vert.x's client offering
     * HTTP/2 by ALPN. Either verifies the upstream's certificate and host name against the JVM trust store plus the
     * CA bundle, when there is one. Reads the bundle: call it off the event loop.
     *
     * @throws IllegalArgumentException when the bundle cannot be read or holds no certificate
     */
    UpstreamClient https(String host, int port, Path caBundle, boolean http2) {
        byte[] pem = caBundle == null ? null : readBundle(caBundle);
        String bundleKey = bundleKey(pem);
        if (http2) {
            return http2ByBundle.computeIfAbsent(bundleKey, k -> new VertxUpstreamClient(vertx.createHttpClient(
                    http2Options(pem == null ? null : TrustOptions.wrap(trustWithBundle(caBundle, pem))))));
        }
        SslContext ssl = sslByBundle.computeIfAbsent(bundleKey,
                k -> clientSslContext(pem == null ? null : trustWithBundle(caBundle, pem)));
        return own("https://" + host + ":" + port, bundleKey, host, port, ssl);
    }

    /** The own client for an origin, one per origin and CA bundle, made and metered on first use. */
    private UpstreamClient own(String origin, String bundleKey, String host, int port, SslContext ssl) {
        return ownByOrigin.computeIfAbsent(origin + "#" + bundleKey, key -> metered(origin,
                new Http1UpstreamClient((VertxInternal) vertx, host, port, poolSize, ssl, nanoClock, allocator)));
    }

    /**
     * Gauges of the client's pools, tagged with its origin. Two clients for one origin (routes trusting different CA
     * bundles) share the first one's gauges: the registry keeps the first registration of a name and tags.
     */
    private Http1UpstreamClient metered(String origin, Http1UpstreamClient client) {
        Gauge.builder("latchkey.upstream.connections", client,
                c -> Math.max(0, c.openConnections() - c.idleConnections()))
                .description("Connections to the upstream carrying a call or being opened")
                .tags("origin", origin, "state", "busy").register(registry);
        Gauge.builder("latchkey.upstream.connections", client, Http1UpstreamClient::idleConnections)
                .description("Connections to the upstream kept open for the next call")
                .tags("origin", origin, "state", "idle").register(registry);
        Gauge.builder("latchkey.upstream.waiting", client, Http1UpstreamClient::waitingCalls)
                .description("Calls waiting for a pooled connection to the upstream (the pool is at its limit)")
                .tags("origin", origin).register(registry);
        return client;
    }

    /** TLS for the own client: the JDK's engine, host names verified as HTTPS does (RFC 2818), no ALPN. */
    private static SslContext clientSslContext(TrustManagerFactory trust) {
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(trust)
                    .endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstreams (" + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    /**
     * The client for token endpoints: HTTP/1.1, TLS per request, JVM trust store plus an optional CA bundle. Reads the
     * bundle: call it off the event loop.
     */
    HttpClient tokenClient(Path caBundle) {
        byte[] pem = caBundle == null ? null : readBundle(caBundle);
        return tokenClients.computeIfAbsent(bundleKey(pem), key -> {
            HttpClientOptions options = baseOptions().setMaxPoolSize(8).setVerifyHost(true);
            if (pem != null) {
                options.setTrustOptions(TrustOptions.wrap(trustWithBundle(caBundle, pem)));
            }
            return vertx.createHttpClient(options);
        });
    }

    /** A CA bundle's key among the clients: its content's hash, "" for none (the JVM trust store alone). */
    private static String bundleKey(byte[] pem) {
        return pem == null ? "" : Sha256.hex(pem);
    }

    private static byte[] readBundle(Path caBundle) {
        try {
            return Files.readAllBytes(caBundle);
        } catch (IOException e) {
            throw new IllegalArgumentException("caBundle " + caBundle + " cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private HttpClientOptions baseOptions() {
        return new HttpClientOptions()
                .setMaxPoolSize(poolSize)
                .setKeepAlive(true)
                .setPipelining(false)
                .setTryUseCompression(false)
                .setDecompressionSupported(false)
                .setMaxHeaderSize(64 * 1024)
                .setMaxInitialLineLength(16 * 1024)
                .setShared(false);
    }

    private HttpClientOptions http2Options(TrustOptions trust) {
        HttpClientOptions options = baseOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2MaxPoolSize(Math.max(1, poolSize / 64))
                .setVerifyHost(true)
                .setTrustAll(false);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        return options;
    }

    private static TrustManagerFactory trustWithBundle(Path caBundle, byte[] pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            int index = 0;
            for (var manager : defaults.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jvm-" + index++, issuer);
                    }
                }
            }
            Collection<? extends Certificate> bundle = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            if (bundle.isEmpty()) {
                throw new IllegalArgumentException("caBundle " + caBundle + " holds no PEM certificate");
            }
            for (Certificate certificate : bundle) {
                store.setCertificateEntry("bundle-" + index++, certificate);
            }
            TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            combined.init(store);
            return combined;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("caBundle " + caBundle + " is not a PEM certificate bundle ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void close() {
        ownByOrigin.values().forEach(UpstreamClient::close);
        http2ByBundle.values().forEach(UpstreamClient::close);
        tokenClients.values().forEach(HttpClient::close);
    }
}
