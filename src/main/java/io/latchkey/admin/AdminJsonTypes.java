package io.latchkey.admin;

import io.latchkey.credential.CredentialStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The types the admin API reads and writes as JSON, registered for reflection so that a native image serializes
 * them as the JVM does (Quarkus registers resource return types, not the types nested inside them). The database's
 * types are registered on their own resources, which the without-database build leaves out.
 */
@RegisterForReflection(targets = { AdminError.class, CredentialsResource.CredentialList.class, CredentialStatus.class })
final class AdminJsonTypes {

    private AdminJsonTypes() {
    }
}
