package dev.ipcj;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.broadcast.BroadcastMode;
import dev.ipcj.broadcast.BroadcastRing;
import dev.ipcj.broadcast.BroadcastSubscriber;
import dev.ipcj.jni.Bell;
import dev.ipcj.log.SharedLog;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Inbox;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingLayout;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One WaitSet over every kind of waitable object, fed by another JVM ({@link WaitSetPeer}).
 * The sets made here sleep at most 20 s between looks at their announced members (the system
 * property ipcj.waitset.bellSliceNanos), so a wake-up that does not come through the doorbell
 * shows as a wait of seconds and fails the latency bounds below.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WaitSetAnyTest {
    /** The bound on a doorbell wake-up: far below the 20 s slice, far above a loaded machine's noise. */
    private static final long WAKE_BOUND_NANOS = 3_000_000_000L;

    @RegisterExtension
    final IpcNames names = new IpcNames();

    private String oldSlice;

    @BeforeEach
    void longSlices() {
        oldSlice = System.getProperty("ipcj.waitset.bellSliceNanos");
        System.setProperty("ipcj.waitset.bellSliceNanos", "20000000000");
    }

    @AfterEach
    void restoreSlices() {
        if (oldSlice == null) {
            System.clearProperty("ipcj.waitset.bellSliceNanos");
        } else {
            System.setProperty("ipcj.waitset.bellSliceNanos", oldSlice);
        }
    }

    /** A started WaitSetPeer and a way to give it commands. */
    private static final class Peer implements AutoCloseable {
        final Process p;
        final OutputStream in;
        final long pid;

        Peer() throws IOException {
            p = Processes.startJava(WaitSetPeer.class);
            in = p.getOutputStream();
            String first = Processes.readLine(p);
            assertTrue(first.startsWith("ready "), first);
            pid = Long.parseLong(first.substring(6).trim());
        }

        void send(String command) throws IOException {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void call(String command) throws IOException {
            send(command);
            String r = Processes.readLine(p);
            assertEquals("ok", r, "peer's answer to " + command);
        }

        void kill() throws InterruptedException {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (p.isAlive()) {
                send("exit");
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }

    /** Sends {@code command} to the peer and waits for the set: exactly {@code expected} ready, within the bound. */
    private static void wakesFor(WaitSet ws, Peer peer, String command, Waitable expected) throws Exception {
        long t0 = System.nanoTime();
        peer.send(command);
        int n = ws.await(Duration.ofSeconds(30));
        long took = System.nanoTime() - t0;
        assertEquals("ok", Processes.readLine(peer.p), "peer's answer to " + command);
        assertEquals(1, n, "one member ready after " + command);
        assertSame(expected, ws.ready(0), "the member " + command + " fed");
        assertTrue(ws.isReadable(0));
        assertTrue(took < WAKE_BOUND_NANOS, command + " woke the set only after " + took / 1_000_000 + " ms");
    }

    /**
     * No polled member here (they would make the set look every 16 ms and hide a doorbell that
     * is never rung): System V is in the next test's second set.
     */
    @Test
    void ringAndMailboxesOnEveryTransportFedByAnotherJvmWakeTheSetForEach() throws Exception {
        String r = names.next("wsr");
        String mq = names.next("wsmq");
        String rg = names.next("wsrg");
        String lg = names.next("wslg");
        for (String n : new String[] {mq, rg, lg}) {
            names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        }
        try (SharedRing ring = SharedRing.create(r, RingVariant.ONE_TO_ONE, 4096, 64);
             RingConsumer consumer = ring.consumer();
             Mailbox boxMq = Mailbox.create(mq, Transport.POSIX_MQ, Capacity.bounded(4), 64);
             Mailbox boxRg = Mailbox.create(rg, Transport.RING, Capacity.bounded(4), 64);
             Mailbox boxLg = Mailbox.create(lg, Transport.SHM_LOG, Capacity.bounded(4), 64);
             WaitSet ws = new WaitSet();
             Peer peer = new Peer()) {
            ws.add(consumer, WaitSet.READABLE);
            ws.add(boxMq, WaitSet.READABLE);
            ws.add(boxRg, WaitSet.READABLE);
            ws.add(boxLg, WaitSet.READABLE);
            assertEquals(4, ws.size());
            assertEquals(0, ws.await(Duration.ofMillis(30)));

            for (int round = 0; round < 3; round++) {
                wakesFor(ws, peer, "ring " + r + " r" + round, consumer);
                assertEquals("r" + round, new String(consumer.poll(), StandardCharsets.UTF_8));
                wakesFor(ws, peer, "mbox " + rg + " g" + round, boxRg);
                assertEquals("g" + round, new String(boxRg.receive(Duration.ZERO).bytes(), StandardCharsets.UTF_8));
                wakesFor(ws, peer, "mbox " + lg + " l" + round, boxLg);
                assertEquals("l" + round, new String(boxLg.receive(Duration.ZERO).bytes(), StandardCharsets.UTF_8));
                wakesFor(ws, peer, "mbox " + mq + " m" + round, boxMq);
                assertEquals("m" + round, new String(boxMq.receive(Duration.ZERO).bytes(), StandardCharsets.UTF_8));
                assertEquals(0, ws.poll(), "everything was taken");
            }
        }
    }

    /** Announced members in one set, the polled ones (System V, semaphores) in another. */
    @Test
    void inboxSharedLogBroadcastSemaphoreSysvQueueAndAPlainDescriptor() throws Exception {
        String lg = names.next("wsl");
        String sv = names.next("wssv");
        names.onCleanup(() -> Mailbox.unlinkIfExists(sv));
        String bc = names.next("wsb");
        String sm = names.next("wss");
        int pid = (int) ProcessHandle.current().pid();
        int bellId = 0x7000_0000 + (int) (System.nanoTime() & 0xffff);
        int fd = Bell.open(pid, bellId); // any descriptor will do: this one another process can make readable
        assertTrue(fd >= 0, "bell socket: " + fd);
        SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE);
        names.onCleanup(q::remove);
        try (Inbox inbox = Inbox.create(Transport.RING, Capacity.bounded(4), 64);
             SharedLog log = SharedLog.create(lg, 8, 64);
             BroadcastRing b = BroadcastRing.create(bc, BroadcastMode.LOSSY, 4096, 64);
             BroadcastSubscriber sub = b.subscriber();
             NamedSemaphore sem = NamedSemaphore.create(sm, 0);
             Mailbox boxSv = Mailbox.create(sv, Transport.SYSTEM_V, Capacity.bounded(4), 64);
             WaitSet ws = new WaitSet();
             WaitSet polled = new WaitSet();
             Peer peer = new Peer()) {
            names.onCleanup(() -> Mailbox.unlinkIfExists(inbox.name()));
            Waitable plain = Waitable.ofDescriptor(fd, "bell socket");
            ws.add(inbox, WaitSet.READABLE);
            ws.add(log, WaitSet.READABLE);
            ws.add(sub, WaitSet.READABLE);
            ws.add(plain, WaitSet.READABLE);
            polled.add(sem, WaitSet.READABLE);
            polled.add(q, WaitSet.READABLE);
            polled.add(boxSv, WaitSet.READABLE);
            assertEquals(0, ws.await(Duration.ofMillis(30)));
            assertEquals(0, polled.await(Duration.ofMillis(30)));

            wakesFor(ws, peer, "mbox " + inbox.name() + " i", inbox);
            assertEquals("i", new String(inbox.receive(Duration.ZERO).bytes(), StandardCharsets.UTF_8));
            wakesFor(ws, peer, "log " + lg + " l", log);
            assertEquals(1, log.poll(new byte[8]));
            wakesFor(ws, peer, "bcast " + bc + " b", sub);
            assertEquals("b", new String(sub.poll(), StandardCharsets.UTF_8));
            wakesFor(ws, peer, "bell " + pid + " " + bellId, plain);
            assertEquals(1, Bell.drain(fd));
            assertEquals(0, ws.poll(), "everything was taken");
            wakesFor(polled, peer, "sem " + sm, sem); // polled: 16 ms at most once idle
            assertTrue(sem.tryAcquire());
            wakesFor(polled, peer, "sysv " + q.id() + " v", q);
            SysvMessage m = SysvMessage.allocate(16);
            assertTrue(q.receive(m, 0, SysvMessageQueue.NO_WAIT));
            wakesFor(polled, peer, "mbox " + sv + " s", boxSv);
            assertEquals("s", new String(boxSv.receive(Duration.ZERO).bytes(), StandardCharsets.UTF_8));
            assertEquals(0, polled.poll(), "everything was taken");
            ws.remove(plain);
        } finally {
            Bell.close(fd);
        }
    }

    /** Semaphores of a System V set and unnamed ones in shared memory: polled, readable while above 0. */
    @Test
    void semaphoreSetMembersAndUnnamedSemaphores() throws Exception {
        String shm = names.next("wsus");
        dev.ipcj.sysv.SemaphoreSet set = dev.ipcj.sysv.SemaphoreSet.create(IpcKey.PRIVATE, 3);
        names.onCleanup(set::remove);
        try (dev.ipcj.posix.SharedMemory mem = dev.ipcj.posix.SharedMemory.create(shm, 4096);
             MappedRegion region = mem.map();
             dev.ipcj.posix.UnnamedSemaphore us = dev.ipcj.posix.UnnamedSemaphore.init(region, 0, 0);
             WaitSet ws = new WaitSet();
             Peer peer = new Peer()) {
            Waitable two = set.waitable(2);
            ws.add(set.waitable(0), WaitSet.READABLE);
            ws.add(two, WaitSet.READABLE);
            ws.add(us, WaitSet.READABLE);
            assertThrows(IndexOutOfBoundsException.class, () -> set.waitable(3));
            assertEquals(0, ws.await(Duration.ofMillis(30)));
            wakesFor(ws, peer, "semset " + set.id() + " 2", two);
            assertEquals(1, ws.await(Duration.ofMillis(30)), "level: still above 0");
            assertTrue(set.tryApply(2, -1, 0));
            assertEquals(0, ws.poll());
            wakesFor(ws, peer, "usem " + shm, us);
            assertTrue(us.tryAcquire());
            assertEquals(0, ws.poll());
            assertThrows(InvalidArgumentException.class, () -> {
                try (WaitSet other = new WaitSet()) {
                    other.add(us, WaitSet.WRITABLE);
                }
            });
        }
    }

    @Test
    void levelTriggeredRingReadableAndWritable() throws Exception {
        String r = names.next("wsl");
        try (SharedRing ring = SharedRing.create(r, RingVariant.ONE_TO_ONE, 4096, 1000);
             RingConsumer c = ring.consumer();
             RingProducer p = ring.producer();
             WaitSet ws = new WaitSet()) {
            ws.add(c, WaitSet.READABLE);
            ws.add(p, WaitSet.WRITABLE);
            assertEquals(1, ws.poll());
            assertSame(p, ws.ready(0), "an empty ring is writable, not readable");
            assertTrue(ws.isWritable(p));
            ws.remove(p);
            assertEquals(0, ws.await(Duration.ofMillis(20)));
            assertTrue(p.offer(new byte[] {1}));
            assertTrue(p.offer(new byte[] {2}));
            for (int i = 0; i < 3; i++) {
                assertEquals(1, ws.await(Duration.ofSeconds(1)), "still readable: nothing was taken");
                assertTrue(ws.isReadable(c));
            }
            assertNotNull(c.poll());
            assertEquals(1, ws.poll(), "one record is left");
            assertNotNull(c.poll());
            assertEquals(0, ws.await(Duration.ofMillis(20)));
            // Fill the ring until a record of maxRecordLength no longer fits: not writable.
            ws.add(p, WaitSet.WRITABLE);
            byte[] big = new byte[1000];
            while (p.offer(big)) {
                // fill
            }
            assertEquals(1, ws.await(Duration.ofMillis(20)));
            assertSame(c, ws.ready(0), "full: readable, not writable");
            ws.remove(c);
            assertEquals(0, ws.await(Duration.ofMillis(20)), "full: not writable");
            assertThrows(InvalidArgumentException.class, () -> ws.modify(p, WaitSet.READABLE));
            c.poll();
            assertEquals(1, ws.await(Duration.ofSeconds(1)), "room again");
            assertTrue(ws.isWritable(p));
            assertFalse(ws.isReadable(p));
            assertThrows(InvalidArgumentException.class, () -> {
                try (WaitSet other = new WaitSet()) {
                    other.add(c, WaitSet.WRITABLE);
                }
            });
        }
    }

    @Test
    void timeoutsEndByTheirDeadline() throws Exception {
        String r = names.next("wst");
        String sm = names.next("wsts");
        SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE);
        names.onCleanup(q::remove);
        try (SharedRing ring = SharedRing.create(r, RingVariant.MANY_TO_ONE, 4096, 64);
             RingConsumer c = ring.consumer();
             NamedSemaphore sem = NamedSemaphore.create(sm, 0);
             WaitSet ws = new WaitSet()) {
            ws.add(c, WaitSet.READABLE);
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                assertEquals(0, ws.await(Duration.ofMillis(300)));
                long took = System.nanoTime() - t0;
                assertTrue(took >= 300_000_000L, "returned early: " + took);
                assertTrue(took < 2_000_000_000L, "returned late: " + took);
                if (round == 0) {
                    ws.add(sem, WaitSet.READABLE); // polled members from the second round on
                    ws.add(q, WaitSet.READABLE);
                }
            }
        }
    }

    @Test
    void closingAMemberWhileWaitingDropsItAndTheWaitGoesOn() throws Exception {
        System.setProperty("ipcj.waitset.bellSliceNanos", "100000000"); // the drop comes within a slice
        String r = names.next("wsc");
        String n = names.next("wscm");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        try (SharedRing ring = SharedRing.create(r, RingVariant.ONE_TO_ONE, 4096, 64);
             RingConsumer c = ring.consumer();
             Mailbox box = Mailbox.create(n, Transport.RING, Capacity.bounded(4), 64);
             WaitSet ws = new WaitSet()) {
            ws.add(c, WaitSet.READABLE);
            ws.add(box, WaitSet.READABLE);
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                c.close();
            });
            closer.start();
            long t0 = System.nanoTime();
            assertEquals(0, ws.await(Duration.ofMillis(800)));
            assertTrue(System.nanoTime() - t0 >= 800_000_000L);
            closer.join();
            assertEquals(1, ws.size(), "the closed consumer was dropped");
            assertFalse(ws.members().contains(c));
            assertThrows(ClosedException.class, () -> ws.add(c, WaitSet.READABLE));
            box.send(new byte[] {1});
            assertEquals(1, ws.await(Duration.ofSeconds(1)));
            assertSame(box, ws.ready(0));
        }
    }

    @Test
    void killingTheWakerLeavesTheSetWorking() throws Exception {
        String r = names.next("wskw");
        try (SharedRing ring = SharedRing.create(r, RingVariant.ONE_TO_ONE, 4096, 64);
             RingConsumer c = ring.consumer();
             WaitSet ws = new WaitSet()) {
            ws.add(c, WaitSet.READABLE);
            Peer first = new Peer();
            wakesFor(ws, first, "ring " + r + " a", c);
            first.kill(); // holding the producer slot
            assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), c.poll());
            assertEquals(0, ws.await(Duration.ofMillis(50)));
            try (Peer second = new Peer()) { // takes over the dead producer's slot
                wakesFor(ws, second, "ring " + r + " b", c);
                assertArrayEquals("b".getBytes(StandardCharsets.UTF_8), c.poll());
            }
        }
    }

    @Test
    void killingTheWaitSetProcessLeavesSendersAndOtherSetsWorking() throws Exception {
        String n = names.next("wskp");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        try (Mailbox box = Mailbox.create(n, Transport.RING, Capacity.bounded(64), 64)) {
            Peer waiter = new Peer();
            waiter.send("wait-mailbox " + n);
            assertEquals("waiting", Processes.readLine(waiter.p));
            long bell = slotOf(n, waiter.pid);
            assertNotEquals(0, bell, "the waiting process registered its doorbell in the ring's table");
            box.send(new byte[] {1});
            assertEquals("woken", Processes.readLine(waiter.p), "the other process's set woke");
            waiter.kill();
            assertEquals(bell, slotOf(n, waiter.pid), "a killed set leaves its slot");

            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                box.send(new byte[] {2}); // at most the first finds the dead bell (ECONNREFUSED) and frees its slot
            }
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "sends slowed by the dead set");
            while (box.receive(Duration.ZERO) != null) {
                // drain
            }
            try (WaitSet ws = new WaitSet(); Peer sender = new Peer()) {
                ws.add(box, WaitSet.READABLE);
                assertEquals(0, slotOf(n, waiter.pid), "the slot of the dead set was freed");
                wakesFor(ws, sender, "mbox " + n + " x", box);
            }
        }
    }

    /** The read-side bell slot of the mailbox's ring that belongs to {@code pid}, or 0. */
    private static long slotOf(String mailbox, long pid) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile("/dev/shm" + mailbox + ".ring", "r")) {
            byte[] b = new byte[64];
            f.seek(RingLayout.READ_BELLS_OFFSET);
            f.readFully(b);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            for (int i = 0; i < RingLayout.BELL_SLOTS; i++) {
                long v = bb.getLong(8 * i);
                if ((int) v == (int) pid) {
                    return v;
                }
            }
            return 0;
        }
    }
}
