package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same behaviour, on every transport in this build, across real processes: naming
 * (indirect and direct, sender pids, selective receive), synchronization (blocking,
 * non-blocking, timeouts, interrupts that lose nothing) and buffering (zero, bounded,
 * unbounded or refused), messages as bytes, buffers and codecs. Every kernel object and
 * file is removed after each test, whether it passed or not.
 */
@org.junit.jupiter.api.Timeout(60)
class MessagingTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    static final int PID = (int) ProcessHandle.current().pid();

    static Stream<Transport> transports() {
        return Stream.of(Transport.values()).filter(Transport::isLocal).filter(Transport::isAvailable);
    }

    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A fresh mailbox name whose objects are removed after the test. Not one of IpcNames' names:
     * those are shm_unlink()ed first, which would remove the header that holds a System V id.
     */
    private String name(String what) {
        String n = "/" + IpcNames.PREFIX + PID + "-msg" + COUNTER.incrementAndGet() + "-" + what;
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        return n;
    }

    /** System V queues this JVM last sent to that still exist (/proc/sysvipc/msg, column lspid). */
    static List<String> sysvQueuesSentToByThisJvm() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc/msg"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 6 && f[5].equals(Integer.toString(PID))) {
                out.add("msqid " + f[1]);
            }
        }
        return out;
    }

    @org.junit.jupiter.api.AfterAll
    static void noSystemVQueueLeft() throws IOException {
        assertEquals(List.of(), sysvQueuesSentToByThisJvm(), "System V queues left behind");
    }

    /** Files of {@code name} left in /dev/shm (header, log, semaphores, ring). */
    static List<String> leftovers(String name) throws IOException {
        String base = name.substring(1);
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            s.map(p -> p.getFileName().toString())
                    .filter(f -> f.equals(base) || f.startsWith(base + ".") || f.startsWith("sem." + base))
                    .forEach(out::add);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void indirectNamingAcrossProcessesSurvivesTheSendersExit(Transport t) throws Exception {
        String n = name("ind");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(8), 256)) {
            Process child = Processes.startJava(MsgPeer.class, "send", n, "5");
            long childPid = child.pid();
            assertEquals("sent", Processes.finish(child, 30).trim());
            // The sender has exited; its messages are in the mailbox, not in its (gone) heap.
            assertEquals(5, box.pending());
            for (int i = 0; i < 5; i++) {
                Message m = box.receive(Duration.ofSeconds(5));
                assertNotNull(m, "message " + i);
                assertEquals("m" + i, m.text());
                assertEquals(childPid, m.sender());
                assertEquals(i, m.sequence());
            }
            assertNull(box.tryReceive());
            assertEquals(t, Mailbox.open(n).transport());
        }
        long sysvId = t == Transport.SYSTEM_V ? MailboxHeader.readForRemoval(n).id1 : -1;
        Mailbox.unlink(n);
        assertEquals(List.of(), leftovers(n));
        assertThrows(NotFoundException.class, () -> Mailbox.open(n));
        assertFalse(Mailbox.unlinkIfExists(n), "unlink left an object of the mailbox behind (a POSIX mq, a ring...)");
        if (sysvId >= 0) {
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/msg"))) {
                String[] f = line.trim().split("\\s+");
                assertNotEquals(Long.toString(sysvId), f[1], "the System V queue was left behind");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aBlockedReceiverInAnotherProcessIsWokenBySend(Transport t) throws Exception {
        String n = name("wake");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 64)) {
            Process child = Processes.startJava(MsgPeer.class, "recv", n, "3", "0");
            assertEquals("ready", Processes.readLine(child));
            Thread.sleep(50); // let it block in receive
            for (int i = 0; i < 3; i++) {
                box.send(("x" + i).getBytes());
            }
            String out = Processes.finish(child, 30);
            for (int i = 0; i < 3; i++) {
                assertTrue(out.contains("got x" + i + " from " + PID + " seq " + i), out);
            }
        }
    }

    /**
     * A full sender in another process sleeps on the space doorbell and is woken by each take,
     * not by the end of its sleep (10 ms and up): 300 messages through bounded(1) take far less
     * than the 3 s of slices a doorbell that never rang would cost.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"RING", "SYSTEM_V"})
    void aFullSenderInAnotherProcessIsWokenByEachTake(Transport t) throws Exception {
        String n = name("full");
        int count = 300;
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(1), 64)) {
            Process child = Processes.startJava(MsgPeer.class, "send", n, Integer.toString(count));
            Message first = box.receive(Duration.ofSeconds(30));
            assertNotNull(first, "the sender started");
            long t0 = System.nanoTime();
            for (int i = 1; i < count; i++) {
                Message m = box.receive(Duration.ofSeconds(10));
                assertNotNull(m, "message " + i);
                assertEquals("m" + i, m.text());
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Processes.finish(child, 30);
            assertTrue(ms < 2_000, (count - 1) + " handoffs through bounded(1) took " + ms + " ms: the full sender "
                    + "slept out its slices instead of being woken");
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void nonBlockingCallsAndTimeouts(Transport t) throws Exception {
        String n = name("nb");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(2), 64)) {
            assertNull(box.tryReceive());
            long t0 = System.nanoTime();
            assertNull(box.receive(Duration.ofMillis(40)));
            assertTrue(System.nanoTime() - t0 >= 35_000_000L, "receive returned before its timeout");
            assertTrue(box.trySend("a", Codec.UTF8));
            assertTrue(box.trySend("b", Codec.UTF8));
            assertFalse(box.trySend("c", Codec.UTF8), "bounded(2) took a third message");
            t0 = System.nanoTime();
            assertFalse(box.send("c", Codec.UTF8, Duration.ofMillis(40)));
            assertTrue(System.nanoTime() - t0 >= 35_000_000L, "send returned before its timeout");
            assertEquals(2, box.pending());
            assertEquals("a", box.tryReceive().text());
            assertTrue(box.send("c", Codec.UTF8, Duration.ofSeconds(1)));
            assertEquals("b", box.receive(Duration.ofSeconds(1)).text());
            assertEquals("c", box.receive().text());
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void interruptsThrowAndLoseNothing(Transport t) throws Exception {
        String n = name("int");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(1), 64)) {
            // A receiver blocked on an empty mailbox.
            Throwable r = interruptWhileBlocked(() -> box.receive());
            assertInstanceOf(InterruptedException.class, r);
            box.send("kept".getBytes());
            assertEquals("kept", box.receive(Duration.ofSeconds(1)).text(), "the message after an interrupt was lost");
            // A sender blocked on a full mailbox.
            box.send("first".getBytes());
            Throwable s = interruptWhileBlocked(() -> box.send("second".getBytes()));
            assertInstanceOf(InterruptedException.class, s);
            assertEquals(1, box.pending());
            assertEquals("first", box.receive(Duration.ofSeconds(1)).text());
            assertNull(box.tryReceive(), "the interrupted send delivered its message anyway");
        }
    }

    interface Blocking {
        void run() throws Exception;
    }

    private static Throwable interruptWhileBlocked(Blocking call) throws InterruptedException {
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread th = new Thread(() -> {
            started.countDown();
            try {
                call.run();
                outcome.set(new AssertionError("returned instead of blocking"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        th.start();
        started.await();
        Thread.sleep(100);
        th.interrupt();
        th.join(5000);
        assertFalse(th.isAlive(), "interrupt did not wake the blocked call");
        return outcome.get();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void zeroCapacityIsARendezvousAcrossProcesses(Transport t) throws Exception {
        String n = name("rv");
        try (Mailbox box = Mailbox.create(n, t, Capacity.zero(), 64)) {
            // No receiver: a send cannot complete, and takes its message back.
            assertFalse(box.trySend("nobody".getBytes()));
            assertFalse(box.send("nobody".getBytes(), Duration.ofMillis(30)));
            assertNull(box.tryReceive(), "a failed rendezvous left its message behind");
            // A receiver that starts receiving 300 ms after it is ready.
            Process child = Processes.startJava(MsgPeer.class, "recv", n, "2", "300");
            assertEquals("ready", Processes.readLine(child));
            long t0 = System.nanoTime();
            box.send("hello".getBytes());
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= 250_000_000L, "send returned after " + waited / 1_000_000
                    + " ms, before the receiver took the message");
            assertTrue(box.send("again".getBytes(), Duration.ofSeconds(10)));
            String out = Processes.finish(child, 30);
            assertTrue(out.contains("got hello from " + PID), out);
            assertTrue(out.contains("got again from " + PID), out);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void unboundedNeverBlocksOrIsRefusedNamingTheTransportThatCan(Transport t) throws Exception {
        String n = name("unb");
        if (t != Transport.SHM_LOG) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> Mailbox.create(n, t, Capacity.unbounded(), 64));
            assertTrue(e.getMessage().contains("Transport.SHM_LOG gives Capacity.unbounded()"), e.getMessage());
            assertEquals(List.of(), leftovers(n));
            return;
        }
        int count = 5000;
        try (Mailbox box = Mailbox.create(n, t, Capacity.unbounded(), 512)) {
            ByteBuffer b = ByteBuffer.allocateDirect(512);
            for (int i = 0; i < count; i++) {
                b.clear();
                b.putInt(i).position(512).flip();
                assertTrue(box.trySend(b), "an unbounded send would block at message " + i);
            }
            assertEquals(count, box.pending());
            Envelope env = new Envelope();
            for (int i = 0; i < count; i++) {
                b.clear();
                assertTrue(box.tryReceive(b, env));
                assertEquals(512, env.length());
                assertEquals(i, b.getInt(0));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void directNamingSendsByPidOrNameAndReceivesFromOneSender(Transport t) throws Exception {
        String reg = names.next("reg").substring(1);
        try (Inbox inbox = Inbox.create(t, Capacity.bounded(8), 128).register(reg)) {
            names.onCleanup(inbox::close);
            assertEquals(PID, Inbox.lookup(reg));
            Process child = Processes.startJava(MsgPeer.class, "sendto", reg, "2");
            long childPid = child.pid();
            assertEquals("sent", Processes.finish(child, 30).trim());
            try (Mailbox self = Mailbox.toProcess(PID)) {
                self.send("a0", Codec.UTF8);
                assertThrows(InvalidArgumentException.class, self::tryReceive, "a send handle received");
            }
            // b0 and b1 arrived first, but a receive from this process selects a0.
            Message a = inbox.receiveFrom(PID, Duration.ofSeconds(5));
            assertEquals("a0", a.text());
            assertEquals(PID, a.sender());
            assertNull(inbox.tryReceiveFrom(PID));
            Message b0 = inbox.receive(Duration.ofSeconds(5));
            assertEquals("b0", b0.text());
            assertEquals(childPid, b0.sender());
            assertEquals("b1", inbox.receiveFrom(childPid, Duration.ofSeconds(5)).text());
            assertNull(inbox.tryReceive());
            // A name is held by one live process.
            assertThrows(AlreadyExistsException.class, () -> Inbox.create(t, Capacity.bounded(1), 8));
            // The child has exited: it has no inbox.
            NotFoundException e = assertThrows(NotFoundException.class, () -> Mailbox.toProcess(childPid));
            assertTrue(e.getMessage().contains("process " + childPid), e.getMessage());
        }
        assertThrows(NotFoundException.class, () -> Inbox.lookup(reg));
        assertEquals(List.of(), leftovers(dev.ipcj.internal.IpcjNames.inbox(PID)));
        assertFalse(Files.exists(Path.of("/dev/shm/ipcj-name." + reg)));
    }

    record Point(int x, int y) {
    }

    static final Codec<Point> POINT = Codec.of((p, b) -> b.putInt(p.x()).putInt(p.y()),
            b -> new Point(b.getInt(), b.getInt()));

    @ParameterizedTest
    @MethodSource("transports")
    void bytesBuffersCodecsAndSizeLimits(Transport t) throws Exception {
        String n = name("codec");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 64)) {
            LimitExceededException big = assertThrows(LimitExceededException.class, () -> box.send(new byte[65]));
            assertTrue(big.getMessage().contains("message of 65 bytes > the mailbox's maxMessageSize 64"), big.getMessage());
            assertThrows(LimitExceededException.class, () -> box.send("x".repeat(65), Codec.UTF8));

            box.send(new Point(3, -4), POINT);
            assertEquals(new Point(3, -4), box.receive().decode(POINT));

            // A heap buffer's position advances on send, like a channel write.
            ByteBuffer heap = ByteBuffer.wrap("0123456789abcdefghij".getBytes());
            box.send(heap);
            assertFalse(heap.hasRemaining());
            // Too small a destination: the message is kept for the next receive.
            ByteBuffer small = ByteBuffer.allocate(8);
            Envelope env = new Envelope();
            LimitExceededException e = assertThrows(LimitExceededException.class,
                    () -> box.receive(small, env, Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("a message of 20 bytes does not fit the 8 bytes"), e.getMessage());
            assertEquals(0, small.position());
            ByteBuffer enough = ByteBuffer.allocate(20);
            assertTrue(box.receive(enough, env, Duration.ofSeconds(1)));
            assertEquals("0123456789abcdefghij", new String(enough.array()));
            assertEquals(PID, env.sender());
            assertEquals(20, env.length());

            box.send(new byte[0]);
            Message empty = box.receive(Duration.ofSeconds(1));
            assertEquals(0, empty.length());
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void badNamesAndExclusiveCreate(Transport t) throws Exception {
        String n = name("excl");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(1), 8)) {
            assertThrows(AlreadyExistsException.class, () -> Mailbox.create(n, t, Capacity.bounded(1), 8));
            assertTrue(box.isOpen());
        }
        assertThrows(InvalidArgumentException.class, () -> Mailbox.create("noslash", t, Capacity.bounded(1), 8));
        assertThrows(InvalidArgumentException.class, () -> Mailbox.create("/a/b", t, Capacity.bounded(1), 8));
        assertThrows(NotFoundException.class, () -> Mailbox.open(names.next("absent")));
    }
}
