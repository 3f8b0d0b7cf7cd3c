package io.latchkey.inject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.latchkey.credential.Credential;
import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Secret;

/** {@code Basic base64(username:password)} (RFC 7617, UTF-8), encoded once per change of either value. */
final class BasicValue implements ValueProducer {

    private final Credential credential;
    private volatile Encoded last = new Encoded(null, null, null);

    BasicValue(Credential credential) {
        this.credential = credential;
    }

    @Override
    public String produce() {
        Secret username = CredentialValues.require(credential, TemplateField.USERNAME);
        Secret password = CredentialValues.require(credential, TemplateField.PASSWORD);
        Encoded cached = last;
        if (cached.username != username || cached.password != password) {
            String pair = username.reveal() + ":" + password.reveal();
            cached = new Encoded(username, password,
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            last = cached;
        }
        return cached.header;
    }

    private record Encoded(Secret username, Secret password, String header) {
    }
}
