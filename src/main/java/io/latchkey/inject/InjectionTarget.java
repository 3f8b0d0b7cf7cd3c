package io.latchkey.inject;

/** The outbound request as injectors see it. */
public interface InjectionTarget {

    /** Sets a header; the caller's copies were removed before injection. */
    void setHeader(String name, String value);

    /** Appends a query parameter; name and value are raw and will be percent-encoded. */
    void addQueryParameter(String name, String value);
}
