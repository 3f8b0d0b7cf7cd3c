package io.latchkey.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/** The validated {@code upstream} of a route: an http or https origin, optionally with a base path. */
record Upstream(URI uri, boolean tls) {

    static Optional<Upstream> read(YamlCursor node) {
        return node.text().flatMap(text -> {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                node.problem("not a valid URL: " + e.getReason());
                return Optional.empty();
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                node.problem("expected an http:// or https:// URL");
                return Optional.empty();
            }
            if (uri.getHost() == null) {
                node.problem("expected a URL with a host, such as https://api.github.com");
                return Optional.empty();
            }
            if (uri.getRawUserInfo() != null) {
                node.problem("credentials do not belong in the upstream URL; define a credential and inject it");
                return Optional.empty();
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                node.problem("an upstream URL has no query or fragment");
                return Optional.empty();
            }
            return Optional.of(new Upstream(uri, scheme.equals("https")));
        });
    }
}
