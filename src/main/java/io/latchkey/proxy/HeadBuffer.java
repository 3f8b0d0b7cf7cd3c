package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The buffer one connection writes its message heads into, used again once the write that took it is out. Taken
 * from the pool per head, a head costs an allocation and a free through the pool's thread cache (its pinned-memory
 * counter, its recycler and the queue a freed buffer goes back through) per message in each direction. The connection
 * keeps one buffer instead: when only its own reference is left, the last write of it is done, and it is cleared and
 * lent to the next head. A head that finds it still held by a write (the socket was full), or too large to keep, gets
 * a buffer of its own from the allocator. Event-loop only, as its connection.
 */
final class HeadBuffer {

    /** A head larger than this gets a buffer of its own: a connection keeps no rare large head's memory. */
    static final int MAX_KEPT = 8192;
    /** The smallest buffer kept: room for a usual head, so that one small head does not decide the size. */
    private static final int MIN_KEPT = 1024;

    private final ByteBufAllocator allocator;
    private ByteBuf kept;
    private boolean released;

    HeadBuffer(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * An empty buffer of at least {@code size} bytes, to be written once and given to a write, which releases it.
     */
    ByteBuf take(int size) {
        ByteBuf buffer = kept;
        boolean free = buffer != null && buffer.refCnt() == 1;
        if (free && buffer.capacity() >= size) {
            return buffer.clear().retain();
        }
        if (released || size > MAX_KEPT || (buffer != null && !free)) {
            return allocator.buffer(size);
        }
        if (buffer != null) {
            buffer.release();
        }
        kept = allocator.buffer(Math.max(size, MIN_KEPT));
        return kept.retain();
    }

    /** The connection closed: the kept buffer goes back to the pool once a write that still holds it is done. */
    void release() {
        released = true;
        if (kept != null) {
            kept.release();
            kept = null;
        }
    }
}
