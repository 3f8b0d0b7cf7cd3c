package io.latchkey.policy;

/** The part of a credential a template names: {@code ${cred}}, {@code ${cred.username}}, {@code ${cred.password}}. */
public enum TemplateField {
    VALUE(""),
    USERNAME("username"),
    PASSWORD("password");

    private final String suffix;

    TemplateField(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    static TemplateField fromSuffix(String suffix) {
        for (TemplateField field : values()) {
            if (field.suffix.equals(suffix)) {
                return field;
            }
        }
        return null;
    }
}
