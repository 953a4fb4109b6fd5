package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.CorruptedException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.test.IpcNames;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the shared-memory log does: grow by segments, delete consumed ones, report ENOSPC, reject scribbles. */
class LogQueueTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static List<String> segments(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(name.substring(1) + ".log."))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void growsBySegmentsAndDeletesConsumedOnes() throws Exception {
        String n = names.next("seg");
        names.onCleanup(() -> LogQueue.remove(n, LogQueue.DEFAULT_DIR));
        Envelope env = new Envelope();
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        try (LogQueue q = LogQueue.create(n, LogQueue.DEFAULT_DIR, Capacity.unbounded(), 4096)) {
            int count = 700; // 700 * 4136 bytes (40 + 4096): three 1 MiB segments
            for (int i = 0; i < count; i++) {
                b.clear().putInt(0, i);
                assertTrue(q.put(new Envelope().head(1234, 0, i, 0, 0, 0), b, 0));
            }
            assertEquals(3, segments(LogQueue.DEFAULT_DIR, n).size());
            for (int i = 0; i < count; i++) {
                b.clear();
                assertTrue(q.take(b, env, 0));
                assertEquals(i, b.getInt(0));
                assertEquals(1234, env.sender());
                assertEquals(i, env.sequence());
            }
            assertFalse(q.take(b.clear(), env, 0));
            assertEquals(List.of(n.substring(1) + ".log.2"), segments(LogQueue.DEFAULT_DIR, n));
        }
        assertTrue(LogQueue.remove(n, LogQueue.DEFAULT_DIR));
        assertEquals(List.of(), segments(LogQueue.DEFAULT_DIR, n));
    }

    @Test
    void aFullFileSystemIsAnErrorThatSaysSoAndLosesNothing() throws Exception {
        Path dir = Files.createTempDirectory("ipcj-test-tmpfs");
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", dir.toString());
        try {
            assumeTrue(mounted, "needs root to mount a small tmpfs");
            String n = names.next("full");
            names.onCleanup(() -> LogQueue.remove(n, dir));
            try (LogQueue q = LogQueue.create(n, dir, Capacity.unbounded(), 4096)) {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                int sent = 0;
                LimitExceededException full = null;
                for (int i = 0; i < 1000 && full == null; i++) {
                    b.clear().putInt(0, i);
                    try {
                        assertTrue(q.put(new Envelope().head(1, 0, i, 0, 0, 0), b, 0));
                        sent++;
                    } catch (LimitExceededException e) {
                        full = e;
                    }
                }
                assertNotNull(full, "a 1.5 MiB file system held 1000 messages of 4 KiB");
                assertEquals("ENOSPC", full.errnoName());
                assertTrue(full.getMessage().contains(dir + " is full"), full.getMessage());
                assertTrue(full.getMessage().contains("cannot grow until messages are received"), full.getMessage());
                // Everything sent before the error is still there, in order.
                Envelope env = new Envelope();
                for (int i = 0; i < sent; i++) {
                    assertTrue(q.take(b.clear(), env, 0));
                    assertEquals(i, b.getInt(0));
                }
                assertFalse(q.take(b.clear(), env, 0));
            }
        } finally {
            if (mounted) {
                run("umount", "-l", dir.toString()); // lazily: this JVM still maps segments until GC
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aScribbledRecordLengthIsCorruptionNotACrash() throws Exception {
        String n = names.next("scribble");
        names.onCleanup(() -> LogQueue.remove(n, LogQueue.DEFAULT_DIR));
        try (LogQueue q = LogQueue.create(n, LogQueue.DEFAULT_DIR, Capacity.bounded(4), 64)) {
            assertTrue(q.put(new Envelope().head(1, 0, 0, 0, 0, 0), ByteBuffer.wrap("hello".getBytes()), 0));
            try (RandomAccessFile f = new RandomAccessFile("/dev/shm/" + n.substring(1) + ".log.0", "rw")) {
                f.seek(LogQueue.SEGMENT_HEADER + 8); // the first record's payload length
                f.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}); // 2^31-1
            }
            CorruptedException e = assertThrows(CorruptedException.class,
                    () -> q.take(ByteBuffer.allocate(64), new Envelope(), 0));
            assertTrue(e.getMessage().contains("says its payload is 2147483647 bytes"), e.getMessage());
        }
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
