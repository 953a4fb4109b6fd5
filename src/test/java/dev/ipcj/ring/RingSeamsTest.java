package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression tests of issue 10's ring findings that need no second process: a failing create
 * leaves the other's ring alone (9), attaching to a busy ring is not "corrupt" (12), huge and
 * null Durations and null arguments (13), and the state a consumer killed between freeing words
 * and publishing {@code out} leaves behind (5; the real kills are in RingCrashTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingSeamsTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** Finding 9: create on an existing name throws EEXIST and removes nothing. */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void createOnAnExistingNameLeavesTheLiveRingAlone(RingVariant v) throws Exception {
        String n = names.next("exists");
        try (SharedRing live = SharedRing.create(n, v, 4096, 100); RingProducer p = live.producer()) {
            assertTrue(p.offer(new byte[] {1, 2, 3}));
            AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                    () -> SharedRing.create(n, v, 4096, 100));
            assertTrue(e.getMessage().contains(n), e.getMessage());
            try (SharedRing again = SharedRing.open(n); RingConsumer c = again.consumer()) {
                assertArrayEquals(new byte[] {1, 2, 3}, c.poll());
            }
        }
        // A plain shared memory object of someone else under the name: left alone too.
        String other = names.next("foreign");
        try (SharedMemory shm = SharedMemory.create(other, 8192)) {
            assertThrows(AlreadyExistsException.class, () -> SharedRing.create(other, v, 4096, 100));
            assertEquals(8192, SharedMemory.open(other).size());
        }
    }

    /**
     * Finding 12: producers attach while a consumer drains a MANY_TO_ONE ring as fast as a
     * producer fills it; every attach must succeed (out moving past the `in` it read first is
     * legal motion, not corruption).
     */
    @Test
    void attachingToABusyManyToOneRingIsNotCorruption() throws Exception {
        String n = names.next("busy");
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 4096, 64)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try (RingProducer p = ring.producer()) {
                    byte[] m = new byte[8];
                    while (!stop.get()) {
                        p.offer(m);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            Thread consumer = new Thread(() -> {
                try (RingConsumer c = ring.consumer()) {
                    while (!stop.get()) {
                        c.read((b, o, l) -> { }, 1);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            producer.start();
            consumer.start();
            long end = System.nanoTime() + 1_500_000_000L;
            int attaches = 0;
            try {
                while (System.nanoTime() < end && failure.get() == null) {
                    ring.producer().close();
                    attaches++;
                }
            } catch (CorruptedException e) {
                failure.compareAndSet(null, new AssertionError("attach " + attaches + " called a healthy ring corrupt", e));
            } finally {
                stop.set(true);
                producer.join();
                consumer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    /** Finding 12 in the C twin: ipcj_ring_attach_producer on a busy MANY_TO_ONE ring. */
    @Test
    void cAttachingToABusyManyToOneRingIsNotCorruption() throws Exception {
        String n = names.next("cbusy");
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 4096, 64)) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread producer = new Thread(() -> {
                try (RingProducer p = ring.producer()) {
                    byte[] m = new byte[8];
                    while (!stop.get()) {
                        p.offer(m);
                    }
                }
            });
            Thread consumer = new Thread(() -> {
                try (RingConsumer c = ring.consumer()) {
                    while (!stop.get()) {
                        c.read((b, o, l) -> { }, 1);
                    }
                }
            });
            producer.start();
            consumer.start();
            try {
                Process c = dev.ipcj.test.Processes.startC("ring_peer", "attachloop", n, System.getProperty("ipcj.test.attachMillis", "1500"));
                String out = dev.ipcj.test.Processes.finish(c, 30);
                assertTrue(out.contains("ok "), out);
            } finally {
                stop.set(true);
                producer.join();
                consumer.join();
            }
        }
    }

    /** Finding 13: Duration.ofSeconds(Long.MAX_VALUE) means "forever"; null is InvalidArgumentException. */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void hugeDurationsSaturateAndNullsAreInvalidArguments(RingVariant v) throws Exception {
        String n = names.next("durations");
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        try (SharedRing ring = SharedRing.create(n, v, 4096, 100);
             RingProducer p = ring.producer(); RingConsumer c = ring.consumer()) {
            assertTrue(p.offer(new byte[] {1}, forever));
            assertTrue(p.offer(ByteBuffer.wrap(new byte[] {2}), Duration.ofSeconds(Long.MAX_VALUE)));
            assertArrayEquals(new byte[] {1}, c.poll(forever));
            assertEquals(1, c.poll(ByteBuffer.allocate(10), Duration.ofSeconds(Long.MAX_VALUE)));
            assertTrue(p.offer(new byte[] {3}, Duration.ofSeconds(Long.MIN_VALUE))); // negative: do not wait
            assertEquals(1, c.read((b, o, l) -> { }, 5, forever));
            assertNull(c.poll(Duration.ofSeconds(-5)));
            ring.setSpinTime(forever);

            List<Runnable> nulls = new ArrayList<>();
            nulls.add(() -> invoke(() -> p.offer((byte[]) null)));
            nulls.add(() -> invoke(() -> p.offer((ByteBuffer) null)));
            nulls.add(() -> invoke(() -> p.offer(new byte[1], (Duration) null)));
            nulls.add(() -> invoke(() -> p.offer(ByteBuffer.allocate(1), null)));
            nulls.add(() -> invoke(() -> p.put((byte[]) null)));
            nulls.add(() -> invoke(() -> p.put((ByteBuffer) null)));
            nulls.add(() -> invoke(() -> c.poll((Duration) null)));
            nulls.add(() -> invoke(() -> c.poll((ByteBuffer) null)));
            nulls.add(() -> invoke(() -> c.poll(ByteBuffer.allocate(1), null)));
            nulls.add(() -> invoke(() -> c.take((ByteBuffer) null)));
            nulls.add(() -> invoke(() -> c.read(null)));
            nulls.add(() -> invoke(() -> c.read(null, 1)));
            nulls.add(() -> invoke(() -> c.read((b, o, l) -> { }, 1, null)));
            nulls.add(() -> invoke(() -> c.take(null, 1)));
            nulls.add(() -> invoke(() -> ring.setSpinTime(null)));
            for (int i = 0; i < nulls.size(); i++) {
                int k = i;
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> nulls.get(k).run(),
                        "null case " + k);
                assertTrue(e.getMessage().contains("is null"), e.getMessage());
            }
            // A null handler must not cost a record: the next poll still sees it.
            assertTrue(p.offer(new byte[] {4}));
            assertThrows(InvalidArgumentException.class, () -> c.read(null, 1));
            assertArrayEquals(new byte[] {4}, c.poll());
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private static void invoke(Call c) {
        try {
            c.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Finding 5, the state itself: a MANY_TO_ONE consumer handed records [out, p), wrote every
     * word of that range FREE for the next lap, and died before publishing {@code out}. A later
     * consumer must take over without seeing corruption, hand none of those records again, and
     * go on with the records after them.
     */
    @Test
    void consumerDeadAfterFreeingBeforePublishingOutIsRecovered() throws Exception {
        String n = names.next("freed");
        int cap = 4096;
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, cap, 100);
             RingProducer p = ring.producer();
             SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
            for (int i = 0; i < 10; i++) {
                assertTrue(p.offer(Records.make(i, 0, 100)));
            }
            // Find where the first 4 records end, as a consumer that read them would.
            long pos = 0;
            for (int i = 0; i < 4; i++) {
                long h = raw.getLong(RingLayout.DATA_OFFSET + pos);
                pos += RingLayout.recordSize(RingLayout.field(h));
            }
            for (long x = 0; x < pos; x += 8) {
                raw.putLong(RingLayout.DATA_OFFSET + x, x + cap); // free(): FREE for the next lap
            }
            // `out` stays 0; the consumer slot names a pid that is gone.
            raw.putInt(RingLayout.CONSUMER_PID_OFFSET, deadPid());
            try (RingConsumer c = ring.consumer()) {
                for (int i = 4; i < 10; i++) {
                    byte[] m = c.poll();
                    assertNotNull(m, "record " + i);
                    assertEquals(i, Records.check(m, 100));
                }
                assertNull(c.poll());
            }
            assertTrue(p.offer(Records.make(10, 0, 100)), "the ring takes records again");
        }
    }

    /** A pid no process has now (a child that exited). */
    static int deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return (int) p.pid();
    }
}
