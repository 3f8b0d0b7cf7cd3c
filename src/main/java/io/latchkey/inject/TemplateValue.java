package io.latchkey.inject;

import java.util.List;

import io.latchkey.credential.Credential;
import io.latchkey.credential.Credentials;
import io.latchkey.policy.Template;
import io.latchkey.policy.TemplateField;

/** A template rendered with credentials' current values. */
final class TemplateValue implements ValueProducer {

    private final Object[] parts;

    TemplateValue(Template template, Credentials credentials) {
        List<Template.Part> source = template.parts();
        parts = new Object[source.size()];
        for (int i = 0; i < parts.length; i++) {
            Template.Part part = source.get(i);
            parts[i] = part instanceof Template.Text text ? text.text()
                    : new Field(credentials.get(((Template.Reference) part).credential()),
                            ((Template.Reference) part).field());
        }
    }

    @Override
    public String produce() {
        if (parts.length == 1) {
            return render(parts[0]);
        }
        StringBuilder out = new StringBuilder(64);
        for (Object part : parts) {
            out.append(render(part));
        }
        return out.toString();
    }

    private static String render(Object part) {
        if (part instanceof String text) {
            return text;
        }
        Field field = (Field) part;
        return CredentialValues.require(field.credential, field.field).reveal();
    }

    private record Field(Credential credential, TemplateField field) {
    }
}
