package io.latchkey.proxy;

import io.netty.util.AsciiString;

/**
 * The bytes of a route's injected header names and values, kept with the text they were made from. Injectors hand
 * out the same text until a credential changes (a bearer or basic header is formatted once per value), so the steady
 * state encodes nothing per request, and a head copies each name and value as bytes where text would be written
 * character by character. Shared by the route's event loops: each slot holds an immutable pair, and a race only
 * encodes a text twice.
 */
final class InjectedHeaderBytes {

    private record Encoded(String text, AsciiString bytes) {
    }

    private final Encoded[] slots;
    private int next;

    /** @param headers how many headers the route injects; a slot for each one's name and one for its value */
    InjectedHeaderBytes(int headers) {
        this.slots = new Encoded[Math.max(2, headers * 2)];
    }

    /** {@code text} as bytes (ISO-8859-1, {@code ?} beyond it), encoded again only when it is another string. */
    AsciiString of(String text) {
        for (Encoded slot : slots) {
            if (slot != null && slot.text == text) {
                return slot.bytes;
            }
        }
        Encoded encoded = new Encoded(text, new AsciiString(text));
        int slot = next;
        slots[slot] = encoded;
        next = slot + 1 == slots.length ? 0 : slot + 1;
        return encoded.bytes;
    }
}
