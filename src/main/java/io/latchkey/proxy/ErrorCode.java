package io.latchkey.proxy;

/** The error codes a caller can see, with their statuses; the contract of DESIGN.md and the README. */
public enum ErrorCode {
    NO_ROUTE(403, "no_route"),
    METHOD_NOT_ALLOWED(403, "method_not_allowed"),
    PATH_NOT_ALLOWED(403, "path_not_allowed"),
    TUNNEL_REFUSED(403, "tunnel_refused"),
    BAD_REQUEST(400, "bad_request"),
    UPSTREAM_UNREACHABLE(502, "upstream_unreachable"),
    UPSTREAM_PROTOCOL_ERROR(502, "upstream_protocol_error"),
    CREDENTIAL_UNAVAILABLE(503, "credential_unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream_timeout");

    private final int status;
    private final String code;

    ErrorCode(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
