package dev.ipcj.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.CorruptedException;
import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.test.Processes;
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
 * The fault guard ({@code ipcj_fault.h}, {@link FaultGuards}), in child JVMs, interpreted and
 * compiled: a compare-and-set on a page of an ipcj mapping that another process truncated away
 * (what killed JDK 17 when interpreted) ends in CorruptedException, the region says it was
 * truncated, and the JVM lives; a fault on a mapping that is not ipcj's still reaches the JVM's
 * own handler (InternalError), untouched by the guard.
 */
class FaultGuardTest {
    @ParameterizedTest
    @ValueSource(strings = {"-Xint", "compiled"})
    void aCasOnATruncatedPageIsCorruptedAndOtherFaultsStayTheJvms(String mode) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        if (mode.equals("-Xint")) {
            cmd.add("-Xint");
        }
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=/dev/null");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.add(mode.equals("-Xint") ? "3" : "200000");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = Processes.waitFor(p, 120);
        assertEquals(0, p.exitValue(), "child died:\n" + out);
        assertTrue(out.contains("GUARD true"), out);
        assertTrue(out.contains("CAS dev.ipcj.CorruptedException truncated=true"), out);
        assertTrue(out.contains("GET dev.ipcj.CorruptedException"), out);
        assertTrue(out.contains("FOREIGN java.lang.InternalError"), out);
    }

    public static final class Child {
        public static void main(String[] args) throws Exception {
            int warm = Integer.parseInt(args[0]);
            String name = "/ipcj-test-" + ProcessHandle.current().pid() + "-guard";
            Path foreign = Path.of("/dev/shm/ipcj-test-" + ProcessHandle.current().pid() + "-foreign");
            try (SharedMemory shm = SharedMemory.create(name, 8192); MappedRegion r = shm.map()) {
                System.out.println("GUARD " + FaultGuards.enabled());
                for (int i = 0; i < warm; i++) {
                    r.compareAndSetLong(4096, i, i + 1); // resolve (and compile, when many) every call site
                    r.getLong(4096);
                }
                // Another process truncates the object under the live mapping.
                Process t = new ProcessBuilder("truncate", "-s", "0", "/dev/shm" + name).inheritIO().start();
                if (t.waitFor() != 0) {
                    throw new IllegalStateException("truncate failed");
                }
                try {
                    r.compareAndSetLong(4096, 0, 1);
                    System.out.println("CAS no exception");
                } catch (CorruptedException e) {
                    System.out.println("CAS " + e.getClass().getName() + " truncated=" + r.isTruncated());
                }
                try {
                    r.getLong(0); // another vanished page, after the region knows
                    System.out.println("GET no exception");
                } catch (CorruptedException e) {
                    System.out.println("GET " + e.getClass().getName());
                }
            } finally {
                SharedMemory.unlinkIfExists(name);
            }
            try (FileChannel ch = FileChannel.open(foreign, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(8192), 0);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                ch.truncate(0);
                try {
                    m.getLong(4096);
                    System.out.println("FOREIGN no fault");
                } catch (Throwable t) {
                    System.out.println("FOREIGN " + t.getClass().getName());
                }
            } finally {
                Files.deleteIfExists(foreign);
            }
        }
    }
}
