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

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.latchkey.secret.Sha256;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.TrustOptions;

/**
 * The pooled HTTP clients that reach upstreams: Latchkey's own HTTP/1.1 client per plain-http origin; Vert.x's client
 * (HTTP/2 by ALPN where offered) for https, one verified against the JVM trust store and one per distinct CA bundle
 * (JVM trust store plus the bundle). Clients outlive policy reloads, so a
 * reload keeps warm connections and never cuts a stream in flight; a bundle is keyed by its content, so an edited
 * bundle gets a new client.
 */
final class UpstreamClients implements AutoCloseable {

    private final Vertx vertx;
    private final int poolSize;
    private final Map<String, Http1UpstreamClient> plainByOrigin = new ConcurrentHashMap<>();
    private final VertxUpstreamClient tls;
    private final Map<String, VertxUpstreamClient> byBundle = new ConcurrentHashMap<>();
    private final Map<String, HttpClient> tokenClients = new ConcurrentHashMap<>();

    UpstreamClients(Vertx vertx, int poolSize) {
        this.vertx = vertx;
        this.poolSize = poolSize;
        this.tls = new VertxUpstreamClient(vertx.createHttpClient(tlsOptions(null)));
    }

    /** The client for a plain-http origin: Latchkey's own HTTP/1.1 client, one per origin, kept across reloads. */
    UpstreamClient plain(String host, int port) {
        return plainByOrigin.computeIfAbsent(host + ":" + port,
                origin -> new Http1UpstreamClient((VertxInternal) vertx, host, port, poolSize));
    }

    /**
     * The https client for a route; with a CA bundle, one that also trusts it. Reads the bundle: call it off the
     * event loop.
     *
     * @throws IllegalArgumentException when the bundle cannot be read or holds no certificate
     */
    UpstreamClient tls(Path caBundle) {
        if (caBundle == null) {
            return tls;
        }
        byte[] pem = readBundle(caBundle);
        String key = Sha256.hex(pem);
        return byBundle.computeIfAbsent(key,
                k -> new VertxUpstreamClient(vertx.createHttpClient(tlsOptions(trustWithBundle(caBundle, pem)))));
    }

    /**
     * The client for token endpoints: HTTP/1.1, TLS per request, JVM trust store plus an optional CA bundle. Reads the
     * bundle: call it off the event loop.
     */
    HttpClient tokenClient(Path caBundle) {
        byte[] pem = caBundle == null ? null : readBundle(caBundle);
        return tokenClients.computeIfAbsent(pem == null ? "" : Sha256.hex(pem), key -> {
            HttpClientOptions options = baseOptions().setMaxPoolSize(8).setVerifyHost(true);
            if (pem != null) {
                options.setTrustOptions(trustWithBundle(caBundle, pem));
            }
            return vertx.createHttpClient(options);
        });
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

    private HttpClientOptions tlsOptions(TrustOptions trust) {
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

    private static TrustOptions trustWithBundle(Path caBundle, byte[] pem) {
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
            return TrustOptions.wrap(combined);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("caBundle " + caBundle + " is not a PEM certificate bundle ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void close() {
        plainByOrigin.values().forEach(UpstreamClient::close);
        tls.close();
        byBundle.values().forEach(UpstreamClient::close);
        tokenClients.values().forEach(HttpClient::close);
    }
}
