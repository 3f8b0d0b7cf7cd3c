package io.latchkey.inject;

/** Appends a query parameter: {@code query} injections. */
final class QueryInjector implements Injector {

    private final String name;
    private final ValueProducer value;

    QueryInjector(String name, ValueProducer value) {
        this.name = name;
        this.value = value;
    }

    String name() {
        return name;
    }

    @Override
    public void inject(InjectionTarget target) {
        target.addQueryParameter(name, value.produce());
    }
}
