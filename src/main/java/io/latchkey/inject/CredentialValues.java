package io.latchkey.inject;

import io.latchkey.credential.Credential;
import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;

/** Reads one field of a credential for injection, turning "no value" into the request's failure. */
final class CredentialValues {

    private CredentialValues() {
    }

    static Secret require(Credential credential, TemplateField field) {
        Resolution resolution = credential.resolve(field);
        if (resolution instanceof Resolution.Available available) {
            return available.value();
        }
        throw new CredentialUnavailableException(credential.name(), ((Resolution.Unavailable) resolution).reason());
    }
}
