package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finding 3 (the ring's part): the ring's object truncated while mapped. A child JVM (so that a
 * crash fails this test instead of killing the test run) attaches a producer and a consumer,
 * truncates the object under itself, then calls every operation: each must end in a typed
 * exception (CorruptedException naming the ring) or succeed (close), interpreted ({@code -Xint},
 * where the JVM does not guard compare-and-set) and compiled.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingTruncationTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @CsvSource({"ONE_TO_ONE,0,-Xint", "MANY_TO_ONE,0,-Xint", "ONE_TO_ONE,4096,-Xint", "MANY_TO_ONE,4096,-Xint",
            "ONE_TO_ONE,0,compiled", "MANY_TO_ONE,6144,compiled"})
    void everyCallOnATruncatedRingIsATypedException(RingVariant v, long size, String mode) throws Exception {
        String n = names.next("trunc");
        String out = runVictim(mode, "truncated", n, v.name(), "" + size);
        assertTrue(out.contains("\nend\n"), "the victim did not finish:\n" + out);
        assertFalse(out.contains("UNTYPED"), out);
        assertTrue(out.contains("CorruptedException"), out);
    }

    /** Runs RingVictim in a child JVM; fails if it died (a crash), returns its output. */
    static String runVictim(String mode, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        if (mode.equals("-Xint")) {
            cmd.add("-Xint");
        }
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=/dev/null");
        cmd.add("-XX:+UseSerialGC");
        if (System.getProperty("ipcj.faultGuard") != null) { // =false: the JVM's own InternalError path
            cmd.add("-Dipcj.faultGuard=" + System.getProperty("ipcj.faultGuard"));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RingVictim.class.getName());
        for (String a : args) {
            cmd.add(a);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = Processes.waitFor(p, 90);
        assertEquals(0, p.exitValue(), "the victim JVM died (exit " + p.exitValue() + "):\n" + out);
        return out;
    }
}
