package io.latchkey.credential;

import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.ValueSource;

/** A username and password. */
final class BasicCredential implements Credential {

    private final String name;
    private final ValueSource username;
    private final ValueSource password;

    BasicCredential(String name, ValueSource username, ValueSource password) {
        this.name = name;
        this.username = username;
        this.password = password;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "basic";
    }

    @Override
    public Resolution resolve(TemplateField field) {
        return field == TemplateField.PASSWORD ? password.current() : username.current();
    }

    @Override
    public CredentialStatus status() {
        if (username.current() instanceof Resolution.Unavailable unavailable) {
            return CredentialStatus.unavailable(name, kind(), "username: " + unavailable.reason());
        }
        if (password.current() instanceof Resolution.Unavailable unavailable) {
            return CredentialStatus.unavailable(name, kind(), "password: " + unavailable.reason());
        }
        return CredentialStatus.available(name, kind());
    }

    @Override
    public void close() {
        username.close();
        password.close();
    }
}
