package io.latchkey.credential;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.latchkey.credential.oauth.OAuth2Credential;
import io.latchkey.credential.oauth.OAuthRuntime;
import io.latchkey.policy.CredentialSpec;
import io.latchkey.policy.OAuth2Settings;
import io.latchkey.policy.Policy;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.ValueSources;

/** The credentials of one policy, opened. Closing it stops watching their sources. */
public final class Credentials implements AutoCloseable {

    private final Map<String, Credential> byName;
    private final java.util.Set<String> critical;

    private Credentials(Map<String, Credential> byName, java.util.Set<String> critical) {
        this.byName = byName;
        this.critical = critical;
    }

    /** Whether the policy marked this credential {@code critical: true}. */
    public boolean critical(String name) {
        return critical.contains(name);
    }

    /**
     * Opens every credential of a policy; OAuth credentials start fetching their first token in the background.
     */
    public static Credentials open(Policy policy, ValueSources sources, OAuthRuntime oauth) {
        Map<String, Credential> byName = new LinkedHashMap<>();
        try {
            for (CredentialSpec spec : policy.credentials().values()) {
                byName.put(spec.name(), open(spec, sources, oauth));
            }
        } catch (RuntimeException e) {
            byName.values().forEach(Credential::close);
            throw e;
        }
        return new Credentials(byName, policy.critical());
    }

    private static Credential open(CredentialSpec spec, ValueSources sources, OAuthRuntime oauth) {
        if (spec instanceof CredentialSpec.SecretSpec secret) {
            return new SecretCredential(secret.name(), sources.open(secret.secret()));
        }
        if (spec instanceof CredentialSpec.OAuth2Spec token) {
            OAuth2Settings settings = token.settings();
            List<ValueSource> opened = new ArrayList<>();
            try {
                return new OAuth2Credential(token.name(), settings, oauth,
                        settings.clientId().map(ref -> track(opened, sources.open(ref))),
                        settings.clientSecret().map(ref -> track(opened, sources.open(ref))),
                        settings.privateKey().map(ref -> track(opened, sources.openMultiline(ref))),
                        settings.refreshToken().map(ref -> track(opened, sources.open(ref))),
                        settings.subjectToken().map(ref -> track(opened, sources.open(ref)))).start();
            } catch (RuntimeException e) {
                opened.forEach(ValueSource::close);
                throw e;
            }
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

    private static ValueSource track(List<ValueSource> opened, ValueSource source) {
        opened.add(source);
        return source;
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
