package io.latchkey.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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

    private static final Pattern CREDENTIAL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");

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
                RouteReader routeReader = new RouteReader(problems, declared);
                spec.required(fields, "routes").flatMap(YamlCursor::sequence).ifPresent(
                        items -> items.forEach(item -> routeReader.route(item, credentials).ifPresent(routes::add)));
            }));
            RouteReader.checkUnique(routes, problems);
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
                    return new OAuth2SettingsReader(this::reference, Durations::read).read(body, problems)
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

    }

}
