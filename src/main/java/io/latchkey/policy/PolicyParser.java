package io.latchkey.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import io.latchkey.secret.UnsupportedReferenceException;
import io.latchkey.secret.ValueReference;

/**
 * Reads a policy document and checks everything in it at once. The result is a {@link Policy} or a
 * {@link PolicyException} listing every problem with its path and line. Parsing is the only place that sees the
 * document; nothing at request time does.
 */
public final class PolicyParser {

    public static final String API_VERSION = "latchkey.io/v1alpha1";
    public static final String KIND = "EgressPolicy";
    /** Policies are configuration, not data: far smaller than this. */
    static final int MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;

    static final Set<String> TOP_KEYS = Set.of("apiVersion", "kind", "metadata", "spec");
    static final Set<String> METADATA_KEYS = Set.of("name", "labels", "annotations");
    static final Set<String> SPEC_KEYS = Set.of("credentials", "routes");
    static final Set<String> CREDENTIAL_KINDS = Set.of("secret", "basic", "oauth2");
    /** Keys a credential may have beside its kind. */
    static final Set<String> CREDENTIAL_OPTIONS = Set.of("critical");
    static final Set<String> BASIC_KEYS = Set.of("username", "password");
    static final Set<String> ROUTE_KEYS = Set.of("name", "prefix", "hosts", "upstream", "allow", "inject",
            "tunnel", "passCallerAuthorization", "caBundle", "connectTimeout", "idleTimeout");
    static final Set<String> ALLOW_KEYS = Set.of("methods", "paths");
    static final Set<String> INJECT_KINDS = Set.of("bearer", "basic", "header", "query");
    static final Set<String> NAME_VALUE_KEYS = Set.of("name", "value");
    /** Headers that describe the connection or the framing; injecting them would break the exchange. */
    private static final Set<String> RESERVED_HEADERS = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private static final Pattern CREDENTIAL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~!$&'()+,;=:@-]+)+");
    private static final Pattern HOST = Pattern
            .compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?");

    private final Consumer<ValueReference> referenceCheck;

    /**
     * @param referenceCheck throws {@link UnsupportedReferenceException} for references to stores that are not set up
     */
    public PolicyParser(Consumer<ValueReference> referenceCheck) {
        this.referenceCheck = referenceCheck;
    }

    public Policy parse(String document, String source) {
        List<PolicyProblem> problems = new ArrayList<>();
        Node root = compose(document, problems);
        if (root == null) {
            throw new PolicyException(source, problems);
        }
        Policy policy = new DocumentReader(problems).read(new YamlCursor(root, "", problems));
        if (!problems.isEmpty()) {
            problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
            throw new PolicyException(source, problems);
        }
        return policy;
    }

    private static Node compose(String document, List<PolicyProblem> problems) {
        if (document.length() > MAX_DOCUMENT_CHARS) {
            problems.add(new PolicyProblem("", 0, "the document is larger than " + MAX_DOCUMENT_CHARS + " characters"));
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_DOCUMENT_CHARS);
        try {
            Node root = new Yaml(options).compose(new StringReader(document));
            if (root == null) {
                problems.add(new PolicyProblem("", 0, "the document is empty"));
            }
            return root;
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.add(new PolicyProblem("", line, "not valid YAML: " + e.getProblem()));
        } catch (YAMLException e) {
            problems.add(new PolicyProblem("", 0, "not valid YAML: " + e.getMessage()));
        }
        return null;
    }

    /** One pass over one document. */
    private final class DocumentReader {
        private final List<PolicyProblem> problems;
        /** Credential names written in the document, valid or not: a route naming an invalid one is not reported twice. */
        private final Set<String> declared = new LinkedHashSet<>();

        DocumentReader(List<PolicyProblem> problems) {
            this.problems = problems;
        }

        Policy read(YamlCursor root) {
            Map<String, YamlCursor> top = root.mapping(TOP_KEYS).orElse(Map.of());
            root.required(top, "apiVersion").flatMap(YamlCursor::text).ifPresent(version -> {
                if (!API_VERSION.equals(version)) {
                    top.get("apiVersion").problem("expected " + API_VERSION);
                }
            });
            root.required(top, "kind").flatMap(YamlCursor::text).ifPresent(kind -> {
                if (!KIND.equals(kind)) {
                    top.get("kind").problem("expected " + KIND);
                }
            });
            String name = root.required(top, "metadata")
                    .flatMap(metadata -> metadata.mapping(METADATA_KEYS)
                            .flatMap(fields -> metadata.required(fields, "name")))
                    .flatMap(YamlCursor::text).orElse("");
            Map<String, CredentialSpec> credentials = new LinkedHashMap<>();
            List<RouteSpec> routes = new ArrayList<>();
            Set<String> critical = new LinkedHashSet<>();
            root.required(top, "spec").ifPresent(spec -> spec.mapping(SPEC_KEYS).ifPresent(fields -> {
                YamlCursor credentialsNode = fields.get("credentials");
                if (credentialsNode != null) {
                    credentialsNode.mapping(null).ifPresent(all -> all.forEach((credentialName, node) -> {
                        declared.add(credentialName);
                        credential(credentialName, node, critical).ifPresent(c -> credentials.put(credentialName, c));
                    }));
                }
                spec.required(fields, "routes").flatMap(YamlCursor::sequence)
                        .ifPresent(items -> items.forEach(item -> route(item, credentials).ifPresent(routes::add)));
            }));
            checkUnique(routes);
            return new Policy(name, credentials, routes, critical);
        }

        private Optional<CredentialSpec> credential(String name, YamlCursor node, Set<String> critical) {
            if (!CREDENTIAL_NAME.matcher(name).matches()) {
                node.problem("a credential name is letters, digits, '-' and '_', starting with a letter or digit");
            }
            Set<String> allowed = new java.util.HashSet<>(CREDENTIAL_KINDS);
            allowed.addAll(CREDENTIAL_OPTIONS);
            Optional<Map<String, YamlCursor>> fields = node.mapping(allowed);
            if (fields.isEmpty()) {
                return Optional.empty();
            }
            Map<String, YamlCursor> kindFields = new LinkedHashMap<>(fields.get());
            YamlCursor criticalNode = kindFields.remove("critical");
            if (criticalNode != null && criticalNode.bool().orElse(false)) {
                critical.add(name);
            }
            Set<String> kinds = kindFields.keySet();
            if (kinds.size() != 1) {
                node.problem(kinds.isEmpty() ? "names no kind; expected one of basic, oauth2, secret"
                        : "names more than one kind (" + String.join(", ", kinds) + "); a credential has exactly one");
                return Optional.empty();
            }
            String kind = kinds.iterator().next();
            YamlCursor body = kindFields.get(kind);
            switch (kind) {
                case "secret":
                    return reference(body).map(ref -> new CredentialSpec.SecretSpec(name, ref));
                case "basic":
                    return body.mapping(BASIC_KEYS).flatMap(basic -> {
                        Optional<ValueReference> username = body.required(basic, "username").flatMap(this::reference);
                        Optional<ValueReference> password = body.required(basic, "password").flatMap(this::reference);
                        if (username.isEmpty() || password.isEmpty()) {
                            return Optional.empty();
                        }
                        return Optional.of(new CredentialSpec.BasicSpec(name, username.get(), password.get()));
                    });
                default:
                    return new OAuth2SettingsReader(this::reference, this::duration).read(body, problems)
                            .map(settings -> new CredentialSpec.OAuth2Spec(name, settings));
            }
        }

        private Optional<ValueReference> reference(YamlCursor node) {
            return node.text().flatMap(text -> {
                try {
                    ValueReference reference = ValueReference.parse(text);
                    referenceCheck.accept(reference);
                    return Optional.of(reference);
                } catch (IllegalArgumentException | UnsupportedReferenceException e) {
                    node.problem(e.getMessage());
                    return Optional.empty();
                }
            });
        }

        private Optional<RouteSpec> route(YamlCursor node, Map<String, CredentialSpec> credentials) {
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
            var connectTimeout = Optional.ofNullable(fields.get("connectTimeout")).flatMap(this::duration)
                    .orElse(RouteSpec.DEFAULT_CONNECT_TIMEOUT);
            if (connectTimeout.isZero() && fields.containsKey("connectTimeout")) {
                fields.get("connectTimeout").problem("a connect timeout must be positive");
            }
            var idleTimeout = Optional.ofNullable(fields.get("idleTimeout")).flatMap(this::duration)
                    .orElse(RouteSpec.DEFAULT_IDLE_TIMEOUT);
            if (problems.size() > before || upstream.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new RouteSpec(name, prefix, hosts, upstream.get().uri(), allow, inject, tunnel,
                    passCallerAuthorization, caBundle, connectTimeout,
                    idleTimeout.isZero() ? Optional.empty() : Optional.of(idleTimeout)));
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

        private Optional<java.time.Duration> duration(YamlCursor node) {
            return node.text().flatMap(text -> {
                try {
                    return Optional.of(Durations.parse(text));
                } catch (IllegalArgumentException e) {
                    node.problem(e.getMessage());
                    return Optional.empty();
                }
            });
        }

        private void checkUnique(List<RouteSpec> routes) {
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
    }

    private record NameAndValue(YamlCursor nameNode, String name, Template value) {
    }
}
