package dev.ipcj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.broadcast.BroadcastMode;
import dev.ipcj.broadcast.BroadcastPublisher;
import dev.ipcj.broadcast.BroadcastRing;
import dev.ipcj.broadcast.BroadcastSubscriber;
import dev.ipcj.internal.MemoryAccess;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.test.Processes;
import java.io.File;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of the packaged library sees on stderr on JDK 25: a JVM that uses the ring, the
 * broadcast ring and a message queue (MqBuffers' direct-buffer addresses) prints no
 * {@code sun.misc.Unsafe} warning (the multi-release jar's java.lang.foreign MemoryAccess) and,
 * with native access enabled the two documented ways (an executable jar's
 * {@code Enable-Native-Access: ALL-UNNAMED}, or {@code --enable-native-access=ALL-UNNAMED}), no
 * restricted-method warning either; without either it prints the restricted-method warning
 * (JavaCPP's System::loadLibrary), which the README tells users about, and which shows this test
 * can see a warning at all.
 *
 * <p>Runs only against the packaged jar (run-jdk25 sets {@code ipcj.test.classes} to it: a
 * directory of classes is never multi-release) and when a JDK 25 is there
 * ({@code ipcj.test.jdk25}, default Temurin 25's Debian path); skipped otherwise.
 */
class JdkWarningsTest {
    @TempDir
    Path dir;

    @Test
    void executableJarWithEnableNativeAccessIsSilent() throws Exception {
        Path java = jdk25();
        Path app = dir.resolve("app.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Child.class.getName());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, Arrays.stream(classPath())
                .map(e -> new File(e).toURI().toString()).collect(Collectors.joining(" ")));
        m.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
        try (OutputStream out = Files.newOutputStream(app); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        String out = run(List.of(java.toString(), "-jar", app.toString()));
        assertNoWarning(out);
    }

    @Test
    void classPathWithEnableNativeAccessIsSilent() throws Exception {
        Path java = jdk25();
        String out = run(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                String.join(File.pathSeparator, classPath()), Child.class.getName()));
        assertNoWarning(out);
    }

    @Test
    void classPathWithoutTheFlagWarnsOnlyOfTheRestrictedMethod() throws Exception {
        Path java = jdk25();
        String out = run(List.of(java.toString(), "-cp", String.join(File.pathSeparator, classPath()),
                Child.class.getName()));
        assertFalse(out.contains("Unsafe"), "a sun.misc.Unsafe warning:\n" + out);
        assertTrue(out.contains("restricted method"), "expected the restricted-method warning:\n" + out);
    }

    private static void assertNoWarning(String out) {
        assertFalse(out.contains("Unsafe"), "a sun.misc.Unsafe warning:\n" + out);
        assertFalse(out.contains("restricted method"), "a restricted-method warning:\n" + out);
        assertFalse(out.contains("WARNING"), "a warning:\n" + out);
    }

    private static String run(List<String> cmd) throws Exception {
        List<String> full = new ArrayList<>(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = Processes.waitFor(p, 60);
        assertEquals(0, p.exitValue(), "child failed:\n" + out);
        assertTrue(out.contains("MemoryAccess foreign"), "the jar's JDK 22+ MemoryAccess was not loaded:\n" + out);
        return out;
    }

    /** The JDK 25 launcher; skips the test unless it exists and the suite runs on the jar. */
    private static Path jdk25() {
        Path java = Path.of(System.getProperty("ipcj.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        assumeTrue(Files.isExecutable(java), "no JDK 25 at " + java);
        String classes = System.getProperty("ipcj.test.classes", "");
        assumeTrue(classes.endsWith(".jar"), "the suite runs on a class directory, not the multi-release jar");
        return java;
    }

    private static String[] classPath() {
        return System.getProperty("java.class.path").split(File.pathSeparator);
    }

    /** Uses the ring, the broadcast ring and a message queue once, then removes them. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            String prefix = "/ipcj-test-" + ProcessHandle.current().pid() + "-silent-";
            try (SharedRing ring = SharedRing.create(prefix + "ring", RingVariant.ONE_TO_ONE, 4096, 256)) {
                ring.producer().offer(new byte[] {1, 2, 3});
                if (ring.consumer().poll().length != 3) {
                    throw new AssertionError("ring");
                }
            } finally {
                SharedRing.unlinkIfExists(prefix + "ring");
            }
            try (BroadcastRing b = BroadcastRing.create(prefix + "bcast", BroadcastMode.LOSSY, 4096, 256)) {
                BroadcastSubscriber s = b.subscriber();
                BroadcastPublisher p = b.publisher();
                ByteBuffer direct = ByteBuffer.allocateDirect(8).putLong(0, 42);
                p.offer(direct);
                if (s.poll(ByteBuffer.allocateDirect(64)) != 8) {
                    throw new AssertionError("broadcast");
                }
            } finally {
                BroadcastRing.unlink(prefix + "bcast");
            }
            try (MessageQueue q = MessageQueue.create(prefix + "mq", 4, 64)) {
                try {
                    q.send(ByteBuffer.allocateDirect(8), 0);
                    if (q.receive(ByteBuffer.allocateDirect(64)) != 8) {
                        throw new AssertionError("mq");
                    }
                } finally {
                    q.unlink();
                }
            }
            System.out.println("MemoryAccess " + MemoryAccess.implementation());
        }
    }
}
