package dev.ipcj;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.Adversarial;
import dev.ipcj.test.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, adversarial suite (a): property-based fuzzing of the public API of dev.ipcj,
 * dev.ipcj.posix and dev.ipcj.sysv ({@link NativeFuzzMain} says what the property is), in a
 * child JVM so that a crash fails here with the child's output. CI: scale 1; {@code ./run-tests
 * --long} runs 20 times the trials; {@code -Dipcj.adversarial.seed=N} repeats a run.
 */
class NativeFuzzTest {
    /** Every public method and constructor, one null reference argument at a time. */
    @Test
    void aNullArgumentIsAlwaysInvalidArgumentExceptionNamingTheParameter() throws Exception {
        expectClean(ChildJvm.run(NativeFuzzMain.class, 300, "nulls"), "null sweep");
    }

    /** Random calls with Gen's misuse values, closed handles and closes racing calls. */
    @Test
    void randomMisuseEndsInTypedExceptionsWithinTheTimeout() throws Exception {
        int trials = Adversarial.trials(1500);
        expectClean(ChildJvm.run(NativeFuzzMain.class, 120 + trials / 10, "random", Integer.toString(trials)),
                trials + " random calls");
    }

    private static void expectClean(ChildJvm.Result r, String what) {
        String where = Adversarial.describe(what);
        assertFalse(r.crashed(), where + ": the JVM crashed\n" + r.describe());
        assertFalse(r.timedOut(), where + ": the child did not finish\n" + r.describe());
        List<String> violations = r.lines("VIOLATION ");
        assertEquals(List.of(), violations, where + "\n" + r.describe());
        assertEquals(0, r.exit(), where + "\n" + r.describe());
        assertTrue(r.output().contains("END"), where + "\n" + r.describe());
        System.out.println(what + ": " + r.lines("CALLS ") + " " + r.lines("OUTCOMES "));
    }
}
