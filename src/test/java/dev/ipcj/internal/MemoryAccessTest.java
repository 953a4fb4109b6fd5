package dev.ipcj.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Every method of {@link MemoryAccess} against a direct buffer read through the buffer's own
 * accessors, so that both implementations (Unsafe here on JDK 17; java.lang.foreign when the
 * suite runs on JDK 22+ against the multi-release jar, see run-jdk25) are held to the same
 * results. {@code -Dipcj.test.memoryAccess=foreign|unsafe} names the implementation the run
 * must have loaded: a jar that lost its META-INF/versions/22 (or its Multi-Release entry) fails.
 */
class MemoryAccessTest {
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final long base = MemoryAccess.address(buf);

    @Test
    void theExpectedImplementationIsLoaded() {
        String expected = System.getProperty("ipcj.test.memoryAccess", "");
        if (!expected.isEmpty()) {
            assertEquals(expected, MemoryAccess.implementation());
        }
    }

    @Test
    void addressIsByteZeroWhateverThePosition() {
        buf.position(100);
        assertEquals(base, MemoryAccess.address(buf));
        assertEquals(base + 16, MemoryAccess.address(buf.position(16).slice()));
    }

    @Test
    void loadsAndStoresAgreeWithTheBuffer() {
        MemoryAccess.putLong(base + 8, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, buf.getLong(8));
        MemoryAccess.putInt(base + 20, 77);
        assertEquals(77, buf.getInt(20));
        MemoryAccess.putByte(base + 3, (byte) -5);
        assertEquals(-5, buf.get(3));
        buf.putLong(32, -9L);
        buf.putInt(44, 123);
        assertEquals(-9L, MemoryAccess.getLong(base + 32));
        assertEquals(123, MemoryAccess.getInt(base + 44));
        assertEquals(-9L, MemoryAccess.getLongVolatile(base + 32));
        assertEquals(123, MemoryAccess.getIntVolatile(base + 44));
        assertEquals((byte) -5, MemoryAccess.getByte(base + 3));
        MemoryAccess.putLong(base + 49, 42L); // plain accesses need no alignment
        assertEquals(42L, MemoryAccess.getLong(base + 49));
        MemoryAccess.putIntVolatile(base + 64, 5);
        MemoryAccess.putLongVolatile(base + 72, 6);
        MemoryAccess.putLongRelease(base + 80, 7);
        assertEquals(5, buf.getInt(64));
        assertEquals(6, buf.getLong(72));
        assertEquals(7, buf.getLong(80));
        MemoryAccess.loadFence();
        MemoryAccess.storeFence();
        MemoryAccess.fullFence();
    }

    @Test
    void atomicsAgreeWithTheBuffer() {
        buf.putInt(128, 1);
        assertFalse(MemoryAccess.compareAndSetInt(base + 128, 2, 3));
        assertTrue(MemoryAccess.compareAndSetInt(base + 128, 1, 3));
        assertEquals(3, buf.getInt(128));
        buf.putLong(136, 10);
        assertFalse(MemoryAccess.compareAndSetLong(base + 136, 11, 12));
        assertTrue(MemoryAccess.compareAndSetLong(base + 136, 10, 12));
        assertEquals(12, buf.getLong(136));
        assertEquals(3, MemoryAccess.getAndAddInt(base + 128, 4));
        assertEquals(7, buf.getInt(128));
    }

    @Test
    void copiesOfEverySizeAroundTheInlineLimit() {
        for (int length : new int[] {0, 1, 7, 8, 9, 63, 255, 256, 257, 1000}) {
            byte[] src = new byte[length + 5];
            for (int i = 0; i < src.length; i++) {
                src[i] = (byte) (i * 31 + length);
            }
            MemoryAccess.copyFromArray(src, 5, base + 1024 + 3, length);
            byte[] viaBuffer = new byte[length];
            buf.get(1024 + 3, viaBuffer);
            byte[] expected = java.util.Arrays.copyOfRange(src, 5, 5 + length);
            assertArrayEquals(expected, viaBuffer, "copyFromArray " + length);
            byte[] back = new byte[length + 2];
            MemoryAccess.copyToArray(base + 1024 + 3, back, 2, length);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(back, 2, 2 + length), "copyToArray " + length);
            MemoryAccess.copy(base + 1024 + 3, base + 2048 + 1, length);
            byte[] copied = new byte[length];
            buf.get(2048 + 1, copied);
            assertArrayEquals(expected, copied, "copy " + length);
        }
    }
}
