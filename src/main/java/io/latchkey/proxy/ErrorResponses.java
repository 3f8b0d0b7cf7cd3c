package io.latchkey.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** The one place a {@link ProxyFailure} becomes a response: JSON body plus {@code X-Latchkey-Error}. */
final class ErrorResponses {

    static final String ERROR_HEADER = "X-Latchkey-Error";

    private final int retryAfterSeconds;
    private final java.util.function.Function<String, RouteMeters> meters;
    private final RouteMeters noRoute;

    /**
     * @param meters the serving policy's meters by route name; null for unknown names
     * @param noRoute meters for requests refused before a route was found
     */
    ErrorResponses(int retryAfterSeconds, java.util.function.Function<String, RouteMeters> meters,
            RouteMeters noRoute) {
        this.retryAfterSeconds = retryAfterSeconds;
        this.meters = meters;
        this.noRoute = noRoute;
    }

    void send(CallerRequest request, ProxyFailure failure) {
        RouteMeters routeMeters = meters.apply(failure.route());
        (routeMeters == null ? noRoute : routeMeters).failed(failure.code());
        CallerResponse response = request.response();
        if (response.headWritten() || response.ended() || response.closed()) {
            // Part of the upstream's answer is already out: closing is the only honest signal left.
            request.closeConnection();
            return;
        }
        JsonObject body = new JsonObject()
                .put("error", failure.code().code())
                .put("message", failure.getMessage())
                .put("route", failure.route());
        Buffer bytes = body.toBuffer();
        response.setStatusCode(failure.code().status())
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(bytes.length()))
                .putHeader(ERROR_HEADER, failure.code().code());
        if (failure.code() == ErrorCode.CREDENTIAL_UNAVAILABLE) {
            response.putHeader("Retry-After",
                    Integer.toString(failure.retryAfterSeconds() > 0 ? failure.retryAfterSeconds() : retryAfterSeconds));
        }
        if (failure.code() == ErrorCode.BAD_REQUEST) {
            // A request we refused to parse may have left bytes on the connection that we cannot frame.
            response.putHeader("Connection", "close");
            response.endThenClose(bytes);
            return;
        }
        response.end(bytes);
        if (!request.isEnded()) {
            // The body of a refused request is read and dropped so the connection stays usable.
            request.handler(null);
            request.resume();
        }
    }
}
