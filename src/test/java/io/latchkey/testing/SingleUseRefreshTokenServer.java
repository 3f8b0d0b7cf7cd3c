package io.latchkey.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A token endpoint with refresh-token rotation as strict providers do it (RFC 9700 §4.14.2): each refresh token
 * works once; the answer carries a new one; presenting a used or unknown one gets 400 {@code invalid_grant}
 * (RFC 6749 §5.2). It remembers every access token it issued, so a test can check what upstreams received.
 */
public final class SingleUseRefreshTokenServer implements AutoCloseable {

    private final HttpServer server;
    private final int lifetimeSeconds;
    private final Set<String> issuedAccessTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final AtomicInteger invalidGrants = new AtomicInteger();
    private String currentRefreshToken;
    private int generation;

    public SingleUseRefreshTokenServer(Vertx vertx, String firstRefreshToken, int lifetimeSeconds) {
        this.currentRefreshToken = firstRefreshToken;
        this.lifetimeSeconds = lifetimeSeconds;
        this.server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            Map<String, String> form = parse(body.toString());
            String answer;
            int status;
            synchronized (this) {
                if ("refresh_token".equals(form.get("grant_type"))
                        && currentRefreshToken.equals(form.get("refresh_token"))) {
                    generation++;
                    String access = "access-" + generation;
                    currentRefreshToken = "refresh-" + generation;
                    issuedAccessTokens.add(access);
                    refreshes.incrementAndGet();
                    status = 200;
                    answer = "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                            + this.lifetimeSeconds + ",\"refresh_token\":\"" + currentRefreshToken + "\"}";
                } else {
                    invalidGrants.incrementAndGet();
                    status = 400;
                    answer = "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token already used\"}";
                }
            }
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").end(answer);
        }));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> parse(String form) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/token";
    }

    public synchronized String currentRefreshToken() {
        return currentRefreshToken;
    }

    public boolean issued(String accessToken) {
        return issuedAccessTokens.contains(accessToken);
    }

    public int refreshes() {
        return refreshes.get();
    }

    public int invalidGrants() {
        return invalidGrants.get();
    }

    @Override
    public void close() {
        server.close();
    }
}
