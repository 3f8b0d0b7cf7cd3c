package io.latchkey.secret;

/** A value that cannot change while the process runs: a literal, or an environment variable. */
final class FixedValueSource implements ValueSource {

    private final Resolution resolution;
    private final String description;

    FixedValueSource(Resolution resolution, String description) {
        this.resolution = resolution;
        this.description = description;
    }

    @Override
    public Resolution current() {
        return resolution;
    }

    @Override
    public String describe() {
        return description;
    }
}
