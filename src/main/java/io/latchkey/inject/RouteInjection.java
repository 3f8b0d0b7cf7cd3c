package io.latchkey.inject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.credential.Credentials;
import io.latchkey.policy.InjectionSpec;

/**
 * Everything one route injects, compiled once per policy load. It also knows which header and query names it
 * writes, so that callers' copies of them can be removed first.
 */
public final class RouteInjection {

    private final Injector[] injectors;
    private final Set<String> headerNames;
    private final Set<String> queryNames;

    private RouteInjection(Injector[] injectors, Set<String> headerNames, Set<String> queryNames) {
        this.injectors = injectors;
        this.headerNames = headerNames;
        this.queryNames = queryNames;
    }

    public static RouteInjection compile(List<InjectionSpec> specs, Credentials credentials) {
        List<Injector> injectors = new ArrayList<>();
        Set<String> headerNames = new HashSet<>();
        Set<String> queryNames = new HashSet<>();
        for (InjectionSpec spec : specs) {
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
                Set.copyOf(queryNames));
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
