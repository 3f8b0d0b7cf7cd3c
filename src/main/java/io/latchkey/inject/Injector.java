package io.latchkey.inject;

import io.latchkey.credential.CredentialUnavailableException;

/** Adds one header or query parameter to an outbound request. */
public interface Injector {

    /**
     * @throws CredentialUnavailableException when a credential it needs has no value; nothing is written then
     */
    void inject(InjectionTarget target);
}
