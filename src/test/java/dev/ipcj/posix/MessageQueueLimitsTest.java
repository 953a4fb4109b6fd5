package dev.ipcj.posix;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every limit, exceeded for real. Processes with CAP_SYS_RESOURCE pass msg_max, msgsize_max and
 * queues_max, so the checks run in a second JVM as user nobody (setpriv), with RLIMIT_MSGQUEUE
 * lowered to 64 KiB (ulimit -q).
 */
class MessageQueueLimitsTest {
    private static final long RLIMIT = 65536;

    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void thisProcessGetsTheLimitThatBindsIt() {
        MqLimits l = MqLimits.current();
        String n = names.next("mqlim");
        long tooMany = l.effectiveMsgMax() + 1;
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> MessageQueue.create(n, (int) tooMany, 16));
        String expect = l.capSysResource()
                ? "mq_open(\"" + n + "\"): EINVAL: maxMessages " + tooMany + " > 65536, the kernel's hard limit"
                : "mq_open(\"" + n + "\"): EINVAL: maxMessages " + tooMany + " > /proc/sys/fs/mqueue/msg_max "
                  + l.msgMax() + " (raise it: sysctl fs.mqueue.msg_max=" + tooMany
                  + "; processes with CAP_SYS_RESOURCE may go up to 65536)";
        assertTrue(e.getMessage().startsWith(expect), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals("EINVAL", e.errnoName());
        long tooBig = l.effectiveMsgsizeMax() + 1;
        InvalidArgumentException s = assertThrows(InvalidArgumentException.class,
                () -> MessageQueue.create(n, 1, (int) tooBig));
        assertTrue(s.getMessage().contains("maxMessageSize " + tooBig + " > "), s.getMessage());
    }

    @Test
    void unprivilegedUserMeetsEveryLimit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is needed to drop privileges");
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can switch to nobody");
        String base = names.next("mqlimu");
        names.onCleanup(() -> {
            for (String s : new String[] {"-a", "-b", "-c"}) {
                MessageQueue.unlinkIfExists(base + s);
            }
            for (int i = 0; i < 300; i++) {
                MessageQueue.unlinkIfExists(base + "-q" + i);
            }
        });
        Path dir = Files.createTempDirectory("ipcj-mq-limits", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            String cp = readableClasspath(dir);
            Path cache = Files.createDirectory(dir.resolve("cache"));
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cmd = "ulimit -q " + RLIMIT + " && exec " + java + " --enable-native-access=ALL-UNNAMED -Xshare:auto -XX:+UseSerialGC"
                    + " -XX:TieredStopAtLevel=1 -Duser.home=" + dir + " -Dorg.bytedeco.javacpp.cachedir=" + cache
                    + " -cp " + cp + " " + MqLimitsMain.class.getName() + " " + base;
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "bash", "-c", cmd)
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out = Processes.finish(p, 60);
            Map<String, String> by = new HashMap<>();
            for (String line : out.split("\n")) {
                int bar = line.indexOf('|');
                if (bar > 0) {
                    by.put(line.substring(0, bar), line.substring(bar + 1));
                }
            }
            MqLimits l = MqLimits.current();
            assertTrue(by.get("limits").contains("capSysResource=false"), out);
            assertEquals("InvalidArgumentException|mq_open(\"" + base + "-a\"): EINVAL: maxMessages " + l.msgMax() * 10
                    + " > /proc/sys/fs/mqueue/msg_max " + l.msgMax() + " (raise it: sysctl fs.mqueue.msg_max="
                    + l.msgMax() * 10 + "; processes with CAP_SYS_RESOURCE may go up to 65536)", by.get("msg_max"), out);
            assertEquals("InvalidArgumentException|mq_open(\"" + base + "-b\"): EINVAL: maxMessageSize "
                    + l.msgsizeMax() * 2 + " > /proc/sys/fs/mqueue/msgsize_max " + l.msgsizeMax()
                    + " (raise it: sysctl fs.mqueue.msgsize_max=" + l.msgsizeMax() * 2
                    + "; processes with CAP_SYS_RESOURCE may go up to 16777216)", by.get("msgsize_max"), out);
            if (MqLimits.bytesOf(l.msgMax(), l.msgsizeMax()) > RLIMIT) {
                String r = by.get("rlimit");
                assertTrue(r.startsWith("LimitExceededException|mq_open(\"" + base + "-c\"): EMFILE: the queue needs "
                        + MqLimits.bytesOf(l.msgMax(), l.msgsizeMax()) + " bytes"), out);
                assertTrue(r.contains("RLIMIT_MSGQUEUE " + RLIMIT + " bytes (raise it: ulimit -q"), out);
            }
            if (l.queuesMax() < 300) {
                String q = by.get("queues_max");
                assertNotNull(q, out);
                assertTrue(q.startsWith("LimitExceededException|mq_open(\"" + base + "-q"), out);
                assertTrue(q.contains("ENOSPC: the system already holds /proc/sys/fs/mqueue/queues_max "
                        + l.queuesMax() + " queues (raise it: sysctl fs.mqueue.queues_max="), out);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** This JVM's classpath with every jar copied where user nobody can read it. */
    private static String readableClasspath(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p)) {
                Path copy = dir.resolve(i++ + "-" + p.getFileName());
                Files.copy(p, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                out.add(copy.toString());
            } else if (Files.isDirectory(p)) {
                out.add(p.toAbsolutePath().toString()); // target/classes: readable by all
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
