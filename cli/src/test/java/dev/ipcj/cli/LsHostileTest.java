package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.sys.Header;
import dev.ipcj.internal.IpcjNames;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessageQueue;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ls} and {@code rm --dead} against files another process made to look like ipcj's: a
 * FIFO where a header should be (reading it must not block), a 1 TiB sparse header (read 128
 * bytes, not all), random bytes, scribbled fields, and a System V queue a scribbled header
 * names but that the kernel's facts disown. Nothing that cannot be proven abandoned is removed.
 */
class LsHostileTest {
    private static final long ME = ProcessHandle.current().pid();
    private static final Path SHM = Path.of("/dev/shm");
    private final List<Runnable> cleanups = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Runnable r : cleanups) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // the next cleanup must still run
            }
        }
    }

    private Path file(String name) {
        Path p = SHM.resolve(name);
        cleanups.add(() -> {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        });
        return p;
    }

    @Test
    void aFifoInPlaceOfAHeaderDoesNotBlockTheReader() throws Exception {
        Path fifo = file("ipcj-test-" + ME + "-fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0);
        Header h = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Header.read("/" + fifo.getFileName()));
        assertTrue(h instanceof Header.Unreadable u && u.why().contains("not a regular file"), String.valueOf(h));
        Cli ls = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run("ls"));
        assertEquals(0, ls.status(), ls.toString());
    }

    @Test
    void hostileHeadersAreShownAndKept() throws Exception {
        long dead = RmDeadTest.deadPid();
        long dead2 = RmDeadTest.deadPid();
        long dead3 = RmDeadTest.deadPid();
        // A 1 TiB sparse file with a mailbox magic and a version 7: read in 128 bytes, kept.
        Path huge = file("ipcj-pid-" + dead);
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(1L << 40);
            f.seek(0);
            f.write(header(7, 0, (int) dead, 0).array());
        }
        // Random bytes where an inbox header should be: kept.
        Path random = file("ipcj-pid-" + dead2);
        byte[] junk = new byte[128];
        new Random(ME).nextBytes(junk);
        junk[0] = 0x42; // whatever the seed, not a magic
        Files.write(random, junk);
        // A header of the old layout (v1, which the library no longer reads), scribbled: kept.
        Path scribbled = file("ipcj-pid-" + dead3);
        Files.write(scribbled, header(1, 77, (int) dead3, 0).array());

        Cli ls = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run("ls"));
        assertEquals(0, ls.status(), ls.toString());
        assertTrue(RmDeadTest.about(ls.out(), "/ipcj-pid-" + dead).contains("version 7"), ls.out());
        assertTrue(RmDeadTest.about(ls.out(), "/ipcj-pid-" + dead3).contains("mailbox header version 1"), ls.out());
        Cli rm = Cli.run("rm", "--dead", "/ipcj-pid-" + dead, "/ipcj-pid-" + dead2, "/ipcj-pid-" + dead3);
        assertEquals(0, rm.status(), rm.toString());
        assertTrue(Files.exists(huge) && Files.exists(random) && Files.exists(scribbled), rm.toString());
        assertFalse(rm.out().contains("removed"), rm.toString());
    }

    @Test
    void aForgedInboxHeaderNamingASystemVQueueRemovesNeither() throws Exception {
        // Dead "inboxes" whose forged headers (the old v1 layout, or a v2 magic and version
        // without the checksum and name hash the library writes) name System V queues: the library
        // refuses the headers, so rm --dead keeps the files and never touches the queues. (A real
        // dead inbox on SYSTEM_V, queue included, is removed: RmDeadTest.)
        SysvMessageQueue keyed = SysvMessageQueue.create(IpcKey.of((int) (IpcjNames.KEY_BASE | 0xC11L)));
        cleanups.add(keyed::remove);
        SysvMessageQueue mine = SysvMessageQueue.create(IpcKey.PRIVATE);
        cleanups.add(mine::remove);
        long[] pids = {RmDeadTest.deadPid(), RmDeadTest.deadPid()};
        SysvMessageQueue[] queues = {keyed, mine};
        for (int i = 0; i < 2; i++) {
            Files.write(file("ipcj-pid-" + pids[i]), header(1 + i, 2, (int) pids[i], queues[i].id()).array());
        }
        Cli rm = Cli.run("rm", "--dead", "/ipcj-pid-" + pids[0], "/ipcj-pid-" + pids[1],
                "msg:" + keyed.id(), "msg:" + mine.id());
        assertEquals(0, rm.status(), rm.toString());
        assertFalse(rm.out().contains("removed"), rm.toString());
        keyed.stat(); // still there
        mine.stat();
    }

    /** A mailbox header: magic, version, transport code, bounded(4), 64-byte messages, owner, word. */
    private static ByteBuffer header(int version, int transport, int owner, long word) {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        b.putInt(0, Header.MAILBOX_MAGIC).putShort(4, (short) version).putShort(6, (short) transport)
                .putInt(8, 4).putInt(12, 64).putInt(16, owner).putLong(24, word);
        return b;
    }
}
