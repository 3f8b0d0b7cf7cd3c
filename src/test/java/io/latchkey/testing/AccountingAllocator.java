package io.latchkey.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Netty buffers that are remembered: every buffer it hands out is kept in a list, so a test can ask how many are
 * still held (reference count above zero) after the work that took them is over. Unpooled and direct, as the
 * proxy's own pooled allocator is direct: a buffer released too early is freed at once, and touching it then throws
 * instead of reading a pool's recycled memory.
 */
public final class AccountingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> handedOut = Collections.synchronizedList(new ArrayList<>());

    public AccountingAllocator() {
        super(true);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(Unpooled.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(Unpooled.buffer(initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return remember(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return remember(super.compositeHeapBuffer(maxNumComponents));
    }

    private <B extends ByteBuf> B remember(B buffer) {
        handedOut.add(buffer);
        return buffer;
    }

    /** How many buffers were handed out so far. */
    public int handedOut() {
        return handedOut.size();
    }

    /** How many of the buffers handed out after the first {@code since} are still held by someone. */
    public long heldSince(int since) {
        synchronized (handedOut) {
            return handedOut.subList(since, handedOut.size()).stream().filter(buffer -> buffer.refCnt() > 0).count();
        }
    }
}
