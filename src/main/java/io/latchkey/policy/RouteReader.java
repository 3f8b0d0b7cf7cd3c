package io.latchkey.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks {@code spec.routes[]}: matching, upstream, allow-list, injections and their templates. */
final class RouteReader {

    static final Set<String> ROUTE_KEYS = Set.of("name", "prefix", "hosts", "upstream", "allow", "inject",
            "tunnel", "passCallerAuthorization", "caBundle", "connectTimeout", "idleTimeout", "http2");
    static final Set<String> ALLOW_KEYS = Set.of("methods", "paths");
    static final Set<String> INJECT_KINDS = Set.of("bearer", "basic", "header", "query");
    static final Set<String> NAME_VALUE_KEYS = Set.of("name", "value");
    /** Headers that describe the connection or the framing; injecting them would break the exchange. */
    private static final Set<String> RESERVED_HEADERS = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length");
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~!$&'()+,;=:@-]+)+");
    private static final Pattern HOST = Pattern
            .compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?");

    private final List<PolicyProblem> problems;
    /** Credential names written in the document, valid or not: a route naming an invalid one is not reported twice. */
    private final Set<String> declared;

    RouteReader(List<PolicyProblem> problems, Set<String> declared) {
        this.problems = problems;
        this.declared = declared;
    }

    Optional<RouteSpec> route(YamlCursor node, Map<String, CredentialSpec> credentials) {
        Optional<Map<String, YamlCursor>> maybeFields = node.mapping(ROUTE_KEYS);
        if (maybeFields.isEmpty()) {
            return Optional.empty();
        }
        Map<String, YamlCursor> fields = maybeFields.get();
        int before = problems.size();
        String name = node.required(fields, "name").flatMap(YamlCursor::text).orElse("");
        if (!name.isEmpty() && !ROUTE_NAME.matcher(name).matches()) {
            fields.get("name").problem("a route name is letters, digits, '.', '-' and '_'");
        }
        Optional<String> prefix = Optional.ofNullable(fields.get("prefix")).flatMap(this::prefix);
        List<String> hosts = Optional.ofNullable(fields.get("hosts")).map(this::hosts).orElse(List.of());
        if (!fields.containsKey("prefix") && !fields.containsKey("hosts")) {
            node.problem("a route needs a prefix (base-URL mode), hosts (forward mode) or both");
        }
        Optional<Upstream> upstream = node.required(fields, "upstream").flatMap(Upstream::read);
        Allow allow = Optional.ofNullable(fields.get("allow")).map(this::allow).orElse(Allow.ANY);
        List<InjectionSpec> inject = Optional.ofNullable(fields.get("inject"))
                .map(list -> injections(list, credentials)).orElse(List.of());
        boolean tunnel = Optional.ofNullable(fields.get("tunnel")).flatMap(YamlCursor::bool).orElse(false);
        if (tunnel && !inject.isEmpty()) {
            fields.get("tunnel").problem("a tunnel carries TLS bytes it cannot read, so a tunnel route cannot inject");
        }
        if (tunnel && hosts.isEmpty()) {
            fields.get("tunnel").problem("a tunnel route needs hosts: the hosts a CONNECT may reach");
        }
        boolean passCallerAuthorization = Optional.ofNullable(fields.get("passCallerAuthorization"))
                .flatMap(YamlCursor::bool).orElse(false);
        Optional<java.nio.file.Path> caBundle = Optional.ofNullable(fields.get("caBundle")).flatMap(this::caBundle);
        if (caBundle.isPresent() && upstream.isPresent() && !upstream.get().tls()) {
            fields.get("caBundle").problem("caBundle applies to https upstreams only");
        }
        boolean http2 = Optional.ofNullable(fields.get("http2")).flatMap(YamlCursor::bool).orElse(false);
        if (http2 && upstream.isPresent() && !upstream.get().tls()) {
            fields.get("http2").problem("http2 applies to https upstreams only (HTTP/2 is offered during the TLS"
                    + " handshake)");
        }
        var connectTimeout = Optional.ofNullable(fields.get("connectTimeout")).flatMap(Durations::read)
                .orElse(RouteSpec.DEFAULT_CONNECT_TIMEOUT);
        if (connectTimeout.isZero() && fields.containsKey("connectTimeout")) {
            fields.get("connectTimeout").problem("a connect timeout must be positive");
        }
        var idleTimeout = Optional.ofNullable(fields.get("idleTimeout")).flatMap(Durations::read)
                .orElse(RouteSpec.DEFAULT_IDLE_TIMEOUT);
        if (problems.size() > before || upstream.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RouteSpec(name, prefix, hosts, upstream.get().uri(), allow, inject, tunnel,
                passCallerAuthorization, caBundle, connectTimeout,
                idleTimeout.isZero() ? Optional.empty() : Optional.of(idleTimeout), http2));
    }

    private Optional<String> prefix(YamlCursor node) {
        return node.text().filter(prefix -> {
            if (!PREFIX.matcher(prefix).matches() || prefix.contains("/./") || prefix.contains("/../")
                    || prefix.endsWith("/.") || prefix.endsWith("/..")) {
                node.problem("a prefix is a path such as /github: starts with '/', no trailing '/', no wildcards,"
                        + " no dot-segments");
                return false;
            }
            return true;
        });
    }

    private List<String> hosts(YamlCursor node) {
        List<String> hosts = new ArrayList<>();
        Optional<List<YamlCursor>> items = node.sequence();
        items.ifPresent(list -> list.forEach(item -> item.text().ifPresent(host -> {
            String lower = host.toLowerCase(Locale.ROOT);
            if (!HOST.matcher(lower).matches()) {
                item.problem("expected a host name, optionally with :port, such as api.github.com");
            } else {
                hosts.add(lower);
            }
        })));
        if (items.isPresent() && items.get().isEmpty()) {
            node.problem("hosts must name at least one host");
        }
        return hosts;
    }

    private Allow allow(YamlCursor node) {
        Map<String, YamlCursor> fields = node.mapping(ALLOW_KEYS).orElse(Map.of());
        Set<String> methods = new LinkedHashSet<>();
        YamlCursor methodsNode = fields.get("methods");
        if (methodsNode != null) {
            methodsNode.sequence().ifPresent(items -> items.forEach(item -> item.text().ifPresent(method -> {
                if (!TOKEN.matcher(method).matches() || !method.equals(method.toUpperCase(Locale.ROOT))) {
                    item.problem("expected an upper-case HTTP method such as GET");
                } else {
                    methods.add(method);
                }
            })));
        }
        List<PathGlob> paths = new ArrayList<>();
        YamlCursor pathsNode = fields.get("paths");
        if (pathsNode != null) {
            pathsNode.sequence().ifPresent(items -> items.forEach(item -> item.text().ifPresent(pattern -> {
                try {
                    paths.add(PathGlob.parse(pattern));
                } catch (IllegalArgumentException e) {
                    item.problem(e.getMessage());
                }
            })));
        }
        return new Allow(methods, paths);
    }

    private List<InjectionSpec> injections(YamlCursor node, Map<String, CredentialSpec> credentials) {
        List<InjectionSpec> injections = new ArrayList<>();
        Map<String, String> headerNames = new HashMap<>();
        node.sequence().ifPresent(items -> items.forEach(item -> injection(item, credentials).ifPresent(spec -> {
            String header = writtenHeader(spec);
            if (header != null && headerNames.put(header, item.path()) != null) {
                item.problem("a second injection writes header " + header + " (first at "
                        + headerNames.get(header) + ")");
                return;
            }
            injections.add(spec);
        })));
        return injections;
    }

    private String writtenHeader(InjectionSpec spec) {
        if (spec instanceof InjectionSpec.Header header) {
            return header.name().toLowerCase(Locale.ROOT);
        }
        if (spec instanceof InjectionSpec.Query) {
            return null;
        }
        return "authorization";
    }

    private Optional<InjectionSpec> injection(YamlCursor node, Map<String, CredentialSpec> credentials) {
        Optional<Map<String, YamlCursor>> fields = node.mapping(INJECT_KINDS);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        if (fields.get().size() != 1) {
            node.problem(fields.get().isEmpty() ? "names no injection; expected one of basic, bearer, header, query"
                    : "names more than one injection; write one list item for each");
            return Optional.empty();
        }
        Map.Entry<String, YamlCursor> only = fields.get().entrySet().iterator().next();
        YamlCursor body = only.getValue();
        switch (only.getKey()) {
            case "bearer":
                return credentialName(body, credentials, TemplateField.VALUE, "bearer")
                        .map(InjectionSpec.Bearer::new);
            case "basic":
                return credentialName(body, credentials, TemplateField.USERNAME, "basic")
                        .map(InjectionSpec.Basic::new);
            case "header":
                return nameAndValue(body, credentials).flatMap(pair -> {
                    YamlCursor nameNode = pair.nameNode();
                    if (!TOKEN.matcher(pair.name()).matches()) {
                        nameNode.problem("not a valid header name");
                        return Optional.empty();
                    }
                    if (RESERVED_HEADERS.contains(pair.name().toLowerCase(Locale.ROOT))) {
                        nameNode.problem(pair.name() + " describes the connection and cannot be injected");
                        return Optional.empty();
                    }
                    return Optional.of(new InjectionSpec.Header(pair.name(), pair.value()));
                });
            default:
                return nameAndValue(body, credentials)
                        .map(pair -> new InjectionSpec.Query(pair.name(), pair.value()));
        }
    }

    private Optional<String> credentialName(YamlCursor node, Map<String, CredentialSpec> credentials,
            TemplateField needed, String injection) {
        return node.text().filter(name -> {
            CredentialSpec credential = credentials.get(name);
            if (credential == null) {
                if (!declared.contains(name)) {
                    node.problem(unknownCredential(name, credentials));
                }
                return false;
            }
            if (!credential.hasField(needed)) {
                node.problem(injection + " needs a credential of kind "
                        + (needed == TemplateField.VALUE ? "secret" : "basic") + "; " + name + " is not one");
                return false;
            }
            return true;
        });
    }

    private Optional<NameAndValue> nameAndValue(YamlCursor node, Map<String, CredentialSpec> credentials) {
        Optional<Map<String, YamlCursor>> fields = node.mapping(NAME_VALUE_KEYS);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        Optional<YamlCursor> nameNode = node.required(fields.get(), "name");
        Optional<String> name = nameNode.flatMap(YamlCursor::text);
        Optional<YamlCursor> valueNode = node.required(fields.get(), "value");
        Optional<Template> value = valueNode.flatMap(v -> template(v, credentials));
        if (name.isEmpty() || value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NameAndValue(nameNode.get(), name.get(), value.get()));
    }

    private Optional<Template> template(YamlCursor node, Map<String, CredentialSpec> credentials) {
        return node.text().flatMap(text -> {
            if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
                node.problem("a value cannot contain CR, LF or NUL");
                return Optional.empty();
            }
            Template template;
            try {
                template = Template.parse(text);
            } catch (IllegalArgumentException e) {
                node.problem(e.getMessage());
                return Optional.empty();
            }
            boolean valid = true;
            for (Template.Reference reference : template.references()) {
                CredentialSpec credential = credentials.get(reference.credential());
                if (credential == null) {
                    if (!declared.contains(reference.credential())) {
                        node.problem(unknownCredential(reference.credential(), credentials));
                    }
                    valid = false;
                } else if (!credential.hasField(reference.field())) {
                    node.problem(reference.written() + ": credential " + reference.credential()
                            + (credential instanceof CredentialSpec.BasicSpec
                                    ? " is basic; write ${" + reference.credential() + ".username} or ${"
                                            + reference.credential() + ".password}"
                                    : " has one value; write ${" + reference.credential() + "}"));
                    valid = false;
                }
            }
            return valid ? Optional.of(template) : Optional.empty();
        });
    }

    private String unknownCredential(String name, Map<String, CredentialSpec> credentials) {
        return "unknown credential '" + name + "'"
                + (declared.isEmpty() ? "; spec.credentials defines none"
                        : "; spec.credentials defines " + String.join(", ", declared));
    }

    private Optional<java.nio.file.Path> caBundle(YamlCursor node) {
        return node.text().flatMap(text -> {
            if (!text.startsWith("/")) {
                node.problem("caBundle is an absolute path to a PEM file");
                return Optional.empty();
            }
            return Optional.of(java.nio.file.Path.of(text));
        });
    }

    static void checkUnique(List<RouteSpec> routes, List<PolicyProblem> problems) {
        Map<String, String> names = new HashMap<>();
        Map<String, String> prefixes = new HashMap<>();
        Map<String, String> hosts = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteSpec route = routes.get(i);
            String path = "spec.routes[" + i + "]";
            String previous = names.putIfAbsent(route.name(), path);
            if (previous != null) {
                problems.add(new PolicyProblem(path + ".name", 0,
                        "route name " + route.name() + " is already used by " + previous));
            }
            if (route.prefix().isPresent()) {
                previous = prefixes.putIfAbsent(route.prefix().get(), route.name());
                if (previous != null) {
                    problems.add(new PolicyProblem(path + ".prefix", 0,
                            "prefix " + route.prefix().get() + " is already used by route " + previous));
                }
            }
            for (String host : route.hosts()) {
                previous = hosts.putIfAbsent(host, route.name());
                if (previous != null) {
                    problems.add(new PolicyProblem(path + ".hosts", 0,
                            "host " + host + " is already used by route " + previous));
                }
            }
        }
    }

    private record NameAndValue(YamlCursor nameNode, String name, Template value) {
    }
}
