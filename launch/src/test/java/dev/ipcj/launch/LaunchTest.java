package dev.ipcj.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher and the ready handshake, over real child JVMs and programs. */
class LaunchTest {
    /** A child: "ready [DETAIL]" then sleeps, "die" exits 3 before being ready, "hang" prints nothing. */
    public static final class Kid {
        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "ready" -> {
                    System.out.println("warming up");
                    if (args.length > 1) {
                        Ready.signal(args[1]);
                    } else {
                        Ready.signal();
                    }
                    System.out.println("prop " + System.getProperty("ipcj.launchtest"));
                    Thread.sleep(60_000);
                }
                case "die" -> {
                    System.err.println("cannot attach");
                    System.exit(3);
                }
                default -> Thread.sleep(60_000);
            }
        }
    }

    @Test
    void aChildJvmGetsReadyWithItsDetailAndTheParentsIpcjProperties() throws Exception {
        System.setProperty("ipcj.launchtest", "passed-on");
        try (Child c = Launch.java(Kid.class).args("ready", "/endpoint-1").start()) {
            assertEquals("/endpoint-1", c.awaitReady(Duration.ofSeconds(30)));
            assertEquals("prop passed-on", c.readLine(Duration.ofSeconds(10)));
        } finally {
            System.clearProperty("ipcj.launchtest");
        }
        try (Child c = Launch.java(Kid.class).args("ready").start()) {
            assertEquals("", c.awaitReady(Duration.ofSeconds(30)));
        }
    }

    @Test
    void aChildThatDiesBeforeReadySaysHowAtOnce(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("kid.err");
        long t0 = System.nanoTime();
        try (Child c = Launch.java(Kid.class).args("die").stderrTo(err).name("kid").start()) {
            ChildFailedException e = assertThrows(ChildFailedException.class, () -> c.awaitReady(Duration.ofSeconds(60)));
            assertTrue(e.getMessage().startsWith("kid (pid " + c.pid() + ") did not get ready"), e.getMessage());
            assertTrue(e.getMessage().contains("stderr: cannot attach"), e.getMessage());
            c.process().waitFor();
            assertEquals(3, c.waitFor(Duration.ofSeconds(5)));
        }
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "learned of the death long before the 60 s timeout");
    }

    @Test
    void aHangingChildTimesOutAndCloseKillsIt() throws Exception {
        Child c = Launch.java(Kid.class).args("hang").start();
        long t0 = System.nanoTime();
        assertThrows(ChildFailedException.class, () -> c.awaitReady(Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        assertNull(c.readLine(Duration.ZERO));
        c.close();
        assertFalse(c.process().isAlive());
        assertEquals(137, c.process().exitValue());
    }

    @Test
    void aProgramGetsItsArgumentsAndAHugeTimeoutDoesNotOverflow(@TempDir Path dir) throws Exception {
        Path sh = dir.resolve("kid.sh");
        Files.writeString(sh, "#!/bin/sh\necho ready \"$1\"\n");
        sh.toFile().setExecutable(true);
        try (Child c = Launch.program(sh).args("x y").start()) {
            assertEquals("x y", c.awaitReady(Duration.ofSeconds(Long.MAX_VALUE)));
            c.awaitSuccess(Duration.ofSeconds(10));
            assertNull(c.readLine(Duration.ofSeconds(Long.MAX_VALUE)), "end of output, not a wait for ever");
        }
        assertThrows(IllegalStateException.class, () -> Launch.program(sh).jvmArgs("-Xmx1m"));
        assertThrows(IllegalArgumentException.class, () -> Ready.signal("two\nlines"));
    }
}
