package dev.ipcj.broadcast;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.BusyException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

/** One process: create/open, the modes' contracts, lapping counts, many subscribers, slots, blocking. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BroadcastRingTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** A payload of {@code length} bytes that names {@code n}: the first 8 bytes, then a pattern. */
    static ByteBuffer record(long n, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) (n * 31 + i));
        }
        if (length >= 8) {
            b.putLong(0, n);
        }
        return b;
    }

    /** Checks a payload made by {@link #record} and returns its number. */
    static long check(ByteBuffer b, int offset, int length) {
        long n = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
        for (int i = 8; i < length; i++) {
            assertEquals((byte) (n * 31 + i), b.get(offset + i), "byte " + i + " of record " + n);
        }
        return n;
    }

    static int lengthOf(long n, int max) {
        return 8 + (int) ((n * 7919) % (max - 7));
    }

    @ParameterizedTest
    @EnumSource(BroadcastMode.class)
    void createOpenAndTheHeader(BroadcastMode mode) throws Exception {
        String n = names.next("basic");
        try (BroadcastRing ring = BroadcastRing.create(n, mode, 8192, 100)) {
            assertEquals(mode, ring.mode());
            assertEquals(8192, ring.capacity());
            assertEquals(100, ring.maxRecordLength());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    Path.of("/dev/shm", n.substring(1)))));
            assertThrows(AlreadyExistsException.class, () -> BroadcastRing.create(n, mode, 8192, 100));
            try (BroadcastRing other = BroadcastRing.open(n)) {
                assertEquals(mode, other.mode());
                assertEquals(100, other.maxRecordLength());
            }
            BroadcastMode otherMode = mode == BroadcastMode.LOSSY ? BroadcastMode.LOSSLESS : BroadcastMode.LOSSY;
            assertThrows(CorruptedException.class, () -> BroadcastRing.open(n, otherMode));
        }
        assertThrows(InvalidArgumentException.class, () -> BroadcastRing.create(names.next("x"), mode, 5000, 10));
        assertThrows(InvalidArgumentException.class, () -> BroadcastRing.create(names.next("x"), mode, 4096, 4096));
        assertThrows(InvalidArgumentException.class, () -> BroadcastRing.create(names.next("x"), null, 4096, 10));
        assertThrows(NotFoundException.class, () -> BroadcastRing.open(names.next("absent")));
        // Another kind of ipcj object under the name is refused with a typed error.
        String ringName = names.next("ring");
        try (SharedRing r = SharedRing.create(ringName, RingVariant.ONE_TO_ONE, 1 << 14, 100)) {
            assertThrows(CorruptedException.class, () -> BroadcastRing.open(ringName));
        }
        assertTrue(BroadcastRing.unlinkIfExists(n));
        assertFalse(BroadcastRing.unlinkIfExists(n));
    }

    @ParameterizedTest
    @EnumSource(BroadcastMode.class)
    void recordsInOrderAcrossManyWraps(BroadcastMode mode) {
        String n = names.next("order");
        int max = 300;
        try (BroadcastRing ring = BroadcastRing.create(n, mode, 4096, max);
             BroadcastPublisher p = ring.publisher(); BroadcastSubscriber s = ring.subscriber()) {
            ByteBuffer dst = ByteBuffer.allocateDirect(max);
            assertEquals(-1, s.poll(dst));
            long got = 0;
            for (long i = 0; i < 5000; i++) {
                assertTrue(p.offer(record(i, lengthOf(i, max))));
                if (i % 3 == 2) {
                    for (int k = 0; k < 3; k++) {
                        dst.clear();
                        int len = s.poll(dst);
                        assertEquals(lengthOf(got, max), len);
                        assertEquals(got, check(dst, 0, len));
                        got++;
                    }
                }
            }
            assertEquals(5000 - 5000 % 3, got);
            assertEquals(got, s.received());
            assertEquals(0, s.lost());
            assertEquals(5000, p.nextSequence());
        }
    }

    @Test
    void losslessPublisherWaitsForTheSlowestSubscriberAndTimesOutByItsDeadline() throws Exception {
        String n = names.next("lossless");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 4096, 100);
             BroadcastPublisher p = ring.publisher();
             BroadcastSubscriber fast = ring.subscriber(); BroadcastSubscriber slow = ring.subscriber()) {
            ByteBuffer dst = ByteBuffer.allocate(100);
            int sent = 0;
            while (p.offer(record(sent, 100))) {
                sent++;
                dst.clear();
                assertEquals(100, fast.poll(dst)); // the fast one keeps up; the slow one reads nothing
            }
            assertEquals(4096 / 128, sent, "one capacity of 128-byte records");
            long t0 = System.nanoTime();
            assertFalse(p.publish(record(sent, 100), Duration.ofMillis(150)));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 140 && waited < 2000, "waited " + waited + " ms for a 150 ms deadline");
            // The slow one reads in another thread: the blocked publisher goes on.
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    ByteBuffer d = ByteBuffer.allocate(100);
                    for (int i = 0; i < 4; i++) {
                        d.clear();
                        slow.take(d);
                        assertEquals(i, check(d, 0, 100));
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            reader.start();
            t0 = System.nanoTime();
            assertTrue(p.publish(record(sent, 100), Duration.ofSeconds(Long.MAX_VALUE)));
            assertTrue(System.nanoTime() - t0 > 50_000_000L, "it waited for the slow subscriber");
            reader.join();
            assertNull(failed.get());
            // Leaving frees the slot: the publisher no longer waits for it.
            slow.close();
            dst.clear();
            while (fast.poll(dst) >= 0) {
                dst.clear();
            }
            for (int i = 0; i < 100; i++) {
                assertTrue(p.offer(record(i, 100)));
                dst.clear();
                assertEquals(100, fast.poll(dst));
            }
        }
    }

    @Test
    void lossyPublisherNeverWaitsAndALappedSubscriberLearnsTheExactLoss() {
        String n = names.next("lossy");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSY, 4096, 200);
             BroadcastPublisher p = ring.publisher(); BroadcastSubscriber s = ring.subscriber()) {
            ByteBuffer dst = ByteBuffer.allocate(200);
            assertTrue(p.offer(record(0, 100)));
            assertEquals(100, s.poll(dst));
            // 1000 records of 112 bytes (128 with the header, no padding): a lap holds 32 of them.
            for (int i = 1; i <= 1000; i++) {
                assertTrue(p.offer(record(i, 112)));
            }
            dst.clear();
            LappedException e = assertThrows(LappedException.class, () -> s.poll(dst));
            // Writing record 1000 destroyed record 968: 969..1000 are intact, 1..968 lost.
            assertEquals(968, e.lost(), e::getMessage);
            assertEquals(969, e.resumeSeq());
            long next = e.resumeSeq();
            for (;;) {
                dst.clear();
                int len = s.poll(dst);
                if (len < 0) {
                    break;
                }
                assertEquals(next++, check(dst, 0, len));
            }
            assertEquals(1001, next, "resumed at the oldest intact record and read to the end");
            assertEquals(e.lost(), s.lost());
        }
    }

    @Test
    void aHandlerNeverSeesALappedCopyAndTheCountIsExact() {
        String n = names.next("lossy-handler");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSY, 1 << 14, 500);
             BroadcastPublisher p = ring.publisher(); BroadcastSubscriber s = ring.subscriber()) {
            long expected = 0;
            long lost = 0;
            long seen = 0;
            java.util.Random rnd = new java.util.Random(42);
            long[] last = {-1};
            for (int i = 0; i < 20_000; i++) {
                p.offer(record(i, lengthOf(i, 500)));
                if (rnd.nextInt(10) == 0) {
                    try {
                        seen += s.read((b, off, len, seq) -> {
                            assertEquals(seq, check(b, off, len));
                            assertTrue(seq > last[0]);
                            last[0] = seq;
                        }, rnd.nextInt(50) + 1);
                    } catch (LappedException e) {
                        lost += e.lost();
                    }
                }
            }
            while (true) {
                try {
                    int k = s.read((b, off, len, seq) -> last[0] = seq, 1000);
                    if (k == 0) {
                        break;
                    }
                    seen += k;
                } catch (LappedException e) {
                    lost += e.lost();
                }
            }
            assertEquals(19_999, last[0]);
            assertEquals(20_000, seen + lost, "every record was either seen or counted lost");
            assertEquals(lost, s.lost());
        }
    }

    @Test
    void manySubscribersEachSeeEveryRecordInOrder() throws Exception {
        String n = names.next("many");
        int subs = 8;
        int count = 20_000;
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 1 << 14, 256);
             BroadcastPublisher p = ring.publisher()) {
            List<BroadcastSubscriber> all = new ArrayList<>();
            for (int i = 0; i < subs; i++) {
                all.add(ring.subscriber());
            }
            assertEquals(subs, ring.subscriberCount());
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            for (BroadcastSubscriber s : all) {
                Thread t = new Thread(() -> {
                    try {
                        long[] next = {0};
                        while (next[0] < count) {
                            s.read((b, off, len, seq) -> {
                                assertEquals(next[0], seq);
                                assertEquals(next[0]++, check(b, off, len));
                            }, 64, Duration.ofSeconds(10));
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (int i = 0; i < count; i++) {
                assertTrue(p.publish(record(i, lengthOf(i, 256)), Duration.ofSeconds(20)));
            }
            for (Thread t : threads) {
                t.join(20_000);
            }
            assertNull(failed.get());
            for (BroadcastSubscriber s : all) {
                assertEquals(count, s.received());
                s.close();
            }
            assertEquals(0, ring.subscriberCount());
        }
    }

    @Test
    void slotsJoinLeaveAndRunOut() {
        String n = names.next("slots");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSY, 4096, 100)) {
            List<BroadcastSubscriber> all = new ArrayList<>();
            for (int i = 0; i < BroadcastLayout.SLOT_COUNT; i++) {
                all.add(ring.subscriber());
            }
            assertThrows(LimitExceededException.class, ring::subscriber);
            int freed = all.get(17).slot();
            all.get(17).close();
            try (BroadcastSubscriber again = ring.subscriber()) {
                assertEquals(freed, again.slot(), "a left slot is taken again");
            }
            for (BroadcastSubscriber s : all) {
                s.close();
            }
            assertThrows(ClosedException.class, () -> all.get(0).poll(ByteBuffer.allocate(100)));
        }
    }

    @Test
    void closingTheRingReleasesItsSubscribersSlots() throws Exception {
        String n = names.next("close-releases");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 4096, 100);
             BroadcastPublisher p = ring.publisher()) {
            BroadcastRing other = BroadcastRing.open(n);
            BroadcastSubscriber s = other.subscriber(); // never closed itself
            int sent = 0;
            while (p.offer(record(sent, 100))) {
                sent++;
            }
            assertFalse(p.publish(record(sent, 100), Duration.ofMillis(20)), "held back by the subscriber");
            other.close();
            assertTrue(p.publish(record(sent, 100), Duration.ofSeconds(5)), "its slot was freed by the ring's close");
            assertThrows(ClosedException.class, () -> s.poll(ByteBuffer.allocate(100)));
            assertEquals(0, ring.subscriberCount());
        }
    }

    @Test
    void onePublisherAtATime() {
        String n = names.next("pub");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 4096, 100)) {
            BroadcastPublisher p = ring.publisher();
            assertThrows(BusyException.class, ring::publisher);
            p.close();
            try (BroadcastPublisher q = ring.publisher()) {
                assertTrue(q.offer(record(1, 50)));
            }
        }
    }

    @Test
    void aSleepingSubscriberIsWokenAndInterruptible() throws Exception {
        String n = names.next("sleep");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSY, 4096, 100);
             BroadcastPublisher p = ring.publisher(); BroadcastSubscriber s = ring.subscriber()) {
            ByteBuffer dst = ByteBuffer.allocate(100);
            long t0 = System.nanoTime();
            assertEquals(-1, s.poll(dst, Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - t0 >= 90_000_000L);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    result.set(s.take(ByteBuffer.allocate(100)));
                } catch (Throwable e) {
                    result.set(e);
                }
            });
            t.start();
            Thread.sleep(200); // asleep in FUTEX_WAIT by now
            assertTrue(p.offer(record(7, 60)));
            t.join(5000);
            assertEquals(60, result.get());
            Thread u = new Thread(() -> {
                try {
                    result.set(s.take(ByteBuffer.allocate(100)));
                } catch (Throwable e) {
                    result.set(e);
                }
            });
            u.start();
            Thread.sleep(200);
            u.interrupt();
            u.join(5000);
            assertInstanceOf(InterruptedException.class, result.get());
            // Closing the ring wakes a sleeper with ClosedException.
            Thread v = new Thread(() -> {
                try {
                    result.set(s.take(ByteBuffer.allocate(100)));
                } catch (Throwable e) {
                    result.set(e);
                }
            });
            v.start();
            Thread.sleep(200);
            ring.close();
            v.join(5000);
            assertInstanceOf(ClosedException.class, result.get());
        }
    }

    @Test
    void argumentsAreChecked() {
        String n = names.next("args");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 4096, 100);
             BroadcastPublisher p = ring.publisher(); BroadcastSubscriber s = ring.subscriber()) {
            assertThrows(InvalidArgumentException.class, () -> p.offer(null));
            assertThrows(InvalidArgumentException.class, () -> p.offer(ByteBuffer.allocate(101)));
            assertThrows(InvalidArgumentException.class, () -> p.publish(ByteBuffer.allocate(1), null));
            assertThrows(InvalidArgumentException.class, () -> s.poll(null));
            assertThrows(InvalidArgumentException.class, () -> s.read(null, 1));
            assertThrows(InvalidArgumentException.class, () -> s.read((b, o, l, q) -> { }, 0));
            assertTrue(p.offer(record(1, 80)));
            assertThrows(InvalidArgumentException.class, () -> s.poll(ByteBuffer.allocate(10)));
            assertEquals(80, s.poll(ByteBuffer.allocate(100)), "the too-long record stayed unread");
            assertTrue(p.offer(new byte[0], 0, 0));
            assertEquals(0, s.poll(ByteBuffer.allocate(0)));
        }
    }
}
