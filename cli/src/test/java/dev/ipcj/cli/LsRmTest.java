package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.cli.sys.Accounts;
import dev.ipcj.cli.sys.MqueueMount;
import dev.ipcj.jni.PosixMq;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.PosixShm;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.jni.SysvSem;
import dev.ipcj.jni.SysvShm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A C child creates one object of every kind and is killed with SIGKILL: {@code ipcj ls} finds
 * what it left, marked as ipcj's with a dead creator, and {@code ipcj rm} removes it. Another
 * user's object is refused without --force.
 */
class LsRmTest {
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

    @Test
    void lsFindsAndRmRemovesWhatAKilledChildLeft() throws Exception {
        Path leak = Path.of(System.getProperty("ipcj.cbin", "target/cmake"), "bench_leak");
        Assumptions.assumeTrue(Files.isExecutable(leak), leak + " is not built (mvn install at the root builds it)");
        Process p = new ProcessBuilder(leak.toString()).redirectErrorStream(true).start();
        long pid = p.pid();
        String shmName = "/ipcj-test-" + pid + "-1-shm";
        String semName = "/ipcj-test-" + pid + "-2-sem";
        String mqName = "/ipcj-test-" + pid + "-3-mq";
        cleanups.add(() -> PosixShm.shmUnlink(shmName));
        cleanups.add(() -> PosixSem.semUnlink(semName));
        cleanups.add(() -> PosixMq.mqUnlink(mqName));
        String ready = readLine(p);
        Matcher m = Pattern.compile("READY shm=(\\d+) msg=(\\d+) sem=(\\d+) mq=(\\d)").matcher(ready);
        assertTrue(m.matches(), ready);
        String shm = "shm:" + m.group(1);
        String msg = "msg:" + m.group(2);
        String sem = "sem:" + m.group(3);
        boolean mq = m.group(4).equals("1");
        cleanups.add(() -> SysvShm.shmctlRmid(Integer.parseInt(m.group(1))));
        cleanups.add(() -> SysvMsg.msgctlRmid(Integer.parseInt(m.group(2))));
        cleanups.add(() -> SysvSem.semctlRmid(Integer.parseInt(m.group(3))));

        // While it lives: listed, ipcj's, creator alive; rm --dead leaves it alone.
        Cli live = Cli.run("ls", "--ipcj");
        assertEquals(0, live.status(), live.toString());
        assertTrue(row(live.out(), shmName).matches(".*\\s" + pid + "\\s+alive\\s+yes\\s.*"), live.out());
        Cli notYet = Cli.run("rm", "--dead", "/ipcj-test-" + pid + "-*", shm, msg);
        assertEquals(0, notYet.status(), notYet.toString());
        assertTrue(Files.exists(Path.of("/dev/shm" + shmName)));

        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        boolean canListMq;
        try (MqueueMount mount = MqueueMount.open()) {
            canListMq = mount.dir() != null;
        }

        Cli ls = Cli.run("ls");
        assertEquals(0, ls.status(), ls.toString());
        String deadRow = ".*\\s" + pid + "\\s+dead\\s+yes\\s.*";
        assertTrue(row(ls.out(), shmName).startsWith("posix-shm"), ls.out());
        assertTrue(row(ls.out(), shmName).matches(deadRow), ls.out());
        assertTrue(row(ls.out(), shmName).contains("8 KiB"), ls.out());
        assertTrue(row(ls.out(), semName).startsWith("posix-sem") && row(ls.out(), semName).matches(deadRow), ls.out());
        assertTrue(row(ls.out(), shm + " ").startsWith("sysv-shm") && row(ls.out(), shm + " ").matches(deadRow), ls.out());
        assertTrue(row(ls.out(), shm + " ").contains(" 0x1ec"), ls.out());
        // The kernel records no creator for message queues' and semaphore sets' in /proc/sysvipc
        // (msg has none in its columns, sem neither): ls says unknown rather than guess.
        assertTrue(row(ls.out(), sem + " ").matches(".*\\sunknown\\s+unknown\\s+yes\\s.*"), ls.out());
        if (mq && canListMq) {
            assertTrue(row(ls.out(), mqName).startsWith("posix-mq") && row(ls.out(), mqName).matches(deadRow), ls.out());
        }

        // rm --dead removes what has a dead creator; the rest by name.
        Cli rm = Cli.run("rm", "--dead", "/ipcj-test-" + pid + "-*", shm, msg, sem);
        assertEquals(0, rm.status(), rm.toString());
        assertTrue(rm.out().contains("removed posix-shm " + shmName), rm.toString());
        assertTrue(rm.out().contains("removed posix-sem " + semName), rm.toString());
        assertTrue(rm.out().contains("removed sysv-shm " + shm), rm.toString());
        Cli rmSem = Cli.run("rm", sem, msg);
        assertEquals(0, rmSem.status(), rmSem.toString());

        assertFalse(Files.exists(Path.of("/dev/shm" + shmName)));
        assertFalse(Files.exists(Path.of("/dev/shm/sem." + semName.substring(1))));
        String sysv = Files.readString(Path.of("/proc/sysvipc/shm")) + "\n";
        assertFalse(sysvHasId("/proc/sysvipc/shm", m.group(1)), sysv);
        assertFalse(sysvHasId("/proc/sysvipc/msg", m.group(2)));
        assertFalse(sysvHasId("/proc/sysvipc/sem", m.group(3)));
        Cli after = Cli.run("ls");
        assertFalse(after.out().contains("ipcj-test-" + pid + "-"), after.out());

        Cli gone = Cli.run("rm", shmName);
        assertEquals(1, gone.status(), gone.toString());
        assertTrue(gone.err().contains(shmName + ": no such object"), gone.toString());
    }

    @Test
    void rmRefusesAnotherUsersObjectUnlessForced() throws Exception {
        Assumptions.assumeTrue(Accounts.euid() == 0, "needs root to make an object owned by someone else");
        String name = "/ipcj-test-" + ProcessHandle.current().pid() + "-9-other";
        Path file = Path.of("/dev/shm" + name);
        cleanups.add(() -> PosixShm.shmUnlink(name));
        Files.write(file, new byte[64]);
        Files.setAttribute(file, "unix:uid", 65534);

        Cli r = Cli.run("rm", name);
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("not removing posix-shm " + name + ": it belongs to " + Accounts.userName(65534)
                + " (uid 65534), you are root (uid 0); as root you may, with --force"), r.toString());
        assertTrue(Files.exists(file));

        Cli forced = Cli.run("rm", "--force", name);
        assertEquals(0, forced.status(), forced.toString());
        assertFalse(Files.exists(file));
    }

    private static String row(String ls, String name) {
        for (String line : ls.split("\n")) {
            if (!line.startsWith(" ") && line.contains(" " + name.trim() + " ")) { // rows, not the lines under them
                return line;
            }
        }
        throw new AssertionError(name + " not listed:\n" + ls);
    }

    private static boolean sysvHasId(String file, String id) throws IOException {
        for (String line : Files.readAllLines(Path.of(file))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static String readLine(Process p) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = p.getInputStream().read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }
}
