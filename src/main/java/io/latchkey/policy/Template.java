package io.latchkey.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A header or query value with credential references: {@code "token ${github-pat}"}. Parsed once, at load.
 * {@code $${} writes a literal {@code ${}.
 */
public record Template(List<Part> parts) {

    public Template {
        parts = List.copyOf(parts);
    }

    public sealed interface Part {
    }

    public record Text(String text) implements Part {
    }

    public record Reference(String credential, TemplateField field) implements Part {
        public String written() {
            return "${" + credential + (field == TemplateField.VALUE ? "" : "." + field.suffix()) + "}";
        }
    }

    public List<Reference> references() {
        List<Reference> references = new ArrayList<>();
        for (Part part : parts) {
            if (part instanceof Reference reference) {
                references.add(reference);
            }
        }
        return references;
    }

    /**
     * @throws IllegalArgumentException with a message for the policy problem report
     */
    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                literal.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("'${' at position " + i + " has no closing '}'");
                }
                if (literal.length() > 0) {
                    parts.add(new Text(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(reference(text.substring(i + 2, end)));
                i = end + 1;
            } else {
                literal.append(text.charAt(i++));
            }
        }
        if (literal.length() > 0) {
            parts.add(new Text(literal.toString()));
        }
        return new Template(parts);
    }

    private static Reference reference(String inside) {
        String name = inside;
        TemplateField field = TemplateField.VALUE;
        int dot = inside.lastIndexOf('.');
        if (dot > 0) {
            TemplateField named = TemplateField.fromSuffix(inside.substring(dot + 1));
            if (named != null) {
                name = inside.substring(0, dot);
                field = named;
            }
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'${}' names no credential");
        }
        return new Reference(name, field);
    }
}
