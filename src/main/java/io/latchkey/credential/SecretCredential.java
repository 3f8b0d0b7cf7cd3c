package io.latchkey.credential;

import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.ValueSource;

/** A credential with one opaque value: an API key or access token. */
final class SecretCredential implements Credential {

    private final String name;
    private final ValueSource value;

    SecretCredential(String name, ValueSource value) {
        this.name = name;
        this.value = value;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "secret";
    }

    @Override
    public Resolution resolve(TemplateField field) {
        return value.current();
    }

    @Override
    public CredentialStatus status() {
        return value.current() instanceof Resolution.Unavailable unavailable
                ? CredentialStatus.unavailable(name, kind(), unavailable.reason())
                : CredentialStatus.available(name, kind());
    }

    @Override
    public void close() {
        value.close();
    }
}
