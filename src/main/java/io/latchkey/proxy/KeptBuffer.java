package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A buffer one connection keeps and lends again and again: for the heads it writes, and for the bytes it reads.
 * Taken from the pool per use, a buffer costs an allocation and a free through the pool's thread cache (its
 * pinned-memory counter, its recycler and the queue a freed buffer goes back through), several times per request.
 * When only the connection's own reference is left, the last user of the buffer is done with it (a write has sent
 * it, a reader has given it back), and it is cleared and lent out again. A use that finds it still held (the socket
 * was full, a body's bytes wait to be written), or that needs more than {@link #MAX_KEPT} bytes, gets a buffer of its
 * own from the allocator. Event-loop only, as its connection.
 */
final class KeptBuffer {

    /** A use larger than this gets a buffer of its own: a connection keeps no rare large message's memory. */
    static final int MAX_KEPT = 8192;
    /** The smallest buffer kept: room for a usual head, so that one small use does not decide the size. */
    private static final int MIN_KEPT = 1024;

    private final ByteBufAllocator allocator;
    private ByteBuf kept;
    private boolean released;

    KeptBuffer(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * An empty buffer of at least {@code size} bytes, direct where the allocator can: the caller's, to release when
     * done with it (a write releases what it is given).
     */
    ByteBuf take(int size) {
        ByteBuf buffer = kept;
        boolean free = buffer != null && buffer.refCnt() == 1;
        if (free && buffer.capacity() >= size) {
            return buffer.clear().retain();
        }
        if (released || size > MAX_KEPT || (buffer != null && !free)) {
            return allocator.ioBuffer(size);
        }
        if (buffer != null) {
            buffer.release();
        }
        kept = allocator.ioBuffer(Math.max(size, MIN_KEPT));
        return kept.retain();
    }

    /** The connection closed: the kept buffer goes back to the pool once whoever still holds it is done. */
    void release() {
        released = true;
        if (kept != null) {
            kept.release();
            kept = null;
        }
    }
}
