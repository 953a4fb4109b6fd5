package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.msg.Mailbox;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.jni.SysvMsg;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ipcj rm --dead} and the library's own objects: the inbox of a killed process
 * ({@code /ipcj-pid-N} and every part of it, on each transport, a System V queue included) and
 * its registered name are removed; a named mailbox and a named ring the same process created are
 * kept (they outlive their creator by design), and {@code ls} shows what their headers say. A
 * header of a version this ipcj does not know, a name file that holds no pid, and a name held by a
 * live process are kept.
 */
class RmDeadTest {
    private static final long ME = ProcessHandle.current().pid();
    private static final Path SHM = Path.of("/dev/shm");
    private final List<Runnable> cleanups = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(Process::destroyForcibly);
        for (Runnable r : cleanups) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // the next cleanup must still run
            }
        }
    }

    /** One child per transport (one has capacity zero, so its mailbox has turn and ack semaphores). */
    private static final String[][] CASES = {
            {"POSIX_MQ", "4"}, {"SYSTEM_V", "4"}, {"RING", "4"}, {"SHM_LOG", "zero"}};

    @Test
    void removesTheInboxesAndNamesOfKilledProcessesAndKeepsTheirNamedObjects() throws Exception {
        List<long[]> pids = new ArrayList<>();
        List<String> boxes = new ArrayList<>();
        List<String> rings = new ArrayList<>();
        List<String> regs = new ArrayList<>();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < CASES.length; i++) {
            String reg = "ipcj-test-" + ME + "-" + i + "-svc";
            String box = "/clitest-" + ME + "-" + i + "-box";   // not ipcj's naming convention: a user's name
            String ring = "/clitest-" + ME + "-" + i + "-ring";
            regs.add(reg);
            boxes.add(box);
            rings.add(ring);
            cleanups.add(() -> Mailbox.unlinkIfExists(box));
            cleanups.add(() -> SharedRing.unlinkIfExists(ring));
            cleanups.add(() -> {
                try {
                    Files.deleteIfExists(SHM.resolve("ipcj-name." + reg));
                } catch (IOException e) {
                    // best effort
                }
            });
            Process p = child(InboxHolder.class, CASES[i][0], CASES[i][1], reg, box, ring);
            children.add(p);
            ps.add(p);
            String inbox = "/ipcj-pid-" + p.pid();
            cleanups.add(() -> Mailbox.unlinkIfExists(inbox));
        }
        List<Integer> sysvIds = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Process p = ps.get(i);
            String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(ready != null && ready.startsWith("READY "), "child " + CASES[i][0] + ": " + ready);
            if (CASES[i][0].equals("SYSTEM_V")) {
                // The inbox's System V queue is IPC_PRIVATE: only its header finds it.
                int id = (int) Mailbox.inspect("/ipcj-pid-" + p.pid()).systemVQueueId();
                sysvIds.add(id);
                cleanups.add(() -> SysvMsg.msgctlRmid(id));
                int boxId = (int) Mailbox.inspect(boxes.get(i)).systemVQueueId();
                cleanups.add(() -> SysvMsg.msgctlRmid(boxId));
            }
        }
        List<String> patterns = new ArrayList<>(List.of("rm", "--dead"));
        for (Process p : ps) {
            patterns.add("/ipcj-pid-" + p.pid() + "*");
        }
        patterns.add("/ipcj-name.ipcj-test-" + ME + "-*");
        patterns.add("/clitest-" + ME + "-*");
        for (int id : sysvIds) {
            patterns.add("msg:" + id);
        }

        // While they live nothing of theirs is removed.
        Cli early = Cli.run(patterns.toArray(new String[0]));
        assertEquals(0, early.status(), early.toString());
        assertFalse(early.out().contains("removed"), early.toString());
        Cli liveLs = Cli.run("ls");
        String inbox0 = "/ipcj-pid-" + ps.get(0).pid();
        assertTrue(row(liveLs.out(), inbox0).matches(".*\\s" + ps.get(0).pid() + "\\s+alive\\s+yes\\s.*"), liveLs.out());

        for (Process p : ps) {
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }

        // ls: the inbox's creator is dead; the named mailbox and ring say what their headers hold.
        Cli ls = Cli.run("ls");
        assertEquals(0, ls.status(), ls.toString());
        for (Process p : ps) {
            String inbox = "/ipcj-pid-" + p.pid();
            assertTrue(row(ls.out(), inbox).matches("posix-shm .*\\s" + p.pid() + "\\s+dead\\s+yes\\s.*"), ls.out());
            assertTrue(about(ls.out(), inbox).contains("inbox of process " + p.pid()), ls.out());
        }
        for (int i = 0; i < ps.size(); i++) {
            String a = about(ls.out(), boxes.get(i));
            assertTrue(a.contains("mailbox") && a.contains(CASES[i][0]), ls.out());
            assertTrue(about(ls.out(), rings.get(i)).contains("producer " + ps.get(i).pid() + " (dead)"), ls.out());
        }

        Cli rm = Cli.run(patterns.toArray(new String[0]));
        assertEquals(0, rm.status(), rm.toString());
        for (Process p : ps) {
            String base = "ipcj-pid-" + p.pid();
            assertTrue(rm.out().contains("removed posix-shm /" + base + "\n"), rm.toString());
            assertEquals(List.of(), shmFiles(base), rm.toString());
            assertFalse(mqExists("/" + base), rm.toString());
        }
        for (int id : sysvIds) {
            assertTrue(rm.out().contains("removed sysv-msg msg:" + id), rm.toString());
            assertTrue(SysvMsg.msgctlRmid(id) != 0, "System V queue " + id + " still there");
        }
        for (String reg : regs) {
            assertTrue(rm.out().contains("removed posix-shm /ipcj-name." + reg), rm.toString());
            assertFalse(Files.exists(SHM.resolve("ipcj-name." + reg)), rm.toString());
        }
        // Never destroyed: a named mailbox or ring outlives its creator, like a file.
        for (int i = 0; i < ps.size(); i++) {
            assertTrue(Files.exists(SHM.resolve(boxes.get(i).substring(1))), rm.toString());
            assertTrue(Files.exists(SHM.resolve(rings.get(i).substring(1))), rm.toString());
        }
        assertFalse(rm.out().contains("/clitest-"), rm.toString());

        // By name, a mailbox goes whole: header, queue, ring, log, semaphores, its System V queue.
        for (int i = 0; i < ps.size(); i++) {
            String base = boxes.get(i).substring(1);
            Cli byName = Cli.run("rm", boxes.get(i), rings.get(i));
            assertEquals(0, byName.status(), byName.toString());
            assertEquals(List.of(), shmFiles(base), byName.toString());
            assertFalse(mqExists(boxes.get(i)), byName.toString());
            assertFalse(Files.exists(SHM.resolve(rings.get(i).substring(1))), byName.toString());
            if (CASES[i][0].equals("SYSTEM_V")) {
                assertTrue(byName.out().contains("removed sysv-msg msg:"), byName.toString());
            }
        }
    }

    @Test
    void keepsWhatItCannotProveAbandoned() throws Exception {
        long dead = deadPid();
        long dead2 = deadPid();
        // An inbox header of a version this ipcj does not know: shown, never removed.
        Path unknown = SHM.resolve("ipcj-pid-" + dead);
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        b.putInt(0, 0x58424D49).putShort(4, (short) 99).putInt(16, (int) dead);
        cleanups.add(() -> delete(unknown));
        Files.write(unknown, b.array());
        // An inbox its creator never finished (the header file is empty): removed.
        Path empty = SHM.resolve("ipcj-pid-" + dead2);
        cleanups.add(() -> delete(empty));
        Files.write(empty, new byte[0]);
        // Name files: one holds no pid, one names this live process, one a dead one.
        Path garbage = SHM.resolve("ipcj-name.ipcj-test-" + ME + "-garbage");
        Path live = SHM.resolve("ipcj-name.ipcj-test-" + ME + "-live");
        Path gone = SHM.resolve("ipcj-name.ipcj-test-" + ME + "-gone");
        for (Path p : List.of(garbage, live, gone)) {
            cleanups.add(() -> delete(p));
        }
        Files.writeString(garbage, "hello");
        Files.writeString(live, Long.toString(ME));
        Files.writeString(gone, Long.toString(dead));

        String[] args = {"rm", "--dead", "/ipcj-pid-" + dead, "/ipcj-pid-" + dead2, "/ipcj-name.ipcj-test-" + ME + "-*"};
        Cli ls = Cli.run("ls");
        assertTrue(about(ls.out(), "/ipcj-pid-" + dead).contains("version 99"), ls.out());
        Cli rm = Cli.run(args);
        assertEquals(0, rm.status(), rm.toString());
        assertTrue(Files.exists(unknown), rm.toString());
        assertTrue(Files.exists(garbage), rm.toString());
        assertTrue(Files.exists(live), rm.toString());
        assertFalse(Files.exists(gone), rm.toString());
        assertFalse(Files.exists(empty), rm.toString());
    }

    @Test
    void keepsADeadInboxWholeWhileALiveProcessHoldsOneOfItsParts() throws Exception {
        String reg = "ipcj-test-" + ME + "-held";
        String box = "/clitest-" + ME + "-held-box";
        String ring = "/clitest-" + ME + "-held-ring";
        cleanups.add(() -> Mailbox.unlinkIfExists(box));
        cleanups.add(() -> SharedRing.unlinkIfExists(ring));
        cleanups.add(() -> delete(SHM.resolve("ipcj-name." + reg)));
        Process p = child(InboxHolder.class, "SHM_LOG", "4", reg, box, ring);
        children.add(p);
        String inbox = "/ipcj-pid-" + p.pid();
        cleanups.add(() -> Mailbox.unlinkIfExists(inbox));
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(ready != null && ready.startsWith("READY "), ready);
        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));

        // Another live process holds the log's state file open (a sender that has not closed its handle).
        Process holder = new ProcessBuilder("sh", "-c", "exec 3< /dev/shm" + inbox + ".log; echo held; exec sleep 60").start();
        children.add(holder);
        assertEquals("held", new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine());
        Cli kept = Cli.run("rm", "--dead", inbox + "*");
        assertEquals(0, kept.status(), kept.toString());
        assertFalse(kept.out().contains("removed"), kept.toString());
        assertTrue(kept.out().contains("is in use"), kept.toString());
        assertTrue(Files.exists(SHM.resolve(inbox.substring(1))), kept.toString());

        holder.destroyForcibly();
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        Cli rm = Cli.run("rm", "--dead", inbox + "*");
        assertEquals(0, rm.status(), rm.toString());
        assertEquals(List.of(), shmFiles(inbox.substring(1)), rm.toString());
    }

    // ------------------------------------------------------------------ helpers

    static Process child(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** A pid no process has now: that of a child that has exited. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.pid();
    }

    private static ByteBuffer header(String file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(SHM.resolve(file))).order(ByteOrder.nativeOrder());
    }

    private static List<String> shmFiles(String base) throws IOException {
        try (Stream<Path> s = Files.list(SHM)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.equals(base) || n.startsWith(base + ".") || n.startsWith("sem." + base + "."))
                    .toList();
        }
    }

    private static boolean mqExists(String name) {
        return dev.ipcj.jni.PosixMq.mqUnlink(name) == 0; // 0: it was there (and is now gone)
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    /** The row of {@code name} in ls output (a line that starts with its kind). */
    static String row(String ls, String name) {
        for (String line : ls.split("\n")) {
            if (!line.startsWith(" ") && line.contains(" " + name + " ")) {
                return line;
            }
        }
        throw new AssertionError(name + " not listed:\n" + ls);
    }

    /** The indented lines under the row of {@code name}: what its header says. */
    static String about(String ls, String name) {
        String[] lines = ls.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith(" ") && lines[i].contains(" " + name + " ")) {
                StringBuilder sb = new StringBuilder();
                for (int j = i + 1; j < lines.length && lines[j].startsWith(" "); j++) {
                    sb.append(lines[j].trim()).append('\n');
                }
                return sb.toString();
            }
        }
        throw new AssertionError(name + " not listed:\n" + ls);
    }
}
