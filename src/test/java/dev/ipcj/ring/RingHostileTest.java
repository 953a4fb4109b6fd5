package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.ring.Peers.Peer;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring against a hostile process, one that can write and ftruncate the ring's object or
 * replace it under the ring's name. Expected every time: a typed exception (an IpcException,
 * CorruptedException naming the ring for bad bytes or a truncation), or correct operation on bytes
 * that happen to be valid; no JVM crash (victims that may fault run in child JVMs), no hang, and a
 * side asleep in FUTEX_WAIT wakes and reports within its re-check slice (one second).
 *
 * <ul>
 * <li>a C process scribbles random bytes over the header, indices, waiting words and first
 *     records while a producer and a consumer thread use the ring;
 * <li>the object is truncated under live mappings: idle, mid-traffic, while a side sleeps
 *     (interpreted and compiled);
 * <li>the name is given to another object between create and open: a mailbox's header file, shm
 *     objects of wrong sizes (empty, tiny, 1 TiB sparse, the right size of zeros or garbage), a
 *     directory, a FIFO, a symbolic link;
 * <li>chosen fields are scribbled at chosen windows: a producer stopped between claim and commit,
 *     a consumer stopped between handling and retiring, sides asleep.
 * </ul>
 * Sized by {@link Adversarial} (seeded; {@code ./run-tests --long} runs 20 times as many trials).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RingHostileTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void scribblingProcessEndsInCorruptedException(RingVariant v) throws Exception {
        Random rnd = Adversarial.random("RingHostileTest.scribble." + v);
        int corrupted = 0;
        int rounds = Adversarial.trials(3);
        for (int round = 0; round < rounds; round++) {
            String n = names.next("hostile");
            AtomicReference<Throwable> pe = new AtomicReference<>();
            AtomicReference<Throwable> ce = new AtomicReference<>();
            try (SharedRing ring = SharedRing.create(n, v, 4096, 100)) {
                Process s = Processes.startC("ring_peer", "scribble", n, "400", "" + rnd.nextInt(1 << 30));
                assertEquals("ready", Processes.readLine(s));
                long stop = System.nanoTime() + 1_000_000_000L;
                Thread p = new Thread(() -> {
                    try (RingProducer rp = ring.producer()) {
                        for (long seq = 0; System.nanoTime() < stop; seq++) {
                            rp.offer(Records.make(seq, 0, 100), Duration.ofMillis(20));
                        }
                    } catch (Throwable e) {
                        pe.set(e);
                    }
                });
                Thread c = new Thread(() -> {
                    try (RingConsumer rc = ring.consumer()) {
                        while (System.nanoTime() < stop) {
                            rc.read((b, o, l) -> b.get(o + l - 1), 100, Duration.ofMillis(20));
                        }
                    } catch (Throwable e) {
                        ce.set(e);
                    }
                });
                p.start();
                c.start();
                p.join(10_000);
                c.join(10_000);
                assertFalse(p.isAlive() || c.isAlive(), Adversarial.describe("a thread hangs"));
                Processes.finish(s, 10);
            }
            for (Throwable t : new Throwable[] {pe.get(), ce.get()}) {
                if (t == null) {
                    continue;
                }
                if (!(t instanceof IpcException)) {
                    throw new AssertionError(Adversarial.describe("not an IpcException"), t);
                }
                if (t instanceof CorruptedException) {
                    corrupted++;
                    assertTrue(t.getMessage().contains(n), t.getMessage());
                }
            }
        }
        assertTrue(corrupted >= rounds * 2 / 3, Adversarial.describe("garbage over the header went unnoticed: "
                + corrupted + " CorruptedExceptions in " + rounds + " rounds"));
    }

    /**
     * The object truncated (to 0, 1 byte, the header only, part of the data) while a child JVM
     * uses it: idle, streaming, or asleep in FUTEX_WAIT (take on an empty ring, put on a full one).
     */
    @ParameterizedTest
    @ValueSource(strings = {"-Xint", "compiled"})
    void truncationUnderLiveMappings(String mode) throws Exception {
        int count = Adversarial.trials(mode.equals("-Xint") ? 4 : 10);
        String prefix = names.next("trunc");
        for (int k = 0; k < count; k++) {
            names.onCleanup(cleanup(prefix + "-" + k));
        }
        long seed = Adversarial.random("RingHostileTest.truncate." + mode).nextLong();
        String out = RingTruncationTest.runVictim(mode, "hostile-truncate", prefix, "" + seed, "" + count);
        assertTrue(out.contains("all typed"), Adversarial.describe("truncation under live mappings") + ":\n" + out);
    }

    private static Runnable cleanup(String name) {
        return () -> SharedMemory.unlinkIfExists(name);
    }

    /**
     * Between create and open, another process gives the ring's name to another object. open()
     * (Java and C) must refuse it with a typed error; the creator's handle still works on its own
     * (now nameless) ring.
     */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void objectOfAnotherKindUnderTheNameIsRefusedAtOpen(RingVariant v) throws Exception {
        String[] kinds = {"mailbox", "empty", "tiny", "page", "huge", "zeros", "garbage", "directory", "fifo", "symlink"};
        Random rnd = Adversarial.random("RingHostileTest.swap." + v);
        for (int round = 0; round < Adversarial.trials(1); round++) {
            for (String kind : kinds) {
                String n = names.next("swap");
                String other = names.next("other");
                Path file = Path.of("/dev/shm" + n);
                try (SharedRing ring = SharedRing.create(n, v, 8192, 100);
                     RingProducer p = ring.producer(); RingConsumer c = ring.consumer();
                     SharedRing second = SharedRing.create(other, v, 4096, 100)) {
                    SharedRing.unlink(n);
                    replace(kind, n, other, rnd);
                    IpcException e = assertThrows(IpcException.class, () -> SharedRing.open(n).close(),
                            () -> Adversarial.describe(kind + ": open accepted it"));
                    if (!kind.equals("mailbox") || !(e instanceof dev.ipcj.NotFoundException)) {
                        assertTrue(e.getMessage().contains(n), kind + ": " + e.getMessage());
                    }
                    Peer cpeer = Peers.start(false, null, 0, "consume", n, "1", "1");
                    String cout = cpeer.waitFor(10_000);
                    assertEquals(1, cpeer.exitValue(), kind + ": ring_peer did not refuse it cleanly: " + cout);
                    assertTrue(cout.contains("ipcj_ring_open"), kind + ": " + cout);
                    // The creator's handle maps the original object: it still works.
                    assertTrue(p.offer(new byte[] {1, 2, 3}));
                    assertArrayEquals(new byte[] {1, 2, 3}, c.poll());
                } finally {
                    Files.deleteIfExists(file); // a directory, FIFO or link that shm_unlink may leave
                    if (kind.equals("mailbox")) {
                        Mailbox.unlinkIfExists(n);
                    }
                }
            }
        }
    }

    private static void replace(String kind, String name, String otherRing, Random rnd) throws IOException {
        Path file = Path.of("/dev/shm" + name);
        switch (kind) {
            case "mailbox":
                Mailbox.create(name).close();
                break;
            case "directory":
                Files.createDirectory(file);
                break;
            case "fifo":
                try {
                    if (new ProcessBuilder("mkfifo", "-m", "600", file.toString()).start().waitFor() != 0) {
                        throw new IOException("mkfifo failed");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                break;
            case "symlink":
                Files.createSymbolicLink(file, Path.of("/dev/shm" + otherRing));
                break;
            default:
                long size = kind.equals("empty") ? 0 : kind.equals("tiny") ? 1 + rnd.nextInt(4095)
                        : kind.equals("page") ? 4096 : kind.equals("huge") ? 1L << 40 : 4096 + 8192;
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ)) {
                    if (size > 0) {
                        ch.truncate(size);
                        ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
                    }
                    if (kind.equals("garbage")) {
                        byte[] g = new byte[(int) size];
                        rnd.nextBytes(g);
                        ch.write(java.nio.ByteBuffer.wrap(g), 0);
                    }
                }
                break;
        }
    }

    /**
     * Chosen fields scribbled while a side sleeps: garbage positions wake it (within the re-check
     * slice) with CorruptedException; a cleared waiting word (a lost wake-up forced from outside)
     * only delays the record by at most a slice.
     */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void scribblesWhileASideSleeps(RingVariant v) throws Exception {
        Random rnd = Adversarial.random("RingHostileTest.asleep." + v);
        for (int round = 0; round < Adversarial.trials(1); round++) {
            // A consumer asleep on an empty ring; `in` becomes garbage.
            String n = names.next("sleepc");
            try (SharedRing ring = SharedRing.create(n, v, 4096, 100); RingConsumer c = ring.consumer();
                 SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
                Sleeper s = Sleeper.start(c::take);
                Thread.sleep(50);
                long garbage = rnd.nextBoolean() ? (1L << 40) : 8L * rnd.nextInt(1000) + 3;
                raw.putLongVolatile(RingLayout.IN_OFFSET, garbage);
                s.awaitEnd(3_000);
                assertTrue(s.error instanceof CorruptedException, Adversarial.describe("in = " + garbage + ": " + s.error));
            }
            // A producer asleep on a full ring; `out` becomes garbage.
            n = names.next("sleepp");
            try (SharedRing ring = SharedRing.create(n, v, 4096, 100); RingProducer p = ring.producer();
                 SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
                while (p.offer(new byte[100])) {
                    // fill
                }
                Sleeper s = Sleeper.start(() -> {
                    p.put(new byte[100]);
                    return null;
                });
                Thread.sleep(50);
                raw.putLongVolatile(RingLayout.OUT_OFFSET, -8L * (1 + rnd.nextInt(100)));
                s.awaitEnd(3_000);
                assertTrue(s.error instanceof CorruptedException, Adversarial.describe("out scribbled: " + s.error));
            }
            // A consumer asleep whose waiting word is cleared: the producer skips the wake.
            n = names.next("sleepw");
            try (SharedRing ring = SharedRing.create(n, v, 4096, 100); RingProducer p = ring.producer();
                 RingConsumer c = ring.consumer(); SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
                Sleeper s = Sleeper.start(c::take);
                Thread.sleep(50);
                raw.putIntVolatile(RingLayout.CONSUMER_WAITING_OFFSET, 0);
                assertTrue(p.offer(new byte[] {5}));
                s.awaitEnd(3_000);
                assertNull(s.error, () -> Adversarial.describe("cleared waiting word: " + s.error));
                assertArrayEquals(new byte[] {5}, (byte[]) s.result);
            }
        }
    }

    /** A call on another thread, to be woken or to fail while it sleeps. */
    static final class Sleeper extends Thread {
        interface Body {
            Object run() throws Exception;
        }

        private final Body body;
        volatile Object result;
        volatile Throwable error;

        private Sleeper(Body body) {
            this.body = body;
            setDaemon(true);
        }

        static Sleeper start(Body body) {
            Sleeper s = new Sleeper(body);
            s.start();
            return s;
        }

        @Override
        public void run() {
            try {
                result = body.run();
            } catch (Throwable t) {
                error = t;
            }
        }

        void awaitEnd(long millis) throws InterruptedException {
            join(millis);
            assertFalse(isAlive(), Adversarial.describe("a side asleep did not wake and report within " + millis + " ms"));
        }
    }

    /**
     * A MANY_TO_ONE producer process stopped between claim and commit, its claim's header
     * overwritten, then let go: its commit must fail with a typed error (ring_peer exits 1 naming
     * the commit, a JVM with CorruptedException), never crash; the consumer reads only valid
     * records or reports CorruptedException.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void claimScribbledBetweenClaimAndCommit(boolean java) throws Exception {
        Random rnd = Adversarial.random("RingHostileTest.claim." + java);
        for (int round = 0; round < Adversarial.trials(java ? 1 : 3); round++) {
            String n = names.next("claim");
            String prog = names.next("progress");
            try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 8192, 200);
                 SharedMemory ps = SharedMemory.create(prog, 4096);
                 SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
                Peer p = Peers.start(java, "producer-claimed", rnd.nextInt(10), "claimloop", n, "0", prog, "1000");
                p.expect("ready", 30_000);
                List<String> seen = new ArrayList<>();
                Thread drain = drainer(ring, seen);
                p.expect("window producer-claimed", 30_000);
                // The consumer reads up to the open claim and stops there (its producer is alive).
                long at = awaitClaimAtOut(raw, ring.capacity());
                long[] values = {0, at, RingLayout.data(5000, 1), RingLayout.padding(8), RingLayout.claimed(10, 1),
                        rnd.nextLong()};
                long value = values[rnd.nextInt(values.length)];
                raw.putLongVolatile(RingLayout.DATA_OFFSET + (at & (ring.capacity() - 1)), value);
                p.proceed();
                String out2 = p.waitFor(20_000);
                int status = p.exitValue();
                assertEquals(1, status, Adversarial.describe("producer exit " + status + " (a signal is >= 128): " + out2));
                assertTrue(out2.contains(java ? "CorruptedException" : "commit"),
                        Adversarial.describe("the commit of an overwritten claim did not fail: " + out2));
                drain.join(10_000);
                assertFalse(drain.isAlive(), Adversarial.describe("the consumer hangs"));
                for (String s : seen) {
                    assertTrue(s.startsWith("ok") || s.startsWith("CorruptedException"), Adversarial.describe(s));
                }
            }
        }
    }

    /** Consumes for two seconds, recording "ok N" or the exception's class and message. */
    private static Thread drainer(SharedRing ring, List<String> seen) {
        Thread t = new Thread(() -> {
            long n = 0;
            long stop = System.nanoTime() + 2_000_000_000L;
            try (RingConsumer c = ring.consumer()) {
                while (System.nanoTime() < stop) {
                    n += c.read((b, o, l) -> Records.check(b, o, l, 200), 100, Duration.ofMillis(10));
                }
                synchronized (seen) {
                    seen.add("ok " + n);
                }
            } catch (Throwable e) {
                synchronized (seen) {
                    seen.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until the header at `out` is a CLAIMED one (the consumer stopped at it); its position. */
    private static long awaitClaimAtOut(MappedRegion raw, int capacity) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            long out = raw.getLongVolatile(RingLayout.OUT_OFFSET);
            long h = raw.getLongVolatile(RingLayout.DATA_OFFSET + (out & (capacity - 1)));
            if ((h & (3L << 62)) == (2L << 62)) {
                return out;
            }
            assertTrue(System.nanoTime() < deadline, "the consumer did not reach the open claim");
            Thread.sleep(2);
        }
    }

    /**
     * A consumer process (Java and C) stopped after handing a batch and before retiring it, or
     * half-way through freeing it; `out` or the batch's words are scribbled; then it goes on. It
     * must go on or report typed errors; never crash or hang; and the next consumer too.
     */
    @Test
    void consumerScribbledAtItsWindows() throws Exception {
        Random rnd = Adversarial.random("RingHostileTest.consumer");
        String[] windows = {"consumer-handled", "consumer-retired", "consumer-freed"};
        for (int round = 0; round < Adversarial.trials(3); round++) {
            String window = windows[round % windows.length];
            boolean java = round % 3 == 1;
            String n = names.next("cwin");
            String jn = names.next("journal");
            try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 8192, 200);
                 Journal journal = Journal.create(jn, 1, 5000, 200);
                 RingProducer p = ring.producer();
                 SharedMemory shm = SharedMemory.open(n); MappedRegion raw = shm.map()) {
                for (int i = 0; i < 20; i++) {
                    p.offer(Records.make(i, 0, 200));
                }
                Peer c = Peers.start(java, window, rnd.nextInt(3), "journal", n, jn, "5000", "" + (1 + rnd.nextInt(8)));
                c.expect("ready", 30_000);
                c.expect("window " + window, 30_000);
                long out = raw.getLongVolatile(RingLayout.OUT_OFFSET);
                switch (rnd.nextInt(3)) {
                    case 0:
                        raw.putLongVolatile(RingLayout.OUT_OFFSET, out + 8L * (1 + rnd.nextInt(4)));
                        break;
                    case 1:
                        raw.putLongVolatile(RingLayout.DATA_OFFSET + (out & 8191), rnd.nextLong());
                        break;
                    default:
                        raw.putLongVolatile(RingLayout.DATA_OFFSET + ((out + 8L * rnd.nextInt(20)) & 8191), rnd.nextLong());
                        break;
                }
                c.proceed();
                for (int i = 20; i < 40; i++) {
                    try {
                        p.offer(Records.make(i, 0, 200), Duration.ofMillis(5));
                    } catch (IpcException e) {
                        break; // typed: the scribble reached the producer
                    }
                }
                Thread.sleep(100);
                if (!c.process.isAlive()) {
                    assertEquals(1, c.exitValue(), Adversarial.describe("consumer died of a signal: " + c.output()));
                    assertTrue(c.output().contains("Exception") || c.output().contains("take"), c.output());
                }
                c.kill();
                // A successor attaches and reads: typed errors or valid records.
                try (RingConsumer next = ring.consumer()) {
                    for (int i = 0; i < 5; i++) {
                        next.read(journal, 100, Duration.ofMillis(5));
                    }
                } catch (IpcException e) {
                    // typed (a scribbled payload word is handed as it is: the ring does not checksum payloads)
                }
            }
        }
    }
}
