package io.latchkey.proxy;

/**
 * What the sender of an upstream call hears of it, on the event loop that started it: first {@link #carried} or
 * {@link #notCarried}; after {@code carried}, then {@link #answered} or {@link #notAnswered}, once. Told directly
 * rather than through two futures per call and the listeners on them: 160 bytes fewer allocated per request.
 */
interface UpstreamListener {

    /**
     * A connection carries the call: its body can be sent now. May be heard before {@code request} returns, when a
     * pooled connection was free.
     */
    void carried(UpstreamCall call);

    /** No connection could be had: the request never left, and nothing more is heard. */
    void notCarried(Throwable cause);

    /** The head of the upstream's answer; its body follows through the response's handlers. */
    void answered(UpstreamResponse response);

    /** The call failed or was reset before the head of an answer. */
    void notAnswered(Throwable cause);
}
