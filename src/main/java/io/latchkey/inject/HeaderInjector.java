package io.latchkey.inject;

/** Writes a header: {@code header}, {@code bearer} and {@code basic} injections. */
final class HeaderInjector implements Injector {

    private final String name;
    private final ValueProducer value;

    HeaderInjector(String name, ValueProducer value) {
        this.name = name;
        this.value = value;
    }

    String name() {
        return name;
    }

    @Override
    public void inject(InjectionTarget target) {
        target.setHeader(name, value.produce());
    }
}
