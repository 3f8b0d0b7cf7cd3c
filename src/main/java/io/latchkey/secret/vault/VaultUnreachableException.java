package io.latchkey.secret.vault;

/** A request to Vault got no answer: the connection was refused, closed or timed out before Vault said anything. */
final class VaultUnreachableException extends RuntimeException {

    VaultUnreachableException(Throwable cause) {
        super(cause == null ? "no answer from Vault"
                : "no answer from Vault: " + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                        : cause.getMessage()),
                cause);
    }
}
