package dev.ipcj.posix;

import static dev.ipcj.posix.PosixPeerMain.PATTERN_AT;
import static dev.ipcj.posix.PosixPeerMain.RECORD_MIX;
import static dev.ipcj.posix.PosixPeerMain.SLOTS;
import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.MappedRegion;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * POSIX shared memory and semaphores across real processes: this JVM against the C program
 * {@code src/test/c/posix_peer.c} (built by cmake/ from ipcj's headers) and against a second
 * JVM running {@link PosixPeerMain}. Both peers speak the same modes and byte layouts, so every
 * scenario runs against each. A stuck test is interrupted by {@code @Timeout}; the interrupt
 * itself wakes a blocked {@code acquire()} (see Waiter), and every child is killed in a
 * finally block, so a failure leaves neither a process nor a name behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossProcessTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    enum Peer { C, JVM }

    interface Exchange {
        void run() throws Exception;
    }

    /** The children of one test; close() kills every one still running (SIGKILL). */
    private static final class Children implements AutoCloseable {
        private final List<Process> started = new ArrayList<>();

        Process start(Peer peer, String... args) throws IOException {
            Process p = peer == Peer.C
                    ? Processes.startC("posix_peer", args)
                    : Processes.startJava(PosixPeerMain.class, args);
            started.add(p);
            return p;
        }

        /** Starts a peer and waits for its "ready" (it has opened everything it needs). */
        Process startReady(Peer peer, String... args) throws IOException, InterruptedException {
            Process p = start(peer, args);
            String line = Processes.readLine(p);
            if (!line.equals("ready")) {
                p.destroyForcibly();
                throw new AssertionError(peer + " peer " + String.join(" ", args) + " did not get ready: "
                        + line + "\n" + Processes.waitFor(p, 10));
            }
            return p;
        }

        /**
         * Runs the Java half of an exchange with {@code peer}. If the peer fails (exits non-zero)
         * meanwhile, this thread is interrupted, which wakes it from acquire(), and the test fails
         * at once with the peer's output instead of waiting for the timeout.
         */
        void exchange(Process peer, Exchange body) throws Exception {
            Thread me = Thread.currentThread();
            Object lock = new Object();
            boolean[] armed = {true};
            peer.onExit().thenRun(() -> {
                synchronized (lock) {
                    if (armed[0] && peer.exitValue() != 0) {
                        me.interrupt();
                    }
                }
            });
            try {
                body.run();
            } catch (InterruptedException e) {
                if (!peer.isAlive() && peer.exitValue() != 0) {
                    throw new AssertionError("the peer failed with status " + peer.exitValue() + ":\n"
                            + Processes.waitFor(peer, 5), e);
                }
                throw e;
            } finally {
                synchronized (lock) {
                    armed[0] = false;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            for (Process p : started) {
                p.destroyForcibly();
            }
            for (Process p : started) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void javaWritesSharedMemoryPeerReadsIt(Peer peer) throws Exception {
        String n = names.next("j2p");
        int size = 10_000; // not a page multiple: the peer maps what fstat says
        long value = 0x0102030405060708L;
        long sum = 0;
        try (Children children = new Children();
             SharedMemory shm = SharedMemory.create(n, size);
             MappedRegion r = shm.map()) {
            r.putLong(0, value);
            r.putBytes(8, "written-by-java".getBytes(StandardCharsets.UTF_8));
            for (int i = PATTERN_AT; i < size; i++) {
                r.putByte(i, (byte) PosixPeerMain.pattern(i));
                sum += PosixPeerMain.pattern(i);
            }
            String out = Processes.finish(children.start(peer, "read-shm", n), 30);
            assertEquals(value + " written-by-java " + sum, out.trim());
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void peerWritesSharedMemoryJavaReadsIt(Peer peer) throws Exception {
        String n = names.next("p2j");
        int size = 12_345;
        try (Children children = new Children()) {
            Process p = children.startReady(peer, "write-shm", n, Integer.toString(size), "-42", "written-by-peer");
            try (SharedMemory shm = SharedMemory.openReadOnly(n); MappedRegion r = shm.map()) {
                assertEquals(size, shm.size());
                assertEquals(0600, shm.mode(), "the peer creates with the default mode");
                assertEquals(-42L, r.getLong(0));
                byte[] text = new byte["written-by-peer".length() + 1];
                r.getBytes(8, text);
                assertEquals("written-by-peer\0", new String(text, StandardCharsets.UTF_8));
                for (int i = PATTERN_AT; i < size; i++) {
                    assertEquals(PosixPeerMain.pattern(i), r.getByte(i) & 0xff, "byte " + i);
                }
            }
            p.getOutputStream().close(); // tells the peer we have read
            Processes.finish(p, 30);
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void namedSemaphoresWakeEachOtherBothWays(Peer peer) throws Exception {
        String pingName = names.next("ping");
        String pongName = names.next("pong");
        int rounds = 2000;
        try (Children children = new Children();
             NamedSemaphore ping = NamedSemaphore.create(pingName, 0);
             NamedSemaphore pong = NamedSemaphore.create(pongName, 0)) {
            Process p = children.startReady(peer, "sem-echo", pingName, pongName, Integer.toString(rounds));
            children.exchange(p, () -> {
                for (int i = 0; i < rounds; i++) {
                    ping.release();  // wakes the peer sleeping in sem_wait
                    pong.acquire();  // sleeps until the peer's sem_post wakes us
                }
            });
            Processes.finish(p, 30);
            assertEquals(0, ping.value(), "the peer took every ping");
            assertEquals(0, pong.value(), "every pong was answered exactly once");
        }
    }

    static Stream<Arguments> peersAndInitialisers() {
        return Stream.of(Peer.values()).flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
    }

    /** Two unnamed semaphores (sem_init, pshared) in one shm object, initialised by either side. */
    @ParameterizedTest(name = "{0}, initialised by java: {1}")
    @MethodSource("peersAndInitialisers")
    void unnamedSemaphoreInSharedMemoryIsSharedWithThePeer(Peer peer, boolean javaInitialises) throws Exception {
        String n = names.next("unnamed");
        int rounds = 1000;
        try (Children children = new Children();
             SharedMemory shm = SharedMemory.create(n, 4096);
             MappedRegion r = shm.map()) {
            UnnamedSemaphore req = null;
            UnnamedSemaphore resp = null;
            if (javaInitialises) {
                req = UnnamedSemaphore.init(r, 0, 0);
                resp = UnnamedSemaphore.init(r, 64, 0);
            }
            Process p = children.startReady(peer, "unnamed", n, javaInitialises ? "attach" : "init",
                    Integer.toString(rounds));
            if (!javaInitialises) {
                req = UnnamedSemaphore.attach(r, 0);
                resp = UnnamedSemaphore.attach(r, 64);
            }
            UnnamedSemaphore request = req;
            UnnamedSemaphore response = resp;
            children.exchange(p, () -> {
                for (long i = 0; i < rounds; i++) {
                    long v = i * 0x10001L - 7;
                    r.putLong(128, v);
                    request.release();
                    response.acquire();
                    // The semaphore orders memory: the answer written before sem_post is visible.
                    assertEquals(v * 2 + 1, r.getLong(136), "round " + i);
                }
            });
            Processes.finish(p, 30);
            assertEquals(0, req.value());
            assertEquals(0, resp.value());
        }
    }

    static Stream<Arguments> peersAndDirections() {
        return Stream.of(Peer.values()).flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
    }

    /** A bounded buffer in shm guarded by two named semaphores, each side producing in turn. */
    @ParameterizedTest(name = "{0}, java produces: {1}")
    @MethodSource("peersAndDirections")
    void producerConsumerThroughSharedMemory(Peer peer, boolean javaProduces) throws Exception {
        String n = names.next("ring");
        String emptyName = names.next("empty");
        String fullName = names.next("full");
        long count = 20_000; // many times SLOTS: both sides block on a full and an empty buffer
        try (Children children = new Children();
             SharedMemory shm = SharedMemory.create(n, SLOTS * 16);
             MappedRegion r = shm.map();
             NamedSemaphore empty = NamedSemaphore.create(emptyName, SLOTS);
             NamedSemaphore full = NamedSemaphore.create(fullName, 0)) {
            Process p = children.startReady(peer, javaProduces ? "consume" : "produce", n, emptyName, fullName,
                    Long.toString(count));
            children.exchange(p, () -> {
                for (long i = 0; i < count; i++) {
                    long slot = (i % SLOTS) * 16;
                    if (javaProduces) {
                        empty.acquire();
                        r.putLong(slot, i);
                        r.putLong(slot + 8, i * RECORD_MIX);
                        full.release();
                    } else {
                        full.acquire();
                        assertEquals(i, r.getLong(slot), "seq of record " + i);
                        assertEquals(i * RECORD_MIX, r.getLong(slot + 8), "check of record " + i);
                        empty.release();
                    }
                }
            });
            String out = Processes.finish(p, 30).trim();
            assertEquals(javaProduces ? "consumed " + count + " " + count * (count - 1) / 2 : "produced " + count, out);
            assertEquals(SLOTS, empty.value(), "all slots free again");
            assertEquals(0, full.value());
        }
    }

    /**
     * kill -9 of a peer asleep in sem_wait (on a named semaphore, or an unnamed one in its shm
     * mapping) while a Java thread sleeps on the semaphore only that peer would post: the JVM
     * carries on, the Java waiter can still be interrupted, the semaphores still work for a
     * new peer, and once unlinked nothing is left in /dev/shm.
     */
    @ParameterizedTest(name = "{0}, unnamed: {1}")
    @MethodSource("peersAndInitialisers")
    void killMinusNineOfAPeerBlockedInSemWait(Peer peer, boolean unnamed) throws Exception {
        String shmName = names.next("killshm");
        String pingName = names.next("killping");
        String pongName = names.next("killpong");
        AtomicReference<Throwable> waiterOutcome = new AtomicReference<>();
        Thread waiter = null;
        try (Children children = new Children();
             SharedMemory shm = SharedMemory.create(shmName, 4096);
             MappedRegion r = shm.map();
             NamedSemaphore namedPing = NamedSemaphore.create(pingName, 0);
             NamedSemaphore namedPong = NamedSemaphore.create(pongName, 0)) {
            PosixSemaphore ping = unnamed ? UnnamedSemaphore.init(r, 0, 0) : namedPing;
            PosixSemaphore pong = unnamed ? UnnamedSemaphore.init(r, 64, 0) : namedPong;
            String[] echo = unnamed
                    ? new String[] {"unnamed", shmName, "attach", "0"}
                    : new String[] {"sem-echo", pingName, pongName, "0"};
            Process victim = children.startReady(peer, echo);
            awaitAsleep(peer, victim);

            waiter = new Thread(() -> {
                try {
                    pong.acquire();
                    waiterOutcome.set(new AssertionError("acquired a pong nobody posted"));
                } catch (Throwable e) {
                    waiterOutcome.set(e);
                }
            }, "pong-waiter");
            waiter.start();

            victim.destroyForcibly(); // SIGKILL
            assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "the killed peer did not exit");
            assertEquals(128 + 9, victim.exitValue(), "killed by SIGKILL");

            // The Java thread that waited for the dead peer is released by an interrupt.
            waiter.interrupt();
            waiter.join(5000);
            assertFalse(waiter.isAlive(), "interrupt did not wake the waiter of a dead peer");
            assertInstanceOf(InterruptedException.class, waiterOutcome.get());

            // The semaphores are intact: the dead peer took nothing, and a new peer can use them.
            assertEquals(0, ping.value());
            assertEquals(0, pong.value());
            String[] again = echo.clone();
            again[3] = "100";
            Process next = children.startReady(peer, again);
            for (int i = 0; i < 100; i++) {
                ping.release();
                assertTrue(pong.tryAcquire(Duration.ofSeconds(10)), "round " + i + " after the kill");
            }
            Processes.finish(next, 30);
        } finally {
            if (waiter != null) {
                waiter.interrupt();
                waiter.join(5000);
            }
        }
        SharedMemory.unlink(shmName);
        NamedSemaphore.unlink(pingName);
        NamedSemaphore.unlink(pongName);
        for (String n : List.of(shmName, pingName, pongName)) {
            assertFalse(Files.exists(Path.of("/dev/shm" + n)), n + " left in /dev/shm");
            assertFalse(Files.exists(Path.of("/dev/shm/sem." + n.substring(1))), "sem." + n + " left in /dev/shm");
        }
    }

    /**
     * Issue 10, finding 2: ipcj performs glibc's sem_t protocol in Java. One token passed around
     * by C processes (glibc's sem_wait/sem_post) and Java threads (ipcj) on the same semaphore,
     * each side sleeping in FUTEX_WAIT until the other posts: no token lost or made up, no wake-up
     * lost (a lost one would leave a waiter asleep with the token free), nwaiters back to 0.
     */
    @ParameterizedTest(name = "tokens: {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void javaAndGlibcShareOneSemaphoreUnderContention(int tokens) throws Exception {
        String n = names.next("churn");
        int rounds = 3000;
        try (Children children = new Children(); NamedSemaphore s = NamedSemaphore.create(n, tokens)) {
            List<Process> peers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                peers.add(children.startReady(Peer.C, "sem-churn", n, Integer.toString(rounds)));
            }
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < rounds; i++) {
                            if (!s.tryAcquire(Duration.ofSeconds(20))) {
                                throw new AssertionError("no token for 20 s in round " + i + ": a wake-up was lost");
                            }
                            s.release();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join(60_000);
                assertFalse(th.isAlive(), "a Java churner hangs");
            }
            assertNull(failure.get());
            for (Process p : peers) {
                assertEquals("churned " + rounds, Processes.finish(p, 60).trim());
            }
            assertEquals(tokens, s.value(), "every token is back");
            long data = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of("/dev/shm/sem." + n.substring(1))))
                    .order(java.nio.ByteOrder.nativeOrder()).getLong(0);
            assertEquals(0, data >>> 32, "nwaiters is 0 again: every waiter unregistered");
        }
    }

    /**
     * Waits until the peer sleeps in the call after "ready" (sem_wait). A C peer has one thread:
     * its state turns to S. A JVM has many threads; there the short sleep has to do.
     */
    private static void awaitAsleep(Peer peer, Process p) throws IOException, InterruptedException {
        if (peer == Peer.JVM) {
            Thread.sleep(300);
            return;
        }
        Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String s = Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            if (state == 'S') {
                return;
            }
            Thread.sleep(5);
        }
        fail("the C peer never went to sleep in sem_wait");
    }
}
