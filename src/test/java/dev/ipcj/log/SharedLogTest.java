package dev.ipcj.log;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.test.IpcNames;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public log in one process: records, bounds, segments, timeouts, interrupts, errors. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedLogTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    static final Path SHM = Path.of("/dev/shm");

    /** A fresh name whose files are removed after the test, whatever state they are in. */
    static String logName(IpcNames names, String what) {
        String n = names.next(what);
        names.onCleanup(() -> deleteFiles(SHM, n));
        return n;
    }

    /** Deletes NAME.log and every NAME.log.DIGITS in {@code dir}, as a last resort after any damage. */
    static void deleteFiles(Path dir, String n) {
        try (Stream<Path> s = Files.list(dir)) {
            String base = n.substring(1) + ".log";
            for (Path p : s.collect(Collectors.toList())) {
                String f = p.getFileName().toString();
                if (f.equals(base) || f.startsWith(base + ".") && f.substring(base.length() + 1).matches("\\d+")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // best effort
        }
    }

    static List<String> segments(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(name.substring(1) + ".log."))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void recordsComeOutInOrderWithTheirLengths() throws Exception {
        String n = logName(names, "basic");
        try (SharedLog log = SharedLog.create(n, SharedLog.UNBOUNDED, 100)) {
            assertEquals(n, log.name());
            assertEquals(-1, log.capacity());
            assertEquals(100, log.maxRecordSize());
            assertEquals(0, log.size());
            log.put("hello".getBytes(StandardCharsets.UTF_8));
            assertTrue(log.offer(new byte[0]));
            ByteBuffer src = ByteBuffer.allocateDirect(100);
            src.put(new byte[100]).flip();
            assertTrue(log.offer(src, Duration.ofSeconds(1)));
            assertEquals(100, src.position(), "the record's bytes are consumed from src");
            assertEquals(3, log.size());
            try (SharedLog other = SharedLog.open(n)) {
                assertEquals(3, other.size());
                byte[] b = new byte[100];
                assertEquals(5, other.take(b));
                assertEquals("hello", new String(b, 0, 5, StandardCharsets.UTF_8));
            }
            ByteBuffer dst = ByteBuffer.allocate(200);
            dst.position(7);
            assertEquals(0, log.poll(dst));
            assertEquals(7, dst.position());
            assertEquals(100, log.poll(dst, Duration.ZERO));
            assertEquals(107, dst.position());
            assertEquals(-1, log.poll(dst));
            assertEquals(-1, log.poll(new byte[1], Duration.ofMillis(1)));
            assertEquals(0, log.size());
        }
        for (String f : List.of(n.substring(1) + ".log", n.substring(1) + ".log.0")) {
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(SHM.resolve(f), LinkOption.NOFOLLOW_LINKS)), f);
        }
        assertTrue(SharedLog.unlinkIfExists(n));
        assertFalse(SharedLog.unlinkIfExists(n));
        assertEquals(List.of(), segments(SHM, n));
    }

    @Test
    void aBoundedLogHoldsAtMostItsCapacity() throws Exception {
        String n = logName(names, "bounded");
        try (SharedLog log = SharedLog.create(n, 2, 8)) {
            assertTrue(log.offer(new byte[] {1}));
            assertTrue(log.offer(new byte[] {2}));
            assertFalse(log.offer(new byte[] {3}));
            long t0 = System.nanoTime();
            assertFalse(log.offer(new byte[] {3}, Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - t0 >= 100_000_000L, "a timed offer waits its timeout");
            byte[] b = new byte[8];
            assertEquals(1, log.take(b));
            assertEquals(1, b[0]);
            assertTrue(log.offer(new byte[] {3}));
            assertEquals(2, log.size());
        }
    }

    @Test
    void anUnboundedLogGrowsBySegmentsAndDeletesConsumedOnes() throws Exception {
        String n = logName(names, "seg");
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        try (SharedLog log = SharedLog.create(n, SharedLog.UNBOUNDED, 4096)) {
            int count = 700; // 700 * 4104 bytes (8 + 4096): three 1 MiB segments
            for (int i = 0; i < count; i++) {
                b.clear().putInt(0, i);
                assertTrue(log.offer(b));
            }
            assertEquals(3, segments(SHM, n).size());
            for (int i = 0; i < count; i++) {
                b.clear();
                assertEquals(4096, log.poll(b));
                assertEquals(i, b.getInt(0));
            }
            assertEquals(-1, log.poll(b.clear()));
            assertEquals(List.of(n.substring(1) + ".log.2"), segments(SHM, n));
        }
        assertTrue(SharedLog.unlinkIfExists(n));
        assertEquals(List.of(), segments(SHM, n));
    }

    @Test
    void timeoutsSaturate() throws Exception {
        String n = logName(names, "forever");
        try (SharedLog log = SharedLog.create(n, 1, 16)) {
            Duration forever = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
            CompletableFuture<Integer> taker = CompletableFuture.supplyAsync(() -> {
                try {
                    return log.poll(new byte[16], forever);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(200);
            assertFalse(taker.isDone(), "a forever poll waits (no overflow into an expired deadline)");
            log.put(new byte[] {42});
            assertEquals(1, taker.get(10, TimeUnit.SECONDS));

            assertTrue(log.offer(new byte[] {1}, forever));
            CompletableFuture<Boolean> putter = CompletableFuture.supplyAsync(() -> {
                try {
                    return log.offer(new byte[] {2}, forever);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(200);
            assertFalse(putter.isDone(), "a forever offer on a full log waits");
            assertEquals(1, log.take(new byte[16]));
            assertTrue(putter.get(10, TimeUnit.SECONDS));
            assertFalse(log.offer(new byte[] {3}, Duration.ofSeconds(-5)), "a negative timeout tries once");
            assertThrows(InvalidArgumentException.class, () -> log.offer(new byte[1], null));
        }
    }

    @Test
    void anInterruptedWaitThrowsAndChangesNothing() throws Exception {
        String n = logName(names, "intr");
        try (SharedLog log = SharedLog.create(n, 1, 16)) {
            AtomicReference<Throwable> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    log.take(new byte[16]);
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            t.start();
            Thread.sleep(200);
            t.interrupt();
            t.join(10_000);
            assertInstanceOf(InterruptedException.class, got.get());

            log.put(new byte[] {1});
            got.set(null);
            Thread p = new Thread(() -> {
                try {
                    log.put(new byte[] {2});
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            p.start();
            Thread.sleep(200);
            p.interrupt();
            p.join(10_000);
            assertInstanceOf(InterruptedException.class, got.get());
            assertEquals(1, log.size(), "the interrupted put appended nothing");
            byte[] b = new byte[16];
            assertEquals(1, log.take(b));
            assertEquals(1, b[0]);
            assertEquals(-1, log.poll(b));
        }
    }

    @Test
    void argumentsAndStatesAreRefusedWithMessages() throws Exception {
        String n = logName(names, "args");
        assertEquals("log create(\"" + n + "\"): capacity 0: must be at least 1, or SharedLog.UNBOUNDED (-1)",
                assertThrows(InvalidArgumentException.class, () -> SharedLog.create(n, 0, 8)).getMessage());
        assertEquals("log create(\"" + n + "\"): maxRecordSize -1: must be 0.." + SharedLog.MAX_RECORD_SIZE,
                assertThrows(InvalidArgumentException.class, () -> SharedLog.create(n, 1, -1)).getMessage());
        assertThrows(InvalidArgumentException.class, () -> SharedLog.create("nolead", 1, 8));
        assertThrows(InvalidArgumentException.class, () -> SharedLog.create("/" + "x".repeat(SharedLog.MAX_NAME + 1), 1, 8));
        assertThrows(NotFoundException.class, () -> SharedLog.open(n));
        SharedLog log = SharedLog.create(n, 4, 8);
        assertThrows(AlreadyExistsException.class, () -> SharedLog.create(n, 4, 8));
        InvalidArgumentException tooLong = assertThrows(InvalidArgumentException.class, () -> log.put(new byte[9]));
        assertTrue(tooLong.getMessage().endsWith("a record of 9 bytes is longer than the 8 this log holds"),
                tooLong.getMessage());
        log.put(new byte[8]);
        InvalidArgumentException small = assertThrows(InvalidArgumentException.class, () -> log.poll(new byte[4]));
        assertTrue(small.getMessage().endsWith("the next record has 8 bytes but the buffer has only 4 remaining;"
                + " it stays in the log"), small.getMessage());
        assertEquals(1, log.size(), "a record too long for the buffer stays");
        assertThrows(InvalidArgumentException.class, () -> log.poll(ByteBuffer.allocate(8).asReadOnlyBuffer()));
        assertThrows(InvalidArgumentException.class, () -> log.put((ByteBuffer) null));
        log.close();
        log.close();
        ClosedException closed = assertThrows(ClosedException.class, () -> log.poll(new byte[8]));
        assertTrue(closed.getMessage().endsWith("the log handle is closed"), closed.getMessage());
        assertThrows(ClosedException.class, () -> log.offer(new byte[1]));
        try (SharedLog again = SharedLog.open(n)) {
            assertEquals(8, again.poll(new byte[8]));
        }
    }

    @Test
    void aScribbledRecordLengthIsCorruptionNotACrash() throws Exception {
        String n = logName(names, "scribble");
        try (SharedLog log = SharedLog.create(n, 4, 64)) {
            log.put("hello".getBytes(StandardCharsets.UTF_8));
            try (RandomAccessFile f = new RandomAccessFile("/dev/shm/" + n.substring(1) + ".log.0", "rw")) {
                f.seek(LogLayout.SEGMENT_HEADER + LogLayout.REC_OFF_LENGTH);
                f.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}); // 2^31-1
            }
            CorruptedException e = assertThrows(CorruptedException.class, () -> log.poll(new byte[64]));
            assertTrue(e.getMessage().contains("says it is 2147483647 bytes"), e.getMessage());
        }
    }

    @Test
    void aFullFileSystemIsAnErrorThatSaysSoAndLosesNothing() throws Exception {
        Path dir = Files.createTempDirectory("ipcj-test-tmpfs");
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", dir.toString());
        try {
            assumeTrue(mounted, "needs root to mount a small tmpfs");
            String n = names.next("full");
            names.onCleanup(() -> deleteFiles(dir, n));
            try (SharedLog log = SharedLog.create(n, dir, SharedLog.UNBOUNDED, 4096, 0)) {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                int sent = 0;
                LimitExceededException full = null;
                for (int i = 0; i < 1000 && full == null; i++) {
                    b.clear().putInt(0, i);
                    try {
                        assertTrue(log.offer(b));
                        sent++;
                    } catch (LimitExceededException e) {
                        full = e;
                    }
                }
                assertNotNull(full, "a 1.5 MiB file system held 1000 records of 4 KiB");
                assertEquals("ENOSPC", full.errnoName());
                assertTrue(full.getMessage().contains(dir + " is full"), full.getMessage());
                assertTrue(full.getMessage().contains("cannot grow until records are taken"), full.getMessage());
                for (int i = 0; i < sent; i++) {
                    assertEquals(4096, log.poll(b.clear()));
                    assertEquals(i, b.getInt(0));
                }
                assertEquals(-1, log.poll(b.clear()));
            }
        } finally {
            if (mounted) {
                run("umount", "-l", dir.toString()); // lazily: this JVM still maps segments until GC
            }
            Files.deleteIfExists(dir);
        }
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
