package io.latchkey.inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.latchkey.credential.Credential;
import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.credential.Credentials;
import io.latchkey.policy.InjectionSpec;
import io.latchkey.policy.Template;

/**
 * Everything one route injects, compiled once per policy load. It also knows which header and query names it
 * writes, so that callers' copies of them can be removed first.
 */
public final class RouteInjection {

    private final Injector[] injectors;
    private final Set<String> headerNames;
    private final Set<String> queryNames;
    private final Credential[] credentials;
    private final Credential[] renewable;

    private RouteInjection(Injector[] injectors, Set<String> headerNames, Set<String> queryNames,
            List<Credential> credentials) {
        this.injectors = injectors;
        this.headerNames = headerNames;
        this.queryNames = queryNames;
        this.credentials = credentials.toArray(Credential[]::new);
        this.renewable = credentials.stream().filter(Credential::renewable).toArray(Credential[]::new);
    }

    public static RouteInjection compile(List<InjectionSpec> specs, Credentials credentials) {
        List<Injector> injectors = new ArrayList<>();
        Set<String> headerNames = new HashSet<>();
        Set<String> queryNames = new HashSet<>();
        Set<Credential> used = new LinkedHashSet<>();
        for (InjectionSpec spec : specs) {
            used.addAll(credentialsOf(spec, credentials));
            if (spec instanceof InjectionSpec.Bearer bearer) {
                injectors.add(new HeaderInjector("Authorization", new BearerValue(credentials.get(bearer.credential()))));
                headerNames.add("authorization");
            } else if (spec instanceof InjectionSpec.Basic basic) {
                injectors.add(new HeaderInjector("Authorization", new BasicValue(credentials.get(basic.credential()))));
                headerNames.add("authorization");
            } else if (spec instanceof InjectionSpec.Header header) {
                injectors.add(new HeaderInjector(header.name(), new TemplateValue(header.value(), credentials)));
                headerNames.add(header.name().toLowerCase(Locale.ROOT));
            } else {
                InjectionSpec.Query query = (InjectionSpec.Query) spec;
                injectors.add(new QueryInjector(query.name(), new TemplateValue(query.value(), credentials)));
                queryNames.add(query.name().toLowerCase(Locale.ROOT));
            }
        }
        return new RouteInjection(injectors.toArray(Injector[]::new), Set.copyOf(headerNames),
                Set.copyOf(queryNames), List.copyOf(used));
    }

    private static List<Credential> credentialsOf(InjectionSpec spec, Credentials credentials) {
        if (spec instanceof InjectionSpec.Bearer bearer) {
            return List.of(credentials.get(bearer.credential()));
        }
        if (spec instanceof InjectionSpec.Basic basic) {
            return List.of(credentials.get(basic.credential()));
        }
        Template template = spec instanceof InjectionSpec.Header header ? header.value()
                : ((InjectionSpec.Query) spec).value();
        List<Credential> used = new ArrayList<>();
        template.references().forEach(reference -> used.add(credentials.get(reference.credential())));
        return used;
    }

    /**
     * Null when every credential can be injected now (the hot path). Otherwise a stage that completes when they can,
     * or fails with {@link CredentialUnavailableException}.
     */
    public CompletionStage<Void> whenReady() {
        CompletionStage<Void> waiting = null;
        for (Credential credential : credentials) {
            CompletionStage<Void> ready = credential.whenReady();
            if (ready != null) {
                waiting = waiting == null ? ready : waiting.thenCombine(ready, (a, b) -> null);
            }
        }
        return waiting;
    }

    /** Whether an upstream 401 on this route may be cured by renewing a token. */
    public boolean renewable() {
        return renewable.length > 0;
    }

    /**
     * An upstream refused a request that started at {@code requestStart} with 401: renews the route's tokens that
     * request carried (once, shared). Completes when fresh ones are there.
     */
    public CompletionStage<Void> rejected(Instant requestStart) {
        CompletionStage<Void> all = CompletableFuture.completedFuture(null);
        for (Credential credential : renewable) {
            all = all.thenCombine(credential.rejected(requestStart), (a, b) -> null);
        }
        return all;
    }

    /** The names of the credentials this route injects, comma-separated ({@code none} for none): a metric label. */
    public String credentialNames() {
        if (credentials.length == 0) {
            return "none";
        }
        StringBuilder names = new StringBuilder();
        for (Credential credential : credentials) {
            names.append(names.length() == 0 ? "" : ",").append(credential.name());
        }
        return names.toString();
    }

    /** Lower-case names of the headers this route writes. */
    public Set<String> headerNames() {
        return headerNames;
    }

    /** Lower-case names of the query parameters this route writes. */
    public Set<String> queryNames() {
        return queryNames;
    }

    public boolean injectsQuery() {
        return !queryNames.isEmpty();
    }

    /**
     * Writes every injection. When a credential is unavailable the request fails as a whole and the partly
     * written target is discarded, so nothing half-injected reaches the wire.
     *
     * @throws CredentialUnavailableException for the first credential without a value
     */
    public void applyTo(InjectionTarget target) {
        for (Injector injector : injectors) {
            injector.inject(target);
        }
    }
}
