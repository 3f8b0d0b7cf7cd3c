package io.latchkey.app;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.latchkey.proxy.ProxyServer;
import io.restassured.specification.RequestSpecification;

/** How the application tests call the running application: through its proxy, and its admin API with the token. */
final class ApplicationCalls {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private ApplicationCalls() {
    }

    static HttpResponse<String> viaProxy(ProxyServer proxy, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the admin API carrying the test's admin token. */
    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + UpstreamAndPolicyResource.ADMIN_TOKEN);
    }
}
