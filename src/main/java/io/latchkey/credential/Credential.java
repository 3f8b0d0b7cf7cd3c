package io.latchkey.credential;

import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;

/** A named credential from the policy, able to say what its fields hold right now. Never blocks. */
public interface Credential extends AutoCloseable {

    String name();

    /** The kind as written in the policy: {@code secret}, {@code basic}. */
    String kind();

    /** A field's current value, or why it has none. */
    Resolution resolve(TemplateField field);

    /** Whether every field has a value; the reason otherwise. For readiness data: never a value. */
    CredentialStatus status();

    @Override
    void close();
}
