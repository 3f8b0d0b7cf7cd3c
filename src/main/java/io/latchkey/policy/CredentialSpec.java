package io.latchkey.policy;

import io.latchkey.secret.ValueReference;

/** A named credential as the policy defines it. Each names exactly one kind. */
public sealed interface CredentialSpec {

    String name();

    /** The fields a template may name: {@code ${name}} is {@link TemplateField#VALUE}. */
    boolean hasField(TemplateField field);

    /** One opaque value: an API key or a personal access token. */
    record SecretSpec(String name, ValueReference secret) implements CredentialSpec {
        @Override
        public boolean hasField(TemplateField field) {
            return field == TemplateField.VALUE;
        }
    }

    /** A username and password for HTTP Basic authentication. */
    record BasicSpec(String name, ValueReference username, ValueReference password) implements CredentialSpec {
        @Override
        public boolean hasField(TemplateField field) {
            return field == TemplateField.USERNAME || field == TemplateField.PASSWORD;
        }
    }

    /** An OAuth 2.0 access token, obtained and renewed by Latchkey. {@code ${name}} is the current access token. */
    record OAuth2Spec(String name, OAuth2Settings settings) implements CredentialSpec {
        @Override
        public boolean hasField(TemplateField field) {
            return field == TemplateField.VALUE;
        }
    }
}
