package io.latchkey.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A position in a YAML document: its node and its path. Reading through a cursor records a {@link PolicyProblem}
 * for anything of the wrong shape, so that one pass reports every problem.
 */
final class YamlCursor {

    private final Node node;
    private final String path;
    private final List<PolicyProblem> problems;

    YamlCursor(Node node, String path, List<PolicyProblem> problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    String path() {
        return path;
    }

    int line() {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    void problem(String message) {
        problems.add(new PolicyProblem(path, line(), message));
    }

    /** The children of a mapping by key, or empty (with a problem) if this is not a mapping. */
    Optional<Map<String, YamlCursor>> mapping(Set<String> allowedKeys) {
        if (!(node instanceof MappingNode mapping)) {
            problem("expected a mapping");
            return Optional.empty();
        }
        Map<String, YamlCursor> children = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                problems.add(new PolicyProblem(path, tuple.getKeyNode().getStartMark().getLine() + 1,
                        "keys must be plain strings"));
                continue;
            }
            String key = keyNode.getValue();
            String childPath = path.isEmpty() ? key : path + "." + key;
            int keyLine = keyNode.getStartMark().getLine() + 1;
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                problems.add(new PolicyProblem(childPath, keyLine,
                        "unknown key; expected one of " + String.join(", ", sorted(allowedKeys))));
                continue;
            }
            if (children.containsKey(key)) {
                problems.add(new PolicyProblem(childPath, keyLine, "duplicate key"));
                continue;
            }
            children.put(key, new YamlCursor(tuple.getValueNode(), childPath, problems));
        }
        return Optional.of(children);
    }

    /** The items of a sequence, or empty (with a problem) if this is not a sequence. */
    Optional<List<YamlCursor>> sequence() {
        if (!(node instanceof SequenceNode sequence)) {
            problem("expected a list");
            return Optional.empty();
        }
        List<YamlCursor> items = new ArrayList<>();
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            items.add(new YamlCursor(values.get(i), path + "[" + i + "]", problems));
        }
        return Optional.of(items);
    }

    /** A scalar as text (numbers and booleans included), or empty (with a problem). */
    Optional<String> text() {
        if (!(node instanceof ScalarNode scalar)) {
            problem("expected a single value");
            return Optional.empty();
        }
        if (scalar.getTag().getValue().endsWith(":null")) {
            problem("required");
            return Optional.empty();
        }
        String value = scalar.getValue();
        if (value.isEmpty()) {
            problem("must not be empty");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    Optional<Boolean> bool() {
        return text().flatMap(value -> {
            if (value.equals("true")) {
                return Optional.of(true);
            }
            if (value.equals("false")) {
                return Optional.of(false);
            }
            problem("expected true or false");
            return Optional.empty();
        });
    }

    /** A list of scalars. */
    List<String> texts() {
        List<String> values = new ArrayList<>();
        sequence().ifPresent(items -> items.forEach(item -> item.text().ifPresent(values::add)));
        return values;
    }

    /** The child {@code key}, or empty with a "required" problem at this mapping's line. */
    Optional<YamlCursor> required(Map<String, YamlCursor> children, String key) {
        YamlCursor child = children.get(key);
        if (child == null) {
            problems.add(new PolicyProblem(path.isEmpty() ? key : path + "." + key, line(), "required"));
        }
        return Optional.ofNullable(child);
    }

    private static List<String> sorted(Set<String> keys) {
        List<String> list = new ArrayList<>(keys);
        list.sort(null);
        return list;
    }
}
