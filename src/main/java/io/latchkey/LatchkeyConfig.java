package io.latchkey;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything an operator can set, under {@code latchkey.*}. */
@ConfigMapping(prefix = "latchkey")
public interface LatchkeyConfig {

    /** The policy YAML file (env {@code LATCHKEY_POLICY}). Watched: a valid new version replaces the running one. */
    Path policy();

    /**
     * How often watched files (the policy, {@code file:} secrets) are checked even without a change event, as a
     * backstop for file systems whose events are missed.
     */
    @WithDefault("5s")
    Duration filePollInterval();

    /**
     * One log line per proxied request (category {@code io.latchkey.access}): method, route, status, latency, bytes,
     * error code. Never the path or query, which may carry identifiers or keys.
     */
    @WithDefault("true")
    boolean accessLog();

    /** The proxy listener the MCP server sends its calls to. */
    Proxy proxy();

    /** How OAuth credentials obtain and renew tokens. */
    OAuth oauth();

    /** Vault, for {@code vault:} references. Without an address they are refused. */
    Vault vault();

    /** PostgreSQL: the audit trail and the embedded {@code db:} secret store. */
    Database database();

    /** The keys that seal {@code db:} secrets. */
    Crypto crypto();

    /** The admin API on the Quarkus HTTP port (15000). */
    Admin admin();

    /** The audit trail of proxied requests and credential events. */
    Audit audit();

    interface Database {

        /**
         * Whether Latchkey uses PostgreSQL at all. Off, the audit trail is not kept and {@code db:} references are
         * refused; static, file and Vault credentials work as before.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * PostgreSQL's address without the {@code jdbc:} prefix, such as {@code postgresql://db:5432/latchkey}
         * (default {@code postgresql://127.0.0.1:5432/latchkey}); user and password are
         * {@code quarkus.datasource.username/password}.
         */
        Optional<String> url();

        /** How often {@code db:} secrets are read again; a value another replica wrote reaches requests within it. */
        @WithDefault("30s")
        Duration cacheTtl();

        /** How long past its TTL a cached {@code db:} value keeps serving while the database is unreachable. */
        @WithDefault("5m")
        Duration grace();

        /** Longest wait between attempts to reach the database and apply migrations after a failure. */
        @WithDefault("30s")
        Duration retryCap();
    }

    interface Crypto {

        /**
         * A value reference ({@code env:NAME} or {@code file:/path}) to the AES-256 keys, written
         * {@code id:base64,id:base64}; the first is active. Required when {@code db:} secrets are used.
         */
        Optional<String> keys();
    }

    interface Admin {

        /**
         * File holding the bearer token the admin API requires. Without it the admin API refuses every call. The
         * file is read again when it changes, so the token can be rotated without a restart.
         */
        Optional<Path> tokenFile();
    }

    interface Audit {

        /** Whether proxied requests and credential events are written to PostgreSQL. */
        @WithDefault("true")
        boolean enabled();

        /** Events held in memory while the database is slow or down; what does not fit is counted and dropped. */
        @WithDefault("10000")
        int bufferSize();

        /** Most events written in one batch. */
        @WithDefault("500")
        int batchSize();

        /** How often queued events are written. */
        @WithDefault("1s")
        Duration flushInterval();
    }

    interface Vault {

        /** Vault's address, such as {@code https://vault.vault.svc:8200}. */
        Optional<URI> address();

        /** Vault Enterprise namespace. */
        Optional<String> namespace();

        /** PEM file of the CA that signed Vault's certificate, when the JVM trust store does not hold it. */
        Optional<Path> tlsCa();

        /** How often a read secret is read again; a new version reaches requests within this time. */
        @WithDefault("1m")
        Duration cacheTtl();

        /** How long past its TTL a cached value keeps serving while Vault is unreachable. */
        @WithDefault("5m")
        Duration grace();

        /** Timeout of each request to Vault. */
        @WithDefault("10s")
        Duration requestTimeout();

        Auth auth();

        interface Auth {

            /** {@code token}, {@code kubernetes} or {@code approle}. */
            @WithDefault("token")
            String method();

            /** For token auth: a value reference to the token, such as {@code env:VAULT_TOKEN}. */
            @WithDefault("env:VAULT_TOKEN")
            String token();

            /** Kubernetes auth: the Vault role. */
            Optional<String> kubernetesRole();

            /** Kubernetes auth: the auth method's mount path. */
            @WithDefault("kubernetes")
            String kubernetesMountPath();

            /** Kubernetes auth: the service-account token file. */
            @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/token")
            Path kubernetesJwtPath();

            /** AppRole auth: the role id. */
            Optional<String> approleRoleId();

            /** AppRole auth: a value reference to the secret id. */
            Optional<String> approleSecretId();

            /** AppRole auth: the auth method's mount path. */
            @WithDefault("approle")
            String approleMountPath();
        }
    }

    interface OAuth {

        /** First retry delay after a failed token request; it doubles with each failure, with jitter. */
        @WithDefault("1s")
        Duration backoffBase();

        /** Longest delay between token request retries. */
        @WithDefault("2m")
        Duration backoffCap();

        /**
         * Largest request body kept in memory so that a request refused with 401 can be replayed once with a new
         * token; larger or chunked bodies stream and a 401 passes through.
         */
        @WithDefault("65536")
        int replayBufferLimit();
    }

    interface Proxy {

        /** Interface the proxy listens on. Keep it on loopback: only the pod's own containers should reach it. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port the proxy listens on; 0 picks a free one (tests). */
        @WithDefault("15001")
        int port();

        /** Event loops serving the proxy; defaults to the number of CPUs the JVM sees. */
        OptionalInt eventLoops();

        /** Largest request head (request line and headers) accepted, in bytes. */
        @WithDefault("16384")
        int maxHeaderSize();

        /** Longest request line accepted, in bytes. */
        @WithDefault("8192")
        int maxRequestLineLength();

        /**
         * The HTTP/1.1 server callers talk to: {@code latchkey}, Latchkey's own, which reads request heads where they
         * lie and writes answers' heads as bytes; or {@code vertx}, Vert.x's HTTP server on Netty's codec, the one
         * Latchkey used before. Both refuse the same ambiguous requests.
         */
        @WithDefault("latchkey")
        CallerServer server();

        /**
         * Pooled HTTP/1.1 connections per upstream origin and event loop; routes with {@code http2: true} share
         * Vert.x's client, where HTTP/2 multiplexes over fewer. Calls beyond it wait for a free connection up to the
         * route's connect timeout.
         */
        @WithDefault("256")
        int upstreamPoolSize();

        /** Seconds a caller is told to wait ({@code Retry-After}) when a credential is unavailable. */
        @WithDefault("5")
        int retryAfterSeconds();

        /**
         * On shutdown (SIGTERM), how long requests and streams in flight may take to finish after new connections
         * are refused. Keep it below the pod's {@code terminationGracePeriodSeconds}.
         */
        @WithDefault("20s")
        Duration drainTimeout();

        /** The servers {@link #server()} chooses between. */
        enum CallerServer {
            LATCHKEY,
            VERTX
        }
    }
}
