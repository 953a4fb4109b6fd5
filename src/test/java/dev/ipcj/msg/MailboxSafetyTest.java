package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One regression test per finding of issue 10 in the messaging layer: truncated objects, capacity
 * leaked by kills, locks and rendezvous words that stretch deadlines or lie, cleanup that removes
 * other objects, headers that are huge or scribbled, file modes, other users, foreign frames,
 * durations and nulls. Each failed on the code before the fix (the commit that added it says how).
 */
@org.junit.jupiter.api.Timeout(120)
class MailboxSafetyTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    static final int PID = (int) ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static Stream<Transport> transports() {
        return Stream.of(Transport.values()).filter(Transport::isLocal); // AERON: NetMailboxTest
    }

    /** A mailbox name whose objects are removed after the test (see MessagingTest#name). */
    String name(String what) {
        String n = "/" + IpcNames.PREFIX + PID + "-safe" + COUNTER.incrementAndGet() + "-" + what;
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        return n;
    }

    static Path shm(String name) {
        return Path.of("/dev/shm", name.substring(1));
    }

    /** Writes {@code value} (native order) at {@code offset} of the file, as a hostile process would. */
    static void poke(Path file, int offset, long value, int size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        if (size == 8) {
            b.putLong(value);
        } else if (size == 4) {
            b.putInt((int) value);
        } else if (size == 1) {
            b.put((byte) value);
        } else {
            b.putShort((short) value);
        }
        b.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(b, offset);
        }
    }

    static long peek(Path file, int offset, int size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(b, offset);
        }
        b.flip();
        return size == 8 ? b.getLong() : size == 4 ? b.getInt() : b.getShort();
    }

    // ------------------------------------------------------------ 3: truncation across processes

    /**
     * A second process truncates the log's state page and segments, then the mailbox header,
     * while this mailbox is mapped in a child that sends and receives on it: the child must see
     * CorruptedException, never die of SIGBUS, and never see an untyped exception.
     */
    @ParameterizedTest
    @MethodSource("truncationCases")
    void truncatingAMappedObjectIsCorruptionNotACrash(Transport t, int capacity, String victim, boolean guard)
            throws Exception {
        String n = name("trunc");
        try (Mailbox box = Mailbox.create(n, t, capacity == 0 ? Capacity.zero() : Capacity.bounded(capacity), 64)) {
            Process child = startJava(List.of("-Dipcj.faultGuard=" + guard), MsgPeer.class, "hammer", n, "1500");
            assertEquals("ready", Processes.readLine(child));
            Thread.sleep(300);
            int id = Wreckage.sysvId(n); // the header, truncated below, is the only record of it
            names.onCleanup(() -> Wreckage.remove(n, id));
            for (Path p : victims(n, victim)) {
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                    f.setLength(0);
                }
            }
            String out = Processes.waitFor(child, 60);
            assertEquals(0, child.exitValue(), "the child died (SIGBUS?):\n" + out);
            assertTrue(out.contains("done"), out);
            assertFalse(out.contains("UNTYPED"), out);
            assertTrue(out.contains("seen CorruptedException"), out);
        }
    }

    /** Each case with ipcj's fault guard (the default) and without it (the JVM's own reports). */
    static Stream<org.junit.jupiter.params.provider.Arguments> truncationCases() {
        List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
        for (boolean guard : new boolean[] {true, false}) {
            out.add(org.junit.jupiter.params.provider.Arguments.of(Transport.SHM_LOG, 4, "log", guard));
            out.add(org.junit.jupiter.params.provider.Arguments.of(Transport.SHM_LOG, 4, "segments", guard));
            out.add(org.junit.jupiter.params.provider.Arguments.of(Transport.POSIX_MQ, 0, "header", guard));
            out.add(org.junit.jupiter.params.provider.Arguments.of(Transport.SYSTEM_V, 4, "header", guard));
            out.add(org.junit.jupiter.params.provider.Arguments.of(Transport.RING, 0, "header", guard));
        }
        return out.stream();
    }

    /** A JVM running {@code main} with extra flags, killed after the test (IpcNames' cleanups). */
    Process startJava(List<String> flags, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/tmp/ipcj-test-hs_err_%p.log"));
        cmd.addAll(flags);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        names.onCleanup(p::destroyForcibly);
        return p;
    }

    private static List<Path> victims(String n, String victim) throws Exception {
        List<Path> out = new ArrayList<>();
        String base = n.substring(1);
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            s.filter(p -> {
                String f = p.getFileName().toString();
                switch (victim) {
                    case "log":
                        return f.equals(base + ".log");
                    case "segments":
                        return f.startsWith(base + ".log.");
                    default:
                        return f.equals(base);
                }
            }).forEach(out::add);
        }
        assertFalse(out.isEmpty(), "nothing to truncate for " + victim);
        return out;
    }

    // ------------------------------------------------------------ 6: capacity leaked by kills

    /** A sender killed while it waits in a rendezvous (holding the mailbox's turn) must not block the mailbox. */
    @ParameterizedTest
    @MethodSource("transports")
    void aRendezvousSenderKilledWhileWaitingLeavesTheMailboxUsable(Transport t) throws Exception {
        String n = name("rvkill");
        try (Mailbox box = Mailbox.create(n, t, Capacity.zero(), 64)) {
            Process child = Processes.startJava(MsgPeer.class, "rvsend", n);
            assertEquals("ready", Processes.readLine(child));
            Thread.sleep(300); // it holds the turn and waits for a receiver
            child.destroyForcibly();
            child.waitFor();
            AtomicReference<Message> got = new AtomicReference<>();
            Thread receiver = new Thread(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        Message m = box.receive(Duration.ofSeconds(5));
                        if (m != null && m.text().equals("after")) {
                            got.set(m);
                            return;
                        }
                    }
                } catch (Exception e) {
                    // reported by the assertion below
                }
            });
            receiver.start();
            assertTrue(box.send("after".getBytes(), Duration.ofSeconds(5)),
                    "the killed sender's turn blocks the mailbox");
            receiver.join(10_000);
            assertNotNull(got.get());
        }
    }

    /**
     * Senders killed at random while a receiver drains: afterwards exactly n messages fit in the
     * bounded(n) mailbox and the n+1-th is refused.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void sendersKilledAtRandomLeakNoCapacity(Transport t) throws Exception {
        String n = name("capkill");
        int cap = 4;
        Random rnd = new Random(Long.getLong("ipcj.adversarial.seed", 1L) + t.ordinal());
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(cap), 64)) {
            for (int k = 0; k < 12; k++) {
                Process child = Processes.startJava(MsgPeer.class, "sendloop", n, "32");
                assertEquals("ready", Processes.readLine(child));
                long end = System.nanoTime() + (5 + rnd.nextInt(40)) * 1_000_000L;
                while (System.nanoTime() < end) {
                    box.receive(Duration.ofMillis(1));
                }
                child.destroyForcibly();
                child.waitFor();
            }
            while (box.receive(Duration.ofMillis(50)) != null) {
                // drain what the dead senders left
            }
            for (int i = 0; i < cap; i++) {
                assertTrue(box.send(new byte[8], Duration.ofSeconds(2)), "capacity leaked: message " + i
                        + " of bounded(" + cap + ") did not fit");
            }
            assertFalse(box.trySend(new byte[8]), "bounded(" + cap + ") took " + (cap + 1) + " messages");
        }
    }

    // ------------------------------------------------------------ 7: a timed call under a held lock

    /** The log's lock word names a live process that never lets go: send(50 ms) returns by its deadline. */
    @Test
    void aLockHeldByALiveProcessDoesNotStretchATimedSend() throws Exception {
        String n = name("lock");
        Process holder = new ProcessBuilder("sleep", "60").start();
        try (Mailbox box = Mailbox.create(n, Transport.SHM_LOG, Capacity.bounded(4), 64)) {
            Layout.holdLogLock(shm(n + ".log"), (int) holder.pid());
            long t0 = System.nanoTime();
            boolean sent = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try {
                    return box.send("x".getBytes(), Duration.ofMillis(50));
                } catch (IpcException e) {
                    return false;
                }
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(sent);
            assertTrue(ms < 1000, "send(50 ms) took " + ms + " ms");
            t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try {
                    return box.receive(Duration.ofMillis(50));
                } catch (IpcException e) {
                    return null;
                }
            });
            ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1000, "receive(50 ms) took " + ms + " ms");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }

    // ------------------------------------------------------------ 8: a scribbled rendezvous word

    /**
     * While a rendezvous send waits, another process overwrites the rendezvous word: the send
     * returns by its deadline, and it never reports success for a message no receiver took.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aScribbledRendezvousWordNeverMakesASendLie(Transport t) throws Exception {
        String n = name("rvword");
        Random rnd = new Random(42);
        try (Mailbox box = Mailbox.create(n, t, Capacity.zero(), 64)) {
            for (int trial = 0; trial < 4; trial++) {
                long garbage = trial == 0 ? 1 : trial == 1 ? 2 : rnd.nextLong();
                Thread scribbler = new Thread(() -> {
                    try {
                        Thread.sleep(10);
                        Layout.scribbleRendezvous(shm(n), garbage);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                scribbler.start();
                long t0 = System.nanoTime();
                Object r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                    try {
                        return box.send(("m" + garbage).getBytes(), Duration.ofMillis(60));
                    } catch (CorruptedException e) {
                        return e;
                    }
                });
                scribbler.join();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 2000, "send(60 ms) took " + ms + " ms after the word was set to " + garbage);
                assertNotEquals(Boolean.TRUE, r, "the send reported success, but no receiver took the message"
                        + " (word set to " + garbage + ")");
                // Nobody received: whatever is left in the queue is discarded, never delivered.
                try {
                    Message m = box.tryReceive();
                    assertNull(m, "a failed rendezvous delivered its message later");
                } catch (CorruptedException expected) {
                    // also fine: the word is garbage
                }
            }
        }
    }

    // ------------------------------------------------------------ 9, 10, 11: cleanup and headers

    /** Mailbox.create fails on a foreign object of the name it needs, and removes nothing of it. */
    @ParameterizedTest
    @MethodSource("transports")
    void aFailingCreateRemovesNoForeignObject(Transport t) throws Exception {
        String n = name("foreign");
        Runnable check;
        switch (t) {
            case POSIX_MQ: {
                MessageQueue mq = MessageQueue.create(n, 2, 32);
                names.onCleanup(() -> MessageQueue.unlinkIfExists(n));
                mq.close();
                check = () -> MessageQueue.open(n).close();
                break;
            }
            case RING: {
                SharedRing r = SharedRing.create(n + ".ring", RingVariant.ONE_TO_ONE, 4096, 64);
                names.onCleanup(() -> SharedRing.unlinkIfExists(n + ".ring"));
                r.close();
                check = () -> SharedRing.open(n + ".ring").close();
                break;
            }
            case SHM_LOG: {
                SharedMemory s = SharedMemory.create(n + ".log", 4096);
                names.onCleanup(() -> SharedMemory.unlinkIfExists(n + ".log"));
                s.close();
                check = () -> SharedMemory.open(n + ".log").close();
                break;
            }
            default: {
                // A System V mailbox needs no name but its header: a foreign file of that name.
                SharedMemory s = SharedMemory.create(n, 4096);
                s.close();
                names.onCleanup(() -> SharedMemory.unlinkIfExists(n));
                check = () -> SharedMemory.open(n).close();
            }
        }
        assertThrows(AlreadyExistsException.class, () -> Mailbox.create(n, t, Capacity.bounded(2), 16));
        check.run(); // still there
        if (t == Transport.SYSTEM_V) {
            assertThrows(IpcException.class, () -> Mailbox.unlinkIfExists(n), "removed a foreign shm object");
            check.run();
        }
    }

    /** unlinkIfExists takes no glob: "/P-a-*" removes nothing of "/P-a-1". */
    @ParameterizedTest
    @MethodSource("transports")
    void unlinkIfExistsExpandsNoGlob(Transport t) throws Exception {
        String n = name("g-1");
        String glob = n.substring(0, n.length() - 1) + "*";
        names.onCleanup(() -> {
            try {
                Mailbox.unlinkIfExists(glob);
            } catch (IpcException e) {
                // refused: fine
            }
        });
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(2), 16)) {
            box.send("kept".getBytes());
            List<String> before = MessagingTest.leftovers(n);
            try {
                assertFalse(Mailbox.unlinkIfExists(glob));
            } catch (InvalidArgumentException refused) {
                // also fine
            }
            assertEquals(before, MessagingTest.leftovers(n));
            try (Mailbox again = Mailbox.open(n)) {
                assertEquals("kept", again.receive(Duration.ofSeconds(1)).text());
            }
        }
    }

    /** A header whose System V id was overwritten with another queue's: unlink leaves that queue alone. */
    @Test
    void aScribbledSystemVIdRemovesNoForeignQueue() throws Exception {
        String n = name("sysvid");
        SysvMessageQueue foreign = SysvMessageQueue.create(IpcKey.PRIVATE);
        names.onCleanup(() -> {
            try {
                foreign.remove();
            } catch (IpcException e) {
                // already gone
            }
        });
        int own;
        try (Mailbox box = Mailbox.create(n, Transport.SYSTEM_V, Capacity.bounded(2), 16)) {
            own = Layout.sysvId(shm(n));
            names.onCleanup(() -> {
                try (SysvMessageQueue q = SysvMessageQueue.ofId(own)) {
                    q.remove();
                } catch (IpcException e) {
                    // removed by the unlink
                }
            });
        }
        for (boolean fixChecksum : new boolean[] {false, true}) {
            Layout.setSysvId(shm(n), foreign.id());
            if (fixChecksum) {
                Layout.fixChecksum(shm(n)); // a scribbler that knows the format
            }
            try {
                Mailbox.unlinkIfExists(n);
            } catch (IpcException e) {
                // refusing is fine: it must not remove the foreign queue
            }
            foreign.stat(); // throws if it was removed
        }
    }

    /**
     * Another mailbox's header copied over this one's (a swap): unlink and open refuse it, and
     * nothing of the other mailbox is removed.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aHeaderCopiedFromAnotherMailboxRemovesNothingOfThatMailbox(Transport t) throws Exception {
        String a = name("swapa");
        String b = name("swapb");
        try (Mailbox boxA = Mailbox.create(a, t, Capacity.bounded(2), 16);
             Mailbox boxB = Mailbox.create(b, t, Capacity.bounded(2), 16)) {
            int idB = Wreckage.sysvId(b);
            names.onCleanup(() -> Wreckage.remove(b, idB));
            boxA.send("a's".getBytes());
            Files.copy(shm(a), shm(b), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThrows(CorruptedException.class, () -> Mailbox.open(b));
            try {
                Mailbox.unlinkIfExists(b);
            } catch (IpcException e) {
                // refusing is fine
            }
            try (Mailbox again = Mailbox.open(a)) {
                assertEquals("a's", again.receive(Duration.ofSeconds(1)).text(), "the other mailbox was damaged");
            }
        }
    }

    /** A 1 TiB sparse object under a mailbox's name: open and unlink refuse it without reading it. */
    @Test
    void aHugeSparseHeaderIsRefusedWithoutReadingIt() throws Exception {
        String n = name("huge");
        try (Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(2), 16)) {
            try (RandomAccessFile f = new RandomAccessFile(shm(n).toFile(), "rw")) {
                f.setLength(1L << 40);
            }
            Throwable e = assertThrows(Throwable.class, () -> Mailbox.open(n));
            assertInstanceOf(CorruptedException.class, e);
            Throwable u = null;
            try {
                Mailbox.unlinkIfExists(n);
            } catch (Throwable x) {
                u = x;
            }
            assertTrue(u == null || u instanceof IpcException, "unlinkIfExists threw " + u);
        } finally {
            try (RandomAccessFile f = new RandomAccessFile(shm(n).toFile(), "rw")) {
                f.setLength(Layout.HEADER_FILE_SIZE);
            } catch (java.io.FileNotFoundException gone) {
                // removed
            }
        }
    }

    /**
     * The header's maxMessageSize scribbled larger (an OOM at open) or smaller (a message taken and
     * then not deliverable), by a process that knows the format (checksum recomputed) or not:
     * open refuses the header (or, where the transport keeps no record of the size, the message
     * is delivered whole), and the message is never cut nor lost.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aScribbledMaxMessageSizeIsRefusedAndLosesNothing(Transport t) throws Exception {
        String n = name("max");
        byte[] msg = new byte[64];
        new Random(3).nextBytes(msg);
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(2), 64)) {
            box.send(msg);
            for (int round = 0; round < 4; round++) {
                int bad = round % 2 == 0 ? Integer.MAX_VALUE - 64 : 8;
                Layout.setMaxMessageSize(shm(n), bad);
                if (round >= 2) {
                    Layout.fixChecksum(shm(n)); // a scribbler that knows the format
                }
                Throwable e = null;
                Message got = null;
                try (Mailbox other = Mailbox.open(n)) {
                    got = other.receive(Duration.ofMillis(100));
                } catch (Throwable x) {
                    e = x;
                }
                if (got != null) {
                    assertEquals(Transport.SYSTEM_V, t, "only System V keeps no record of the size");
                    assertArrayEquals(msg, got.bytes(), "round " + round + ": the message was cut");
                    Layout.setMaxMessageSize(shm(n), 64);
                    Layout.fixChecksum(shm(n));
                    box.send(msg); // put it back for the next round
                    continue;
                }
                assertInstanceOf(CorruptedException.class, e, "round " + round + ", max " + bad + ": " + e);
            }
            Layout.setMaxMessageSize(shm(n), 64);
            Layout.fixChecksum(shm(n));
            Message m = box.receive(Duration.ofSeconds(1));
            assertNotNull(m, "the message was lost");
            assertArrayEquals(msg, m.bytes());
        }
    }

    // ------------------------------------------------------------ 14: inbox names

    @Test
    void registerWritesItsNameFile0600() throws Exception {
        String reg = names.next("reg0600").substring(1);
        try (Inbox inbox = Inbox.create().register(reg)) {
            names.onCleanup(inbox::close);
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(Path.of("/dev/shm/ipcj-name." + reg))));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(shm(dev.ipcj.internal.IpcjNames.inbox(PID)))));
        }
    }

    /** Every object of every transport and capacity is mode 0600: files, the POSIX queue, the System V queue. */
    @ParameterizedTest
    @MethodSource("transports")
    void everyObjectIsMode0600(Transport t) throws Exception {
        for (Capacity c : new Capacity[] {Capacity.zero(), Capacity.bounded(2), Capacity.unbounded()}) {
            if (c.isUnbounded() && t != Transport.SHM_LOG) {
                continue;
            }
            String n = name("mode");
            try (Mailbox box = Mailbox.create(n, t, c, 16)) {
                box.trySend("x".getBytes());
                List<String> files = MessagingTest.leftovers(n);
                assertFalse(files.isEmpty());
                for (String f : files) {
                    assertEquals("rw-------", PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(Path.of("/dev/shm", f))), t + " " + c + ": " + f);
                }
                if (t == Transport.POSIX_MQ) {
                    try (MessageQueue q = MessageQueue.open(n)) {
                        int fd = q.acquireDescriptor();
                        try {
                            assertEquals("rw-------", PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(Path.of("/proc/self/fd/" + fd))), t + " " + c);
                        } finally {
                            q.releaseDescriptor();
                        }
                    }
                }
                if (t == Transport.SYSTEM_V) {
                    try (SysvMessageQueue q = SysvMessageQueue.ofId(Wreckage.sysvId(n))) {
                        assertEquals(0600, q.stat().permissions().mode(), t + " " + c);
                    }
                }
            }
        }
    }

    @Test
    void registerRacingCloseLeaksNoName() throws Exception {
        String base = names.next("race").substring(1);
        for (int round = 0; round < 30; round++) {
            Inbox inbox = Inbox.create();
            names.onCleanup(inbox::close);
            int threads = 4;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String reg = base + "-" + round + "-" + i;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        inbox.register(reg);
                    } catch (IpcException | InterruptedException e) {
                        // closed first: fine
                    }
                });
                th.start();
                ts.add(th);
            }
            go.countDown();
            inbox.close();
            for (Thread th : ts) {
                th.join();
            }
            for (int i = 0; i < threads; i++) {
                Path p = Path.of("/dev/shm/ipcj-name." + base + "-" + round + "-" + i);
                boolean left = Files.exists(p);
                Files.deleteIfExists(p);
                assertFalse(left, "round " + round + ": " + p + " was left after close");
            }
        }
    }

    // ------------------------------------------------------------ 15: another user

    @ParameterizedTest
    @MethodSource("transports")
    void anotherUserIsRefusedAtOpenWithPermissionDenied(Transport t) throws Exception {
        assumeTrue(dev.ipcj.test.AsNobody.available(), "needs root and setpriv to run a child as nobody");
        String n = name("perm");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(2), 16);
             Inbox inbox = Inbox.create(t, Capacity.bounded(2), 16)) {
            dev.ipcj.test.ChildJvm.Result r = dev.ipcj.test.AsNobody.run(MsgPeerOther.class, 60, n, Long.toString(PID));
            String out = r.output();
            assertEquals(0, r.exit(), r.describe());
            assertTrue(out.contains("open|PermissionDeniedException"), out);
            assertTrue(out.contains("toProcess|PermissionDeniedException"), out);
        }
    }

    // ------------------------------------------------------------ 17: foreign frames

    /** A foreign message in a mailbox's queue is CorruptedException, and the next good message arrives. */
    @ParameterizedTest
    @MethodSource("queueTransports")
    void aForeignFrameIsCorruptionAndTheNextMessageArrives(Transport t) throws Exception {
        String n = name("frame");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 64)) {
            byte[] plain = "plain text from a C program".getBytes();
            if (t == Transport.POSIX_MQ) {
                try (MessageQueue q = MessageQueue.open(n)) {
                    q.send(plain, 0);
                }
            } else {
                try (SysvMessageQueue q = SysvMessageQueue.ofId(Layout.sysvId(shm(n)))) {
                    q.send(dev.ipcj.sysv.SysvMessage.allocate(plain.length).set(7, plain));
                }
            }
            box.send("good".getBytes());
            assertThrows(CorruptedException.class, () -> box.receive(Duration.ofSeconds(1)));
            Message m = box.receive(Duration.ofSeconds(1));
            assertNotNull(m);
            assertEquals("good", m.text());
            assertEquals(PID, m.sender());
        }
    }

    static Stream<Transport> queueTransports() {
        return Stream.of(Transport.POSIX_MQ, Transport.SYSTEM_V);
    }

    /** The header stores a stable code per transport, not the enum's ordinal. */
    @Test
    void theHeaderStoresAStableTransportCode() throws Exception {
        int[] codes = {1, 2, 3, 4};
        Transport[] ts = {Transport.POSIX_MQ, Transport.SYSTEM_V, Transport.RING, Transport.SHM_LOG};
        for (int i = 0; i < ts.length; i++) {
            String n = name("code");
            try (Mailbox box = Mailbox.create(n, ts[i], Capacity.bounded(1), 16)) {
                assertEquals(codes[i], Layout.transportCode(shm(n)), ts[i].toString());
            }
        }
    }

    // ------------------------------------------------------------ 13: durations and nulls

    @Test
    void hugeDurationsMeanForeverAndNullsNameTheParameter() throws Exception {
        String n = name("dur");
        try (Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(2), 16)) {
            assertTrue(box.send("a".getBytes(), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
            assertEquals("a", box.receive(Duration.ofSeconds(Long.MAX_VALUE)).text());
            assertNull(box.receive(Duration.ofSeconds(Long.MIN_VALUE)));
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> box.receive((Duration) null));
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> box.send((byte[]) null));
            assertTrue(e.getMessage().contains("payload"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> box.send((ByteBuffer) null, Duration.ZERO));
            assertTrue(e.getMessage().contains("payload"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> box.send("x", null));
            assertTrue(e.getMessage().contains("codec"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> box.receive(null, new Envelope()));
            assertTrue(e.getMessage().contains("dst"), e.getMessage());
            e = assertThrows(InvalidArgumentException.class, () -> box.receive(ByteBuffer.allocate(16), null));
            assertTrue(e.getMessage().contains("env"), e.getMessage());
        }
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Mailbox.create(name("nt"), null, Capacity.bounded(1), 16));
        assertTrue(e.getMessage().contains("transport"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> Mailbox.create(name("nc"), Transport.POSIX_MQ, null, 16));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> Mailbox.unlinkIfExists(null));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> Inbox.lookup(null));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }
}
