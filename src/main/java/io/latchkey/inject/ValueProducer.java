package io.latchkey.inject;

import io.latchkey.credential.CredentialUnavailableException;

/** Produces the text an injector writes, from credentials' current values. */
interface ValueProducer {

    /**
     * @throws CredentialUnavailableException when a credential it needs has no value
     */
    String produce();
}
