package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;

/** Header text written as bytes: ISO-8859-1, byte for byte as Netty's {@code writeCharSequence} writes it. */
class Http1RequestBytesTest {

    @Test
    void textIsWrittenAsNettyWritesItInIso88591() {
        List<CharSequence> texts = List.of("GET", "/search?q=caf\u00e9", "Bearer t\u00ffk\u20acn", "",
                AsciiString.of("authorization"), new StringBuilder("x-trace: \u0080\u00a0"));
        List<Supplier<ByteBuf>> buffers = List.of(Unpooled::buffer, Unpooled::directBuffer,
                PooledByteBufAllocator.DEFAULT::directBuffer,
                // Not one of Netty's AbstractByteBufs: the general path.
                () -> Unpooled.buffer().order(ByteOrder.LITTLE_ENDIAN));
        for (Supplier<ByteBuf> buffer : buffers) {
            for (CharSequence text : texts) {
                ByteBuf ours = buffer.get().writeByte('>');
                ByteBuf netty = buffer.get().writeByte('>');

                Http1RequestBytes.writeLatin1(ours, text);
                netty.writeCharSequence(text, StandardCharsets.ISO_8859_1);

                assertThat(ByteBufUtil.getBytes(ours)).as("%s in %s", text, ours)
                        .isEqualTo(ByteBufUtil.getBytes(netty));
                assertThat(ours.toString(StandardCharsets.ISO_8859_1))
                        .isEqualTo(">" + text.toString().replace('\u20ac', '?'));
                ours.release();
                netty.release();
            }
        }
    }
}
