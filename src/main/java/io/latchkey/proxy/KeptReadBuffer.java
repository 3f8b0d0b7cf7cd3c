package io.latchkey.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Reads a connection's bytes into a buffer it keeps ({@link KeptBuffer}), sized as the channel's own read allocator
 * would size them (Netty's adaptive guess, by default). Installed per channel before its first read; the kept buffer
 * goes back when the connection closes ({@link #release()}).
 */
final class KeptReadBuffer implements RecvByteBufAllocator {

    private final RecvByteBufAllocator sizing;
    private final KeptBuffer buffer;

    private KeptReadBuffer(RecvByteBufAllocator sizing, KeptBuffer buffer) {
        this.sizing = sizing;
        this.buffer = buffer;
    }

    /**
     * Makes {@code channel} read into a buffer it keeps, and returns what releases that buffer. A channel whose
     * reads are sized in a way this cannot follow (not Netty's extended handle) reads as before.
     */
    static KeptReadBuffer install(Channel channel) {
        RecvByteBufAllocator sizing = channel.config().getRecvByteBufAllocator();
        KeptReadBuffer reads = new KeptReadBuffer(sizing, new KeptBuffer(channel.alloc()));
        if (sizing.newHandle() instanceof ExtendedHandle) {
            channel.config().setRecvByteBufAllocator(reads);
        }
        return reads;
    }

    @Override
    public Handle newHandle() {
        return new Reading((ExtendedHandle) sizing.newHandle());
    }

    /** The connection closed. */
    void release() {
        buffer.release();
    }

    /** The channel's own handle, but for where the bytes go. */
    private final class Reading extends DelegatingHandle implements ExtendedHandle {

        Reading(ExtendedHandle sizing) {
            super(sizing);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return buffer.take(guess());
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
