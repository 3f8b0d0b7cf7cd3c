package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A connection's head buffer against an allocator that counts what it hands out. A write is played by its two ends:
 * the buffer taken and written, and released as a channel releases it once its bytes are out.
 */
class KeptBufferTest {

    /** Netty's unpooled buffers, counted as they are made. */
    static final class CountingAllocator extends AbstractByteBufAllocator {
        int made;

        CountingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            made++;
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            made++;
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private final CountingAllocator allocator = new CountingAllocator();
    private final KeptBuffer heads = new KeptBuffer(allocator);

    @Test
    void theBufferIsLentAgainOnceItsWriteIsOut() {
        ByteBuf first = heads.take(200);
        first.writeCharSequence("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        first.release(); // the write is out

        ByteBuf second = heads.take(200);

        assertThat(second).isSameAs(first);
        assertThat(second.readableBytes()).as("cleared").isZero();
        assertThat(second.refCnt()).as("the connection's and the next write's").isEqualTo(2);
        assertThat(allocator.made).isEqualTo(1);
    }

    @Test
    void aHeadWhileTheBufferIsStillBeingWrittenGetsItsOwn() {
        ByteBuf held = heads.take(200);
        held.writeCharSequence("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII);

        ByteBuf other = heads.take(200);

        assertThat(other).isNotSameAs(held);
        assertThat(held.toString(StandardCharsets.US_ASCII)).as("untouched while held")
                .isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        other.release();
        assertThat(other.refCnt()).as("not kept").isZero();
        held.release();
        assertThat(heads.take(200)).as("the kept one, once out").isSameAs(held);
        assertThat(allocator.made).isEqualTo(2);
    }

    @Test
    void aLargerHeadReplacesTheKeptBufferAndATooLargeOneIsNotKept() {
        ByteBuf small = heads.take(100);
        assertThat(small.capacity()).as("room for a usual head").isGreaterThanOrEqualTo(1024);
        small.release();

        ByteBuf larger = heads.take(3000);
        assertThat(larger.capacity()).isGreaterThanOrEqualTo(3000);
        assertThat(small.refCnt()).as("the smaller one is freed").isZero();
        larger.release();

        ByteBuf huge = heads.take(KeptBuffer.MAX_KEPT + 1);
        huge.release();
        assertThat(huge.refCnt()).as("freed by its write").isZero();
        assertThat(heads.take(3000)).as("still the kept one").isSameAs(larger);
    }

    @Test
    void theKeptBufferIsFreedWhenTheConnectionClosesEvenWhileAWriteHoldsIt() {
        ByteBuf held = heads.take(200);

        heads.release();
        assertThat(held.refCnt()).as("the write's reference").isEqualTo(1);
        held.release();
        assertThat(held.refCnt()).isZero();

        ByteBuf late = heads.take(200);
        late.release();
        assertThat(late.refCnt()).as("nothing is kept after the close").isZero();
    }
}
