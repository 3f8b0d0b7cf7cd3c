package io.latchkey.credential;

/**
 * A request needs a credential that has no usable value now. Thrown on the hot path, so it carries no stack trace;
 * its message names the credential and the reason, never a value.
 */
public final class CredentialUnavailableException extends RuntimeException {

    private final String credential;

    public CredentialUnavailableException(String credential, String reason) {
        super("credential " + credential + " is unavailable: " + reason, null, false, false);
        this.credential = credential;
    }

    public String credential() {
        return credential;
    }
}
