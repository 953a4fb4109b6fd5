package dev.ipcj.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.Processes;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the measurement {@link FaultPoint} rests on: in a child JVM, a probe load, then
 * {@link FaultPoint#deliver()}, then a compare-and-set on the same page, where every call site was
 * already resolved (warm, as in a ring that ran before the truncation) and the page then vanished:
 * interpreted, the probe's InternalError must be thrown before the CAS; compiled, where the CAS is
 * guarded itself, the JVM must survive it and throw the error later. (Without the
 * delivery point, JDK 17 -Xint dies of SIGBUS in Unsafe_CompareAndSetLong: the pending error is
 * thrown only at the next call into the VM, which a resolved call site does not make.)
 */
class FaultPointTest {
    @ParameterizedTest
    @ValueSource(strings = {"-Xint", "compiled"})
    void probeThenDeliverThenCasThrowsBeforeTheCas(String mode) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        if (mode.equals("-Xint")) {
            cmd.add("-Xint");
        }
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=/dev/null");
        cmd.add("-Dipcj.faultGuard=false"); // FaultPoint is the fallback for when the guard is off
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.add(mode.equals("-Xint") ? "3" : "200000");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = Processes.waitFor(p, 60);
        assertEquals(0, p.exitValue(), "child died (the CAS ran on the vanished page):\n" + out);
        // Interpreted: thrown at the delivery point, before the CAS. Compiled: the CAS is guarded
        // itself, and the error comes at the next safepoint poll, wherever that is.
        assertTrue(out.contains(mode.equals("-Xint") ? "RESULT java.lang.InternalError at stage 0"
                : "RESULT java.lang.InternalError"), out);
    }

    public static final class Child {
        static sun.misc.Unsafe u;
        static int stage;

        static void probeDeliverCas(long a) {
            stage = 0;
            long v = u.getLongVolatile(null, a);
            FaultPoint.deliver();
            stage = 1;
            u.compareAndSwapLong(null, a, v, v + 1);
            stage = 2;
        }

        public static void main(String[] args) throws Exception {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = (sun.misc.Unsafe) f.get(null);
            Path file = Path.of("/dev/shm/ipcj-test-" + ProcessHandle.current().pid() + "-faultpoint");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(8192), 0);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                long a = u.getLong(m, u.objectFieldOffset(Buffer.class.getDeclaredField("address"))) + 4096;
                int warm = Integer.parseInt(args[0]);
                for (int i = 0; i < warm; i++) {
                    probeDeliverCas(a); // resolve every call site (and compile, when many)
                }
                ch.truncate(0);
                try {
                    probeDeliverCas(a);
                    System.out.println("RESULT no fault, stage " + stage);
                } catch (Throwable t) {
                    System.out.println("RESULT " + t.getClass().getName() + " at stage " + stage);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
