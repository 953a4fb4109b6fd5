package dev.ipcj.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.test.Adversarial;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A process that scribbles over a live log's state page and segment headers and truncates its
 * files gets typed exceptions (CorruptedException where the damage is certain), no JVM crash,
 * no hang; unlink leaves a state file that is not a log in place. The scenarios run in a child
 * JVM ({@link LogHostileMain}) so that a crash is reported with its output.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SharedLogHostileTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void damageUnderALiveLogIsATypedExceptionNeverACrash() throws Exception {
        String n = names.next("hostile");
        names.onCleanup(() -> deleteByPrefix(n));
        ChildJvm.Result r = ChildJvm.run(LogHostileMain.class, 240, n, Integer.toString(Adversarial.trials(12)));
        String what = Adversarial.describe("log hostile") + ": " + r.describe();
        assertFalse(r.crashed(), what);
        assertEquals(0, r.exit(), what);
        assertTrue(r.output().contains("done"), what);
        assertEquals(List.of(), r.lines("FAIL "), what);
        assertEquals(List.of(), r.lines("UNTYPED "), what);
        assertEquals(List.of(), r.lines("LATE "), what);
        assertEquals(9, r.lines("ok ").size(), what);
    }

    private static void deleteByPrefix(String n) {
        try (Stream<Path> s = Files.list(SharedLogTest.SHM)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(n.substring(1) + "-"))
                    .collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (Exception e) {
            // best effort
        }
    }
}
