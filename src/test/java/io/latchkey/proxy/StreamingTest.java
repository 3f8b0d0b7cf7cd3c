package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.latchkey.testing.EchoUpstream;
import io.latchkey.testing.ProxyHarness;
import io.vertx.core.Vertx;

/** What MCP's Streamable HTTP needs from a proxy: events as they happen, statuses and session headers untouched. */
class StreamingTest {

    static Vertx vertx;
    static EchoUpstream upstream;
    static ProxyHarness proxy;
    static final CompletableFuture<Void> callerHasFirstEvent = new CompletableFuture<>();

    @BeforeAll
    static void start(@TempDir Path directory) {
        vertx = ProxyHarness.newVertx();
        upstream = EchoUpstream.http(vertx);
        upstream.on("/sse", request -> {
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .putHeader("Mcp-Session-Id", "session-1");
            request.response().write("id: 1\ndata: first\n\n");
            // The second event waits until the caller proves it holds the first: a buffering proxy never gets here.
            callerHasFirstEvent.whenComplete((ok, error) -> vertx.runOnContext(
                    v -> request.response().end("id: 2\ndata: second\n\n")));
        });
        upstream.on("/status", request -> {
            int status = Integer.parseInt(request.getParam("code"));
            request.response().setStatusCode(status).putHeader("Mcp-Session-Id", "session-2")
                    .putHeader("MCP-Protocol-Version", "2025-06-18").putHeader("X-Upstream", "yes");
            if (status == 202) {
                request.response().end();
            } else {
                request.response().end("{\"status\":" + status + "}");
            }
        });
        proxy = ProxyHarness.start(vertx, directory, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata:
                  name: streaming
                spec:
                  routes:
                    - name: mcp
                      prefix: /mcp
                      upstream: http://127.0.0.1:%d
                """.formatted(upstream.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
        vertx.close();
    }

    @Test
    void serverSentEventsArriveOneByOne() throws Exception {
        HttpResponse<InputStream> response = proxy.client().send(
                HttpRequest.newBuilder(proxy.uri("/mcp/sse")).header("Accept", "text/event-stream")
                        .header("Last-Event-ID", "0").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(upstream.last().headerValues("Last-Event-ID")).containsExactly("0");
        CompletableFuture<String> events = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                String line;
                while ((line = reader.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.equals("data: first")) {
                        callerHasFirstEvent.complete(null);
                    }
                }
                return seen.toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Bounded so that a buffering proxy fails the test instead of hanging it.
        String all = events.get(20, TimeUnit.SECONDS);
        assertThat(all).isEqualTo("id: 1\ndata: first\n\nid: 2\ndata: second\n\n");
    }

    @ParameterizedTest
    @ValueSource(ints = { 200, 202, 400, 401, 404, 405, 406, 500 })
    void statusesAndMcpHeadersPassThroughUntouched(int status) {
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/mcp/status?code=" + status))
                .header("Mcp-Session-Id", "session-from-caller").header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\"}")).build());
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Mcp-Session-Id")).hasValue("session-2");
        assertThat(response.headers().firstValue("MCP-Protocol-Version")).hasValue("2025-06-18");
        assertThat(response.headers().firstValue("X-Latchkey-Error")).isEmpty();
        assertThat(response.body()).isEqualTo(status == 202 ? "" : "{\"status\":" + status + "}");
        assertThat(upstream.last().headerValues("Mcp-Session-Id")).containsExactly("session-from-caller");
        assertThat(upstream.last().headerValues("MCP-Protocol-Version")).containsExactly("2025-06-18");
    }

    @Test
    void requestBodiesArriveWhole() {
        String body = "x".repeat(100_000);
        HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/mcp/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.last().bodyBytes()).isEqualTo(100_000);
        assertThat(upstream.last().headerValues("Content-Length")).containsExactly("100000");
    }

    @Test
    void acceptEncodingIsTheCallersChoiceAndNothingIsCompressed() {
        HttpResponse<String> response = proxy.get("/mcp/echo");
        assertThat(upstream.last().headerValues("Accept-Encoding")).isEmpty();
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    }
}
