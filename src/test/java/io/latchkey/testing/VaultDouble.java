package io.latchkey.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stand-in for a Vault server on a loopback port, implementing only the endpoints Latchkey uses, with Vault's
 * documented JSON and errors: KV v2 data read (with {@code ?version=}), metadata read and write with
 * {@code options.cas}; token lookup-self and renew-self; kubernetes and approle login. Every request must carry a
 * token Vault issued ({@code X-Vault-Token}), or it gets 403 permission denied.
 */
public final class VaultDouble implements AutoCloseable {

    /** One version of a secret. */
    private record Version(JsonObject data, String createdTime) {
    }

    private final HttpServer server;
    private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private volatile boolean holding;
    /** Requests kept unanswered while {@link #hold} is on. */
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    private volatile String kubernetesJwt;
    private volatile String approleSecretId;

    public VaultDouble(Vertx vertx, String rootToken) {
        tokens.add(rootToken);
        server = vertx.createHttpServer().requestHandler(this::handle);
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String address() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Writes a new version of {@code mount/path}, as an operator would. */
    public void put(String mount, String path, Map<String, Object> data) {
        secrets.computeIfAbsent(mount + "/" + path, k -> new CopyOnWriteArrayList<>())
                .add(new Version(new JsonObject(data), "2026-11-26T10:00:00Z"));
    }

    public int currentVersion(String mount, String path) {
        List<Version> versions = secrets.get(mount + "/" + path);
        return versions == null ? 0 : versions.size();
    }

    public JsonObject read(String mount, String path) {
        List<Version> versions = secrets.get(mount + "/" + path);
        return versions.get(versions.size() - 1).data();
    }

    public void acceptKubernetesJwt(String jwt) {
        this.kubernetesJwt = jwt;
    }

    public void acceptAppRole(String secretId) {
        this.approleSecretId = secretId;
    }

    public void revokeAllTokens() {
        tokens.clear();
    }

    /** While down, connections are closed without an answer. */
    public void down(boolean down) {
        this.down = down;
    }

    /** While holding, requests are kept unanswered, for a test to end them with {@link #dropHeld}. */
    public void hold(boolean holding) {
        this.holding = holding;
    }

    /** How many requests are held now. */
    public int heldCount() {
        return held.size();
    }

    /** Closes the connections of the held requests without an answer. */
    public void dropHeld() {
        held.forEach(request -> request.connection().close());
        held.clear();
    }

    /** Method and path of each request, in order. */
    public List<String> requests() {
        return requests;
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            requests.add(request.method() + " " + request.path());
            if (down) {
                request.connection().close();
                return;
            }
            if (holding) {
                held.add(request);
                return;
            }
            String path = request.path();
            JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
            if (path.equals("/v1/auth/kubernetes/login")) {
                login(request, kubernetesJwt != null && kubernetesJwt.equals(json.getString("jwt")));
                return;
            }
            if (path.equals("/v1/auth/approle/login")) {
                login(request, approleSecretId != null && approleSecretId.equals(json.getString("secret_id")));
                return;
            }
            String token = request.getHeader("X-Vault-Token");
            if (token == null || !tokens.contains(token)) {
                errors(request, 403, "permission denied");
                return;
            }
            if (path.equals("/v1/auth/token/lookup-self")) {
                answer(request, 200, new JsonObject().put("data", new JsonObject().put("id", token).put("ttl", 3600)
                        .put("renewable", true).put("policies", new JsonArray().add("default"))));
                return;
            }
            if (path.equals("/v1/auth/token/renew-self")) {
                answer(request, 200, new JsonObject().put("auth", auth(token)));
                return;
            }
            int data = path.indexOf("/data/");
            int metadata = path.indexOf("/metadata/");
            if (data > 0) {
                String key = path.substring(4, data) + "/" + path.substring(data + 6);
                if (request.method().name().equals("GET")) {
                    readData(request, key);
                } else {
                    writeData(request, key, json);
                }
            } else if (metadata > 0) {
                readMetadata(request, path.substring(4, metadata) + "/" + path.substring(metadata + 10));
            } else {
                errors(request, 404);
            }
        });
    }

    private void readData(HttpServerRequest request, String key) {
        List<Version> versions = secrets.get(key);
        if (versions == null) {
            errors(request, 404);
            return;
        }
        String wanted = request.getParam("version");
        int number = wanted == null || wanted.isEmpty() || wanted.equals("0") ? versions.size() : Integer.parseInt(wanted);
        if (number < 1 || number > versions.size()) {
            errors(request, 404);
            return;
        }
        Version version = versions.get(number - 1);
        answer(request, 200, new JsonObject().put("data", new JsonObject().put("data", version.data())
                .put("metadata", new JsonObject().put("version", number).put("created_time", version.createdTime())
                        .put("deletion_time", "").put("destroyed", false))));
    }

    private void writeData(HttpServerRequest request, String key, JsonObject body) {
        List<Version> versions = secrets.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        synchronized (versions) {
            JsonObject options = body.getJsonObject("options");
            Object cas = options == null ? null : options.getValue("cas");
            if (cas != null && (!(cas instanceof Number number) || number.intValue() != versions.size())) {
                errors(request, 400, "check-and-set parameter did not match the current version");
                return;
            }
            versions.add(new Version(body.getJsonObject("data", new JsonObject()), "2026-11-26T10:00:00Z"));
            answer(request, 200, new JsonObject().put("data", new JsonObject().put("version", versions.size())
                    .put("created_time", "2026-11-26T10:00:00Z").put("deletion_time", "").put("destroyed", false)));
        }
    }

    private void readMetadata(HttpServerRequest request, String key) {
        List<Version> versions = secrets.get(key);
        if (versions == null) {
            errors(request, 404);
            return;
        }
        answer(request, 200, new JsonObject().put("data", new JsonObject().put("current_version", versions.size())
                .put("oldest_version", 1).put("max_versions", 0).put("cas_required", false)));
    }

    private void login(HttpServerRequest request, boolean accepted) {
        if (!accepted) {
            errors(request, 403, "permission denied");
            return;
        }
        String token = "hvs." + UUID.randomUUID();
        tokens.add(token);
        answer(request, 200, new JsonObject().put("auth", auth(token)));
    }

    private static JsonObject auth(String token) {
        return new JsonObject().put("client_token", token).put("accessor", "acc-" + token.hashCode())
                .put("policies", new JsonArray().add("default")).put("lease_duration", 3600).put("renewable", true);
    }

    private static void errors(HttpServerRequest request, int status, String... errors) {
        List<String> list = new ArrayList<>(List.of(errors));
        answer(request, status, new JsonObject().put("errors", new JsonArray(list)));
    }

    private static void answer(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    @Override
    public void close() {
        server.close();
    }
}
