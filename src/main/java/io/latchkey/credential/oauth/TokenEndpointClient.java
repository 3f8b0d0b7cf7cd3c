package io.latchkey.credential.oauth;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.latchkey.policy.OAuth2Settings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Sends token requests with the Vert.x client, off the caller's path: form or JSON bodies, {@code Accept:
 * application/json} (GitHub answers form-encoded without it), a response read only up to 64 KiB, and a timeout.
 */
final class TokenEndpointClient {

    static final long TIMEOUT_MILLIS = 10_000;

    private final io.vertx.core.Context context;
    private final HttpClient client;
    private final OAuth2Settings settings;
    private final TokenResponseParser parser;

    TokenEndpointClient(io.vertx.core.Vertx vertx, HttpClient client, OAuth2Settings settings) {
        // Refreshes are triggered from timers, request threads and the policy loader; sending them all from one
        // event loop context keeps the response's events in order with the handlers that read them.
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.settings = settings;
        this.parser = new TokenResponseParser(settings.response());
    }

    CompletionStage<TokenResponse> send(TokenRequest request) {
        URI url = settings.tokenUrl();
        boolean tls = url.getScheme().equals("https");
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        boolean json = settings.requestFormat() == OAuth2Settings.RequestFormat.JSON;
        String body = json ? TokenRequestBuilder.jsonBody(request.parameters())
                : TokenRequestBuilder.formBody(request.parameters());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost())
                .setPort(url.getPort() < 0 ? (tls ? 443 : 80) : url.getPort()).setSsl(tls).setURI(path)
                .setTimeout(TIMEOUT_MILLIS).setFollowRedirects(false);
        options.putHeader(HttpHeaders.CONTENT_TYPE, json ? "application/json" : "application/x-www-form-urlencoded");
        options.putHeader(HttpHeaders.ACCEPT, "application/json");
        if (request.authorization() != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, request.authorization());
        }
        CompletableFuture<TokenResponse> result = new CompletableFuture<>();
        context.runOnContext(ignored -> client.request(options)
                .compose(outgoing -> outgoing.send(Buffer.buffer(body)))
                .onComplete(sent -> {
                    if (sent.failed()) {
                        result.completeExceptionally(unreachable(sent.cause()));
                        return;
                    }
                    var response = sent.result();
                    // Read up to the limit whatever the answer declares; the connection is cut as soon as it passes.
                    Buffer collected = Buffer.buffer();
                    boolean[] tooLarge = { false };
                    response.handler(chunk -> {
                        if (collected.length() + chunk.length() > TokenResponseParser.MAX_BYTES) {
                            tooLarge[0] = true;
                            response.request().reset();
                        } else {
                            collected.appendBuffer(chunk);
                        }
                    });
                    response.end().onComplete(ended -> {
                        if (tooLarge[0]) {
                            result.completeExceptionally(new TokenEndpointException("bad_response",
                                    "the token response is larger than 64 KiB"));
                            return;
                        }
                        if (ended.failed()) {
                            result.completeExceptionally(unreachable(ended.cause()));
                            return;
                        }
                        try {
                            result.complete(parser.parse(response.statusCode(),
                                    response.getHeader(HttpHeaders.CONTENT_TYPE), collected));
                        } catch (TokenEndpointException e) {
                            result.completeExceptionally(e);
                        } catch (RuntimeException unexpected) {
                            result.completeExceptionally(new TokenEndpointException("bad_response",
                                    "the token response cannot be read (" + unexpected.getClass().getSimpleName() + ")"));
                        }
                    });
                }));
        return result;
    }

    private static TokenEndpointException unreachable(Throwable cause) {
        String kind = cause instanceof java.util.concurrent.TimeoutException
                || cause.getClass().getSimpleName().contains("Timeout") ? "timeout" : "unreachable";
        return new TokenEndpointException(kind,
                "the token endpoint could not be reached (" + cause.getClass().getSimpleName() + ")");
    }
}
