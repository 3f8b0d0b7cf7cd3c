package io.latchkey.inject;

import io.latchkey.credential.Credential;
import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Secret;

/**
 * {@code Bearer <value>}. The formatted header is kept with the value it was made from, so the steady state formats
 * nothing per request; a changed value (a rotated file) is formatted once.
 */
final class BearerValue implements ValueProducer {

    private final Credential credential;
    private volatile Formatted last = new Formatted(null, null);

    BearerValue(Credential credential) {
        this.credential = credential;
    }

    @Override
    public String produce() {
        Secret value = CredentialValues.require(credential, TemplateField.VALUE);
        Formatted cached = last;
        if (cached.source != value) {
            cached = new Formatted(value, "Bearer " + value.reveal());
            last = cached;
        }
        return cached.header;
    }

    private record Formatted(Secret source, String header) {
    }
}
