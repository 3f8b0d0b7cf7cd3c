package io.latchkey.proxy;

import java.util.stream.IntStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Reads a connection's bytes into a buffer it keeps ({@link KeptBuffer}), sized as Netty's adaptive read allocator
 * (the channels' default, with its default limits) sizes them. Installed per channel before its first read; the kept
 * buffer goes back when the connection closes ({@link #release()}).
 * <p>
 * The sizing is Netty's, written out here rather than delegated to: the epoll transport already wraps a channel's
 * read handle in one of its own, and a second wrapper made every read's bookkeeping (about ten calls: reset, allocate,
 * the bytes attempted and read, whether to read on) pass through two levels of delegation, each one a type check
 * where channels of both kinds meet. That bookkeeping was 6 to 9% of Latchkey's user time on the proxy's core.
 */
final class KeptReadBuffer implements RecvByteBufAllocator {

    /** Read sizes as Netty's adaptive allocator steps through them: by 16 bytes below 512, then doubling. */
    private static final int[] SIZES = sizes(AdaptiveRecvByteBufAllocator.DEFAULT_MAXIMUM);
    private static final int MIN_INDEX = indexOf(AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM);
    private static final int INITIAL_INDEX = indexOf(AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL);
    private static final int MAX_INDEX = SIZES.length - 1;

    private final int maxMessagesPerRead;
    private final KeptBuffer buffer;

    private KeptReadBuffer(int maxMessagesPerRead, KeptBuffer buffer) {
        this.maxMessagesPerRead = maxMessagesPerRead;
        this.buffer = buffer;
    }

    /**
     * Makes {@code channel} read into a buffer it keeps, and returns what releases that buffer. A channel whose reads
     * are sized otherwise than by Netty's adaptive allocator reads as before.
     */
    static KeptReadBuffer install(Channel channel) {
        KeptBuffer buffer = new KeptBuffer(channel.alloc());
        if (!(channel.config().getRecvByteBufAllocator() instanceof AdaptiveRecvByteBufAllocator adaptive)) {
            return new KeptReadBuffer(0, buffer);
        }
        // The channel's limit of reads per event: 16 for a stream channel unless configured otherwise.
        KeptReadBuffer reads = new KeptReadBuffer(adaptive.maxMessagesPerRead(), buffer);
        channel.config().setRecvByteBufAllocator(reads);
        return reads;
    }

    @Override
    public Handle newHandle() {
        return new Reading();
    }

    /** The connection closed. */
    void release() {
        buffer.release();
    }

    private static int[] sizes(int max) {
        return IntStream.iterate(16, size -> size <= max, size -> size < 512 ? size + 16 : size * 2).toArray();
    }

    private static int indexOf(int size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (SIZES[i] >= size) {
                return i;
            }
        }
        return SIZES.length - 1;
    }

    /**
     * One channel's reads: how many bytes to offer the next read, and whether to read again within one readiness
     * event. Netty's rules: the guess grows four steps when a read fills what it was offered or a readiness event
     * brings as much as the guess, and shrinks one step after two events in a row brought no more than the step below.
     */
    private final class Reading implements ExtendedHandle {

        private ChannelConfig config;
        private int index = INITIAL_INDEX;
        private int nextSize = SIZES[INITIAL_INDEX];
        private boolean shrinkNext;
        private int messages;
        private int totalBytesRead;
        private int attemptedBytesRead;
        private int lastBytesRead;
        /** Whether the last read took all it was offered: then more may be waiting. */
        private final UncheckedBooleanSupplier filledLastRead = () -> attemptedBytesRead == lastBytesRead;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return buffer.take(nextSize);
        }

        @Override
        public int guess() {
            return nextSize;
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            messages = 0;
            totalBytesRead = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            messages += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attemptedBytesRead) {
                // The read took all it was offered: more is likely waiting, so grow before the next read.
                record(bytes);
            }
            lastBytesRead = bytes;
            if (bytes > 0) {
                totalBytesRead += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return lastBytesRead;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attemptedBytesRead = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attemptedBytesRead;
        }

        @Override
        public boolean continueReading() {
            return continueReading(filledLastRead);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            return config.isAutoRead() && maybeMoreData.get() && messages < maxMessagesPerRead
                    && totalBytesRead > 0;
        }

        @Override
        public void readComplete() {
            // A sum past Integer.MAX_VALUE has wrapped around: it was a large read all the same.
            record(totalBytesRead < 0 ? Integer.MAX_VALUE : totalBytesRead);
        }

        private void record(int bytes) {
            if (bytes <= SIZES[Math.max(0, index - 1)]) {
                if (shrinkNext) {
                    index = Math.max(index - 1, MIN_INDEX);
                    nextSize = SIZES[index];
                    shrinkNext = false;
                } else {
                    shrinkNext = true;
                }
            } else if (bytes >= nextSize) {
                index = Math.min(index + 4, MAX_INDEX);
                nextSize = SIZES[index];
                shrinkNext = false;
            }
        }
    }
}
