package io.latchkey.proxy;

/**
 * Why the proxy answers a request itself instead of forwarding it. Every step throws or fails with one of these;
 * only {@link ErrorResponses} turns it into a response. The message is shown to the caller, so it names routes,
 * credentials and reasons, never a value. No stack trace: these are expected outcomes on the hot path.
 */
public final class ProxyFailure extends RuntimeException {

    private final ErrorCode code;
    private final String route;
    private final int retryAfterSeconds;

    public ProxyFailure(ErrorCode code, String message, String route) {
        this(code, message, route, 0);
    }

    /**
     * @param retryAfterSeconds for {@code credential_unavailable}: when to try again; 0 for the configured default
     */
    public ProxyFailure(ErrorCode code, String message, String route, int retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.route = route;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    /** The route's name, or null when the request matched none. */
    public String route() {
        return route;
    }
}
