package io.latchkey.admin;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditQuery;
import io.latchkey.credential.CredentialStatus;
import io.latchkey.secret.db.DbSecretAdmin;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The types the admin API reads and writes as JSON, registered for reflection so that a native image serializes
 * them as the JVM does (Quarkus registers resource return types, not the types nested inside them).
 */
@RegisterForReflection(targets = { AdminError.class, SecretsResource.SecretValue.class, SecretsResource.SecretList.class,
        DbSecretAdmin.Metadata.class, DbSecretAdmin.Reencryption.class, CredentialsResource.CredentialList.class,
        CredentialStatus.class, AuditQuery.Result.class, AuditEvent.class, AuditEvent.Kind.class })
final class AdminJsonTypes {

    private AdminJsonTypes() {
    }
}
