package io.latchkey.credential;

/**
 * A request needs a credential that has no usable value now. Thrown on the hot path, so it carries no stack trace;
 * its message names the credential and the reason, never a value.
 */
public final class CredentialUnavailableException extends RuntimeException {

    private final String credential;
    private final int retryAfterSeconds;

    public CredentialUnavailableException(String credential, String reason) {
        this(credential, reason, 0);
    }

    /**
     * @param retryAfterSeconds when the caller may usefully try again; 0 for the proxy's default
     */
    public CredentialUnavailableException(String credential, String reason, int retryAfterSeconds) {
        super("credential " + credential + " is unavailable: " + reason, null, false, false);
        this.credential = credential;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String credential() {
        return credential;
    }
}
