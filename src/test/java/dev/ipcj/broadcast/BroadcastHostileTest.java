package dev.ipcj.broadcast;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.Adversarial;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The broadcast ring against a process that writes or truncates its object. The victims run in
 * child JVMs ({@link BroadcastVictim}) so that a crash fails loudly: every call must return
 * (on bytes that happen to be valid) or throw an IpcException, within its deadline plus the
 * sleepers' re-check slice; no other exception, no hang, no JVM crash.
 *
 * <ul>
 * <li>random bytes (random longs, small numbers, negative ones, zeros) over the header, the slot
 *     table and the first records while a publisher and two subscribers use the ring and another
 *     thread keeps opening it;
 * <li>the object truncated under live mappings (to one byte, into the header, to the header alone,
 *     and in the data area) with a subscriber asleep: it must wake with CorruptedException, and
 *     every call after must be a typed error or, on pages still there, correct.
 * </ul>
 * Sized by {@link Adversarial}: the scribbling rounds scale with it; the seed is printed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BroadcastHostileTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @EnumSource(BroadcastMode.class)
    void scribbledBytesEndInTypedExceptionsNeverACrashOrAHang(BroadcastMode mode) throws Exception {
        Random rnd = Adversarial.random("BroadcastHostileTest.scribble." + mode);
        for (int round = 0; round < Adversarial.trials(2); round++) {
            long seed = rnd.nextLong();
            ChildJvm.Result r = ChildJvm.run(BroadcastVictim.class, 60, "scribble", names.next("scribble"), mode.name(),
                    "" + seed, "1500");
            assertFalse(r.crashed(), () -> Adversarial.describe("scribble round seed " + seed + ": " + r.describe()));
            assertEquals(0, r.exit(), () -> Adversarial.describe("scribble round seed " + seed + ": " + r.describe()));
            System.out.println("BroadcastHostileTest " + mode + " scribble: " + r.lines("ok "));
        }
    }

    @ParameterizedTest(name = "{0} truncated to {1}")
    @CsvSource({"LOSSLESS, 1", "LOSSY, 4096", "LOSSLESS, 12288", "LOSSY, 12288", "LOSSLESS, 16384", "LOSSY, 1"})
    void aTruncatedObjectIsCorruptedExceptionNeverACrash(BroadcastMode mode, long size) throws Exception {
        ChildJvm.Result r = ChildJvm.run(BroadcastVictim.class, 60, "truncate", names.next("truncate"), mode.name(),
                "" + size);
        assertFalse(r.crashed(), r::describe);
        assertEquals(0, r.exit(), r::describe);
        assertTrue(r.output().contains("sleeper woke in"), r::describe);
        System.out.println("BroadcastHostileTest " + mode + " truncated to " + size + ": " + r.lines("ok "));
    }
}
