package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;

/** A channel's reads into its kept buffer, sized as Netty's own adaptive allocator sizes them. */
class KeptReadBufferTest {

    final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void sizesEveryReadAsNettysAdaptiveAllocatorWould() {
        // A stream channel's setting (the epoll transport's default): up to 16 reads per readiness event.
        AdaptiveRecvByteBufAllocator netty = new AdaptiveRecvByteBufAllocator();
        netty.maxMessagesPerRead(16);
        channel.config().setRecvByteBufAllocator(netty);
        KeptReadBuffer kept = KeptReadBuffer.install(channel);
        ExtendedHandle reference = (ExtendedHandle) netty.newHandle();
        ExtendedHandle ours = (ExtendedHandle) channel.config().getRecvByteBufAllocator().newHandle();
        Random random = new Random(20261128);

        for (int event = 0; event < 20_000; event++) {
            // A paused connection (reading switched off) stops after the read under way.
            channel.config().setAutoRead(random.nextInt(8) > 0);
            reference.reset(channel.config());
            ours.reset(channel.config());
            // Some events find a full socket, whose reads fill what they are offered until the per-event limit.
            boolean fullSocket = random.nextInt(4) == 0;
            while (true) {
                assertThat(ours.guess()).as("guess before read, event %d", event).isEqualTo(reference.guess());
                // What a read is offered: the guess, or more when the kept buffer is larger.
                int attempted = ours.guess() + (random.nextBoolean() ? 0 : random.nextInt(4096));
                int read = fullSocket && random.nextInt(10) > 0 ? attempted : switch (random.nextInt(6)) {
                    case 0 -> attempted;
                    case 1 -> -1;
                    case 2 -> 0;
                    default -> 1 + random.nextInt(attempted);
                };
                reference.attemptedBytesRead(attempted);
                ours.attemptedBytesRead(attempted);
                reference.lastBytesRead(read);
                ours.lastBytesRead(read);
                assertThat(ours.lastBytesRead()).isEqualTo(reference.lastBytesRead());
                assertThat(ours.guess()).as("guess after read, event %d", event).isEqualTo(reference.guess());
                if (read <= 0) {
                    break;
                }
                reference.incMessagesRead(1);
                ours.incMessagesRead(1);
                boolean goOn = reference.continueReading();
                assertThat(ours.continueReading()).as("read on, event %d", event).isEqualTo(goOn);
                if (!goOn) {
                    break;
                }
            }
            reference.readComplete();
            ours.readComplete();
            assertThat(ours.guess()).as("guess after event %d", event).isEqualTo(reference.guess());
        }
        kept.release();
    }

    @Test
    void readsLandInTheBufferTheConnectionKeeps() {
        KeptReadBuffer kept = KeptReadBuffer.install(channel);
        RecvByteBufAllocator.Handle reads = channel.config().getRecvByteBufAllocator().newHandle();

        ByteBuf first = reads.allocate(channel.alloc());
        first.writeByte('x');
        first.release();
        ByteBuf second = reads.allocate(channel.alloc());

        assertThat(second).isSameAs(first);
        assertThat(second.readableBytes()).isZero();
        assertThat(second.writableBytes()).isGreaterThanOrEqualTo(AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL);
        second.release();
        kept.release();
    }

    @Test
    void aChannelSizedOtherwiseReadsAsBefore() {
        FixedRecvByteBufAllocator fixed = new FixedRecvByteBufAllocator(512);
        channel.config().setRecvByteBufAllocator(fixed);

        KeptReadBuffer.install(channel).release();

        assertThat(channel.config().<RecvByteBufAllocator> getRecvByteBufAllocator()).isSameAs(fixed);
    }
}
