package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.msg.Mailbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code ipcj demo speedup}: competing workers over a local transport, and over network
 * mailboxes (AERON, on 127.0.0.1), each across real processes: the command, then the job with
 * one worker and with N, the same count of primes from both (the demo checks it, we check the
 * number).
 */
class SpeedupDemoTest {
    @Test
    void overTheNetworkTransportEachWorkerHasItsOwnMailboxAndTheCountIsRight() throws Exception {
        List<String> lines = runCommand("demo", "speedup", "2", "300000", "--transport", "AERON");
        String all = String.join("\n", lines);
        assertTrue(all.contains("over AERON") && all.contains("2 worker(s) over udp"), all);
        assertTrue(all.contains("25997 primes; 1 worker"), all); // pi(300000) = 25997
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                for (String pid : pidsIn(all)) {
                    assertTrue(!p.getFileName().toString().equals("ipcj-aeron-" + pid), "left behind: " + p);
                }
            }
        }
    }

    @Test
    void aLimitBelowTheChunkCountEndsWithTheRightCount() {
        // 100 = 50 chunks of 2: the parent once waited for 64 results and never ended
        Cli r = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> Cli.run("demo", "speedup", "2", "100"));
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void aWorkerKilledMidJobEndsTheDemoWithAnErrorInsteadOfAWaitForever() throws Exception {
        // 10^10 takes minutes on one worker: the kill lands while the chunks are out
        long[] pid = {0};
        try (Child c = Launch.java(Main.class).args("demo", "speedup", "2", "10000000000", "--transport", "POSIX_MQ")
                .start()) {
            pid[0] = c.pid();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<String> lines = new ArrayList<>();
            for (String line; (line = c.nextLine(deadline)) != null && !line.contains("counting primes");) {
                lines.add(line);
            }
            ProcessHandle worker = null;
            while (worker == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
                worker = ProcessHandle.of(c.pid()).flatMap(h -> h.children().findFirst()).orElse(null);
            }
            assertTrue(worker != null, "no worker started: " + lines);
            Thread.sleep(1500); // past its ready, inside the job
            worker.destroyForcibly();
            int status = c.waitFor(Duration.ofSeconds(30)); // the old demo waited for its results forever
            assertTrue(status != 0, "the demo ended with 0 although a worker was killed");
        } finally {
            // a demo that failed to end was killed before its own cleanup
            Mailbox.unlinkIfExists("/ipcj-demo-" + pid[0] + "-tasks");
            Mailbox.unlinkIfExists("/ipcj-demo-" + pid[0] + "-results");
        }
    }

    @Test
    void onlyTheSpeedupDemoTakesTheNetworkTransport() {
        assertEquals(0, Cli.check("demo", "speedup", "--transport", "AERON").status());
        for (String demo : new String[] {"naming", "sync", "buffering", "request"}) {
            Cli r = Cli.check("demo", demo, "--transport", "AERON");
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains("udp://HOST:PORT/NAME"), r.toString());
        }
        String saved = System.getProperty("ipcj.aeron.lib");
        System.setProperty("ipcj.aeron.lib", "/nonexistent-ipcj-aeron");
        try {
            Cli r = Cli.check("demo", "speedup", "--transport", "AERON");
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains("no Aeron jars in /nonexistent-ipcj-aeron"), r.toString());
        } finally {
            if (saved == null) {
                System.clearProperty("ipcj.aeron.lib");
            } else {
                System.setProperty("ipcj.aeron.lib", saved);
            }
        }
    }

    /** Runs the command in a JVM of its own (the demo's children print to its stdout): its lines. */
    private static List<String> runCommand(String... args) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        try (Child c = Launch.java(Main.class).args(args).start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (String line; (line = c.nextLine(deadline)) != null;) {
                lines.add(line);
            }
            assertEquals(0, c.waitFor(Duration.ofSeconds(30)), String.join("\n", lines));
        }
        return lines;
    }

    private static List<String> pidsIn(String output) {
        List<String> pids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid (\\d+)").matcher(output);
        while (m.find()) {
            pids.add(m.group(1));
        }
        return pids;
    }
}
