package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The check of header values eight bytes at a time against the byte-by-byte rule it stands for. */
class FieldContentCheckTest {

    private static boolean isFieldContent(int b) {
        return b == '\t' || (b >= 0x20 && b != 0x7f);
    }

    private static boolean isControl(int b) {
        return b < 0x20 || b == 0x7f;
    }

    @Test
    void aWordMayHoldAControlCharacterExactlyWhenOneOfItsBytesIsOne() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] bytes = new byte[8];
        for (int round = 0; round < 200_000; round++) {
            for (int i = 0; i < 8; i++) {
                // Mostly the usual value bytes, with every byte value and the edges of each range mixed in.
                int pick = random.nextInt(10);
                bytes[i] = (byte) (pick < 6 ? 0x20 + random.nextInt(0x5f)
                        : pick < 8 ? random.nextInt(256)
                                : new int[] { 0x00, 0x09, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff }[random.nextInt(8)]);
            }
            boolean control = false;
            for (byte b : bytes) {
                control |= isControl(b & 0xff);
            }
            long word = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(MessageReader.mayHoldControl(word)).as("%016x", word).isEqualTo(control);
        }
    }

    @Test
    void theFirstByteThatIsNotFieldContentIsFoundWhereverItLies() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] head = new byte[64];
        for (int round = 0; round < 100_000; round++) {
            for (int i = 0; i < head.length; i++) {
                head[i] = (byte) (0x20 + random.nextInt(0x5f));
            }
            int start = random.nextInt(20);
            int end = start + random.nextInt(head.length - start + 1);
            int planted = random.nextInt(3);
            for (int p = 0; p < planted && end > start; p++) {
                head[start + random.nextInt(end - start)] = (byte) new int[] { 0x00, 0x09, 0x0d, 0x0a, 0x1f, 0x7f,
                        0x80, 0xff }[random.nextInt(8)];
            }
            int expected = -1;
            for (int i = start; i < end; i++) {
                if (!isFieldContent(head[i] & 0xff)) {
                    expected = i;
                    break;
                }
            }
            assertThat(MessageReader.firstNotFieldContent(head, start, end)).isEqualTo(expected);
        }
    }
}
