package io.latchkey.credential;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.latchkey.policy.CredentialSpec;
import io.latchkey.policy.Policy;
import io.latchkey.secret.ValueSources;

/** The credentials of one policy, opened. Closing it stops watching their sources. */
public final class Credentials implements AutoCloseable {

    private final Map<String, Credential> byName;

    private Credentials(Map<String, Credential> byName) {
        this.byName = byName;
    }

    public static Credentials open(Policy policy, ValueSources sources) {
        Map<String, Credential> byName = new LinkedHashMap<>();
        try {
            for (CredentialSpec spec : policy.credentials().values()) {
                byName.put(spec.name(), open(spec, sources));
            }
        } catch (RuntimeException e) {
            byName.values().forEach(Credential::close);
            throw e;
        }
        return new Credentials(byName);
    }

    private static Credential open(CredentialSpec spec, ValueSources sources) {
        if (spec instanceof CredentialSpec.SecretSpec secret) {
            return new SecretCredential(secret.name(), sources.open(secret.secret()));
        }
        CredentialSpec.BasicSpec basic = (CredentialSpec.BasicSpec) spec;
        var username = sources.open(basic.username());
        try {
            return new BasicCredential(basic.name(), username, sources.open(basic.password()));
        } catch (RuntimeException e) {
            username.close();
            throw e;
        }
    }

    public Credential get(String name) {
        Credential credential = byName.get(name);
        if (credential == null) {
            throw new IllegalArgumentException("No credential named " + name);
        }
        return credential;
    }

    public Collection<Credential> all() {
        return byName.values();
    }

    public List<CredentialStatus> statuses() {
        List<CredentialStatus> statuses = new ArrayList<>();
        byName.values().forEach(credential -> statuses.add(credential.status()));
        return statuses;
    }

    @Override
    public void close() {
        byName.values().forEach(Credential::close);
    }
}
