package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.BusyException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One process: layout, validation, the queue operations, wrap-around, claim/commit/abort, blocking. */
// A lost wake-up shows as a take() that never returns: fail instead of hanging the build.
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedRingTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void offerPollInOrderAcrossManyWraps(RingVariant v) {
        String n = names.next("order");
        try (SharedRing ring = SharedRing.create(n, v, 4096, 200);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            assertNull(c.poll());
            long sent = 0;
            long got = 0;
            for (int round = 0; round < 2000; round++) {
                while (p.offer(Records.make(sent, 0, 200))) {
                    sent++;
                }
                int k = round % 3 + 1;
                for (int i = 0; i < k; i++) {
                    byte[] m = c.poll();
                    assertNotNull(m);
                    assertEquals(got++, Records.check(m, 200));
                }
            }
            byte[] m;
            while ((m = c.poll()) != null) {
                assertEquals(got++, Records.check(m, 200));
            }
            assertEquals(sent, got);
            assertTrue(sent > 4096 * 3 / 120, "wrapped several times: " + sent);
        }
    }

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void batchReadClaimCommitAbortAndByteBuffers(RingVariant v) {
        String n = names.next("claim");
        try (SharedRing ring = SharedRing.create(n, v, 8192, 1000);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            int at = p.tryClaim(16);
            Records.fill(p.buffer(), at, 0, 3, 16);
            assertEquals(0, c.read((b, o, l) -> fail("not committed yet")));
            p.commit(at);
            int ab = p.tryClaim(100);
            p.abort(ab);
            assertTrue(p.offer(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            assertTrue(p.offer(new byte[0]));
            List<Integer> lengths = new ArrayList<>();
            assertEquals(3, c.read((b, o, l) -> {
                lengths.add(l);
                assertTrue(b.isReadOnly());
                if (l == 16) {
                    assertEquals(3, b.getInt(o + 8));
                }
            }));
            assertEquals(List.of(16, 3, 0), lengths);
            assertTrue(p.offer(new byte[] {9, 8, 7, 6}));
            ByteBuffer small = ByteBuffer.allocate(2);
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> c.poll(small));
            assertTrue(e.getMessage().contains("has 4 bytes"), e.getMessage());
            ByteBuffer dst = ByteBuffer.allocateDirect(10);
            assertEquals(4, c.poll(dst));
            assertEquals(4, dst.position());
            assertEquals(-1, c.poll(dst));
            InvalidArgumentException big = assertThrows(InvalidArgumentException.class, () -> p.offer(new byte[1001]));
            assertTrue(big.getMessage().contains("length 1001 is outside 0..1000"), big.getMessage());
        }
    }

    @Test
    void fullRingRefusesThenAcceptsAfterConsume() {
        String n = names.next("full");
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 1000);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            byte[] m = new byte[1000 - 8];
            int k = 0;
            while (p.offer(m)) {
                k++;
            }
            assertEquals(4, k);
            assertNotNull(c.poll());
            assertTrue(p.offer(m));
        }
    }

    @Test
    void createValidatesAndOpenNamesWhatDiffers() throws Exception {
        String n = names.next("hdr");
        assertThrows(InvalidArgumentException.class, () -> SharedRing.create(n, RingVariant.ONE_TO_ONE, 5000, 10));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 3000));
        assertTrue(e.getMessage().contains("maxRecordLength 3000 is outside 1..2040"), e.getMessage());
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 8192, 512)) {
            assertMessage("capacity 8192 differs from the expected 4096",
                    () -> SharedRing.open(n, RingVariant.MANY_TO_ONE, 4096, 512));
            assertMessage("variant MANY_TO_ONE differs from the expected ONE_TO_ONE",
                    () -> SharedRing.open(n, RingVariant.ONE_TO_ONE, 0, 0));
            assertMessage("maxRecordLength 512 differs from the expected 100",
                    () -> SharedRing.open(n, null, 0, 100));
            try (SharedRing again = SharedRing.open(n, RingVariant.MANY_TO_ONE, 8192, 512)) {
                assertEquals(512, again.maxRecordLength());
            }
        }
        String foreign = names.next("foreign");
        try (SharedMemory shm = SharedMemory.create(foreign, 16384); MappedRegion r = shm.map()) {
            assertMessage("magic is 0", () -> SharedRing.open(foreign));
            r.putLong(0, 0x1234);
            assertMessage("magic 0x1234 is not 0x474e49524a435049", () -> SharedRing.open(foreign));
            r.putLong(0, RingLayout.MAGIC);
            r.putInt(RingLayout.VERSION_OFFSET, 7);
            assertMessage("layoutVersion 7 is not the supported 1", () -> SharedRing.open(foreign));
            r.putInt(RingLayout.VERSION_OFFSET, 1);
            r.putInt(RingLayout.VARIANT_OFFSET, 1);
            r.putInt(RingLayout.CAPACITY_OFFSET, 8192);
            r.putInt(RingLayout.MAX_RECORD_OFFSET, 100);
            r.putInt(RingLayout.HEADER_SIZE_OFFSET, 4096);
            r.putLong(RingLayout.OBJECT_SIZE_OFFSET, 4096 + 8192);
            assertMessage("objectSize field 12288, actual object size 16384", () -> SharedRing.open(foreign));
        }
        String tiny = names.next("tiny");
        try (SharedMemory shm = SharedMemory.create(tiny, 100)) {
            assertMessage("object size 100 is smaller than the smallest ring", () -> SharedRing.open(tiny));
        }
    }

    @Test
    void oneProducerOneConsumerAreEnforcedAndReleased() {
        String n = names.next("owner");
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 100)) {
            RingProducer p = ring.producer();
            BusyException e = assertThrows(BusyException.class, ring::producer);
            assertTrue(e.getMessage().contains("a producer is already attached (pid"), e.getMessage());
            p.close();
            ring.producer().close();
            RingConsumer c = ring.consumer();
            assertThrows(BusyException.class, ring::consumer);
            c.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void takeBlocksUntilPutAndInterruptWakesIt(RingVariant v) throws Exception {
        String n = names.next("block");
        try (SharedRing ring = SharedRing.create(n, v, 4096, 100);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            assertNull(c.poll(Duration.ofMillis(30)));
            AtomicReference<Object> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    got.set(c.take());
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            t.start();
            Thread.sleep(50); // asleep in FUTEX_WAIT by now
            p.put(new byte[] {42});
            t.join(5000);
            assertArrayEquals(new byte[] {42}, (byte[]) got.get());

            Thread t2 = new Thread(() -> {
                try {
                    got.set(c.take());
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            t2.start();
            Thread.sleep(50);
            t2.interrupt();
            t2.join(5000);
            assertTrue(got.get() instanceof InterruptedException, String.valueOf(got.get()));
            // Nothing was lost: a record put now is taken by the next call.
            p.put(new byte[] {7});
            assertArrayEquals(new byte[] {7}, c.take());
        }
    }

    @Test
    void putBlocksWhileFullAndOfferTimesOut() throws Exception {
        String n = names.next("pblock");
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 1000);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            byte[] m = new byte[992];
            while (p.offer(m)) {
                // fill
            }
            assertFalse(p.offer(m, Duration.ofMillis(30)));
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    c.poll();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            p.put(m); // wakes when the consumer makes room
            t.join();
        }
    }

    @Test
    void closeWakesABlockedTakeWithClosedException() throws Exception {
        String n = names.next("close");
        SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 100);
        RingConsumer c = ring.consumer();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                c.take();
            } catch (Throwable e) {
                got.set(e);
            }
        });
        t.start();
        Thread.sleep(50);
        ring.close();
        t.join(5000);
        assertFalse(t.isAlive());
        assertTrue(got.get() instanceof ClosedException, String.valueOf(got.get()));
        assertThrows(ClosedException.class, c::poll);
    }

    @Test
    void garbageIndicesAndHeadersAreCorruptedExceptions() {
        String n = names.next("garbage");
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 100);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer();
             SharedMemory shm = SharedMemory.open(n); MappedRegion r = shm.map()) {
            assertTrue(p.offer(new byte[10]));
            r.putLong(RingLayout.IN_OFFSET, 1L << 40);
            CorruptedException e = assertThrows(CorruptedException.class, c::poll);
            assertTrue(e.getMessage().contains("in 1099511627776 and out 0 break out <= in <= out + capacity (4096)"),
                    e.getMessage());
            r.putLong(RingLayout.IN_OFFSET, 24);
            r.putLong(RingLayout.DATA_OFFSET, 0xC000_7FFF_0000_0000L); // DATA of length 32767
            e = assertThrows(CorruptedException.class, c::poll);
            assertTrue(e.getMessage().contains("has length 32767"), e.getMessage());
            r.putLong(RingLayout.IN_OFFSET, 13);
            c.close(); // a consumer caches `in`; a new one reads it
            e = assertThrows(CorruptedException.class, ring::consumer);
            assertTrue(e.getMessage().contains("in 13 is not a non-negative multiple of 8"), e.getMessage());
        }
    }

    @Test
    void offerOfEveryKindOfByteBufferSendsItsRemainingBytesOnBothVariants() throws Exception {
        for (RingVariant v : RingVariant.values()) {
            String n = names.next("bufs");
            try (SharedRing ring = SharedRing.create(n, v, 4096, 256);
                 RingProducer p = ring.producer();
                 RingConsumer c = ring.consumer()) {
                byte[] backing = new byte[40];
                for (int i = 0; i < backing.length; i++) {
                    backing[i] = (byte) i;
                }
                ByteBuffer heapSlice = ByteBuffer.wrap(backing, 4, 30).slice(); // arrayOffset 4
                heapSlice.position(3).limit(13);                                   // bytes 7..16
                ByteBuffer direct = ByteBuffer.allocateDirect(40).put(backing).position(5).limit(9); // 5..8
                ByteBuffer readOnly = ByteBuffer.wrap(backing).asReadOnlyBuffer().position(30); // 30..39
                for (ByteBuffer b : new ByteBuffer[] {heapSlice, direct, readOnly}) {
                    int from = b.position();
                    int want = b.remaining();
                    assertTrue(p.offer(b), v + " " + b);
                    assertEquals(from + want, b.position(), "the position advances past what was sent");
                }
                assertArrayEquals(java.util.Arrays.copyOfRange(backing, 7, 17), c.poll());
                assertArrayEquals(java.util.Arrays.copyOfRange(backing, 5, 9), c.poll());
                assertArrayEquals(java.util.Arrays.copyOfRange(backing, 30, 40), c.poll());
                assertNull(c.poll());
                ByteBuffer empty = ByteBuffer.allocate(0);
                assertTrue(p.offer(empty));
                assertArrayEquals(new byte[0], c.poll());
            } finally {
                SharedRing.unlinkIfExists(n);
            }
        }
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        Throwable e = assertThrows(RuntimeException.class, ex);
        assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' lacks '" + part + "'");
    }
}
