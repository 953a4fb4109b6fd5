package dev.ipcj.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two processes on one log: a child JVM appends while this one takes, and a C program takes what Java appends. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedLogCrossProcessTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** The child's whole output, read while it runs (it prints more than a pipe holds), and its exit 0. */
    private static String drain(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aChildJvmAppendsAndTheParentTakesInOrder() throws Exception {
        String n = SharedLogTest.logName(names, "xjvm");
        int count = 5000;
        try (SharedLog log = SharedLog.create(n, 16, 512)) { // bounded: the child waits for room again and again
            Process child = Processes.startJava(LogPeer.class, "append", n, Integer.toString(count));
            assertEquals("ready", Processes.readLine(child));
            ByteBuffer b = ByteBuffer.allocate(512);
            for (int i = 0; i < count; i++) {
                int len = log.take(b.clear());
                ByteBuffer want = LogPeer.record(i);
                assertEquals(want.capacity(), len, "record " + i);
                assertEquals(want, b.flip(), "record " + i);
            }
            assertTrue(Processes.finish(child, 30).contains("done"));
            assertEquals(-1, log.poll(b.clear()));
        }
    }

    @Test
    void aChildJvmTakesWhatTheParentAppendsAcrossSegments() throws Exception {
        String n = SharedLogTest.logName(names, "xjvm2");
        int count = 8000; // about 1.3 MB of records up to 303 bytes: segment 1 is started and segment 0 deleted
        try (SharedLog log = SharedLog.create(n, SharedLog.UNBOUNDED, 4096)) {
            for (int i = 0; i < count; i++) {
                log.put(LogPeer.record(i));
            }
            String out = drain(Processes.startJava(LogPeer.class, "take", n, Integer.toString(count)));
            List<String> recs = new ArrayList<>();
            for (String l : out.split("\n")) {
                if (l.startsWith("rec ")) {
                    recs.add(l);
                }
            }
            assertEquals(count, recs.size(), out);
            for (int i = 0; i < count; i++) {
                assertEquals("rec " + i + " " + LogPeer.record(i).capacity(), recs.get(i));
            }
            assertEquals(0, log.size());
            assertEquals(List.of(n.substring(1) + ".log.1"), SharedLogTest.segments(SharedLogTest.SHM, n));
        }
    }

    @Test
    void aCProgramTakesWhatJavaAppendsWaitingAndWakingAcrossSegments() throws Exception {
        String n = SharedLogTest.logName(names, "xc");
        int count = 8000;
        try (SharedLog log = SharedLog.create(n, 64, 400)) {
            Process c = Processes.startC("log_peer", "take", n, Integer.toString(count), "10000");
            assertEquals("ready", Processes.readLine(c));
            java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return drain(c); // while it runs: it prints more than a pipe holds
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(100); // the C side is asleep on the items bell now: the appends must wake it
            for (int i = 0; i < count; i++) {
                log.put(LogPeer.record(i)); // bounded(64): also waits for the C taker's space bell
            }
            String out = output.get(60, TimeUnit.SECONDS);
            List<String> recs = new ArrayList<>();
            for (String l : out.split("\n")) {
                if (l.startsWith("rec ")) {
                    recs.add(l);
                }
            }
            assertEquals(count, recs.size(), out);
            for (int i = 0; i < count; i++) {
                ByteBuffer r = LogPeer.record(i);
                assertEquals("rec " + r.capacity() + " " + LogPeer.fnv(r, 0, r.capacity()), recs.get(i), "record " + i);
            }
            assertTrue(out.contains("done"), out);
            assertEquals(0, log.size());
            assertEquals(List.of(n.substring(1) + ".log.1"), SharedLogTest.segments(SharedLogTest.SHM, n),
                    "the C taker deleted the segment it finished");
            // Java takes after C: the state C committed is one Java reads.
            log.put(new byte[] {7});
            assertEquals("size 1", Processes.finish(Processes.startC("log_peer", "size", n), 10).trim());
            assertEquals("rc -90", Processes.finish(Processes.startC("log_peer", "poll", n, "0"), 10).trim(),
                    "-EMSGSIZE: a record longer than the buffer stays");
            assertEquals(1, log.poll(new byte[1]));
            assertEquals("rc -11", Processes.finish(Processes.startC("log_peer", "poll", n, "8"), 10).trim(), "-EAGAIN");
        }
    }
}
