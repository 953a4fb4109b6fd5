package dev.ipcj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Bad arguments give one line on stderr, naming the command and where its help is, and exit
 * status 2; help gives 0.
 */
class UsageTest {
    private static void usageError(String expectedText, String usageOf, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.status(), r.toString());
        oneLine(r);
        assertTrue(r.err().contains(expectedText), r.toString());
        assertTrue(r.err().startsWith(usageOf + ": "), r.toString());
        assertTrue(r.err().contains("(see '" + usageOf + " --help')"), r.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        usageError("Unknown option: '--bogus'", "ipcj bench", "bench", "--bogus");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        usageError("Unmatched argument at index 0: 'frobnicate'", "ipcj", "frobnicate");
    }

    @Test
    void noSubcommandIsAUsageError() {
        usageError("Missing subcommand", "ipcj");
    }

    @Test
    void badValuesAreUsageErrors() {
        usageError("Unknown mechanism 'carrier-pigeon'", "ipcj bench", "bench", "-m", "carrier-pigeon");
        usageError("Bad size 'huge'", "ipcj bench", "bench", "--sizes", "8,huge");
        usageError("Size 4 out of range", "ipcj bench", "bench", "--sizes", "4");
        usageError("Bad duration 'soon'", "ipcj bench", "bench", "--duration", "soon");
        usageError("Duration 5ms out of range", "ipcj bench", "bench", "--duration", "5ms");
        usageError("--pin takes CLIENT,SERVER", "ipcj bench", "bench", "--pin=0,999");
        usageError("Invalid value for option '--iterations'", "ipcj bench", "bench", "-n", "many");
        usageError("Give NAME... or --dead", "ipcj rm", "rm");
    }

    @Test
    void helpIsNotAnError() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.status(), r.toString());
        for (String sub : new String[] {"bench", "ls", "rm", "limits", "demo", "jmh"}) {
            assertTrue(r.out().contains("  " + sub + " "), sub + " missing from\n" + r.out());
        }
        Cli b = Cli.run("bench", "--help");
        assertEquals(0, b.status(), b.toString());
        for (dev.ipcj.cli.compare.Mechanism m : dev.ipcj.cli.compare.Mechanisms.ALL) {
            assertTrue(b.out().contains(m.id()), m.id() + " missing from\n" + b.out());
        }
    }

    @Test
    void limitsPrintsEveryLimitWithTheWayToRaiseIt() {
        Cli r = Cli.run("limits");
        assertEquals(0, r.status(), r.toString());
        for (String name : new String[] {"fs.mqueue.msg_max", "fs.mqueue.msgsize_max", "fs.mqueue.queues_max",
                "RLIMIT_MSGQUEUE", "kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.msgmax",
                "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "/dev/shm size"}) {
            assertTrue(r.out().contains("  " + name + " "), name + " missing from\n" + r.out());
        }
        // The live value, read correctly: a sysctl read past its first byte answers EOF.
        String msgsize = dev.ipcj.cli.sys.Limits.mqMsgsizeMax().orElseThrow() + "";
        assertTrue(r.out().matches("(?s).*fs\\.mqueue\\.msgsize_max +" + msgsize + "\\n.*"), r.out());
        assertTrue(r.out().contains("raise: sysctl -w fs.mqueue.msgsize_max="), r.out());
        assertTrue(r.out().contains("raise: ulimit -q"), r.out());
        assertTrue(r.out().contains("mount -o remount,size="), r.out());
    }

    @Test
    void demoRefusesAnUnknownExampleNamingTheChoices() {
        Cli r = Cli.run("demo", "nosuch");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("producer-consumer") && r.err().contains("speedup"), r.toString());
    }

    @Test
    void demoRunsTheProducerConsumerAcrossTwoProcesses() {
        Cli r = Cli.run("demo", "producer-consumer", "5");
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void demoRequestGetsEachReplyAcrossTwoProcesses() {
        Cli r = Cli.run("demo", "request", "--transport", "SYSTEM_V"); // the demo's lines go to System.out
        assertEquals(0, r.status(), r.toString());
    }

    // ---------------------------------------------------------------- finding 19 of issue 10

    @Test
    void demoNamingTakesTheTransportTheReadmeDocuments() {
        Cli r = Cli.run("demo", "naming", "--transport", "SYSTEM_V");
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void jmhHelpIsNotAnError() {
        Cli r = Cli.run("jmh", "-h");
        assertEquals(0, r.status(), r.toString());
        assertTrue(!r.err().contains("Exception"), r.toString());
    }

    @Test
    void demoSpeedupRefusesANonNumberInOneLine() {
        Cli r = Cli.run("demo", "speedup", "x");
        assertEquals(2, r.status(), r.toString());
        oneLine(r);
        assertTrue(r.err().contains("'x'"), r.toString());
    }

    @Test
    void benchRefusesAnUnknownProgressMode() {
        Cli r = Cli.run("bench", "--progress", "foo", "-m", "agrona", "-n", "1", "--messages", "1", "-s", "8",
                "--out", System.getProperty("java.io.tmpdir") + "/ipcj-usage-" + ProcessHandle.current().pid());
        assertEquals(2, r.status(), r.toString());
        oneLine(r);
        assertTrue(r.err().contains("'foo'") && r.err().contains("bar") && r.err().contains("lines"), r.toString());
    }

    @Test
    void everyUsageErrorIsOneLineNamingTheCommand() {
        String[][] cases = {
                {"ipcj bench", "Unknown option: '--bogus'", "bench", "--bogus"},
                {"ipcj bench", "Unknown mechanism 'mq'", "bench", "-m", "ring-spin,mq"},
                {"ipcj bench", "Bad size 'huge'", "bench", "--sizes", "8,huge"},
                {"ipcj bench", "'many'", "bench", "-n", "many"},
                {"ipcj rm", "Give NAME... or --dead", "rm"},
                {"ipcj demo", "no example 'nosuch'", "demo", "nosuch"},
                {"ipcj", "Missing subcommand"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 2, c.length);
            Cli r = Cli.run(args);
            assertEquals(2, r.status(), r.toString());
            oneLine(r);
            assertTrue(r.err().startsWith(c[0] + ": "), r.toString());
            assertTrue(r.err().contains(c[1]), r.toString());
        }
    }

    @Test
    void everyMessagingDemoTakesEveryLocalTransportButSpeedupRefusesTheRing() {
        for (String demo : new String[] {"naming", "sync", "buffering", "request", "speedup"}) {
            for (String t : new String[] {"POSIX_MQ", "SYSTEM_V", "RING", "SHM_LOG", "shm_log"}) {
                Cli r = Cli.check("demo", demo, "--transport", t);
                boolean refused = demo.equals("speedup") && t.equals("RING");
                assertEquals(refused ? 2 : 0, r.status(), r.toString());
            }
        }
        Cli bad = Cli.check("demo", "sync", "--transport", "CARRIER_PIGEON");
        assertEquals(2, bad.status(), bad.toString());
        oneLine(bad);
        assertTrue(bad.err().contains("POSIX_MQ, SYSTEM_V, RING, SHM_LOG"), bad.toString());
        for (String[] args : new String[][] {{"demo", "5", "6"}, {"demo", "0"}, {"demo", "speedup", "0"},
                {"demo", "speedup", "2", "-1"}, {"demo", "producer-consumer", "x"}}) {
            Cli r = Cli.check(args);
            assertEquals(2, r.status(), r.toString());
            oneLine(r);
        }
    }

    @Test
    void benchDryRunListsTheScenariosAndRunsNothing() {
        Cli r = Cli.run("bench", "--dry-run", "-m", "ring-spin,posix-mq", "-s", "8,64K");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("ring-spin Java: sizes 8 B, 64 KiB"), r.toString());
        assertTrue(r.out().contains("posix-mq"), r.toString());
        assertTrue(r.err().isEmpty(), r.toString());
    }

    @Test
    void benchDryRunWithADurationSaysHowLongEachPhaseRuns() {
        Cli r = Cli.run("bench", "--dry-run", "-m", "pipe", "-s", "8", "--duration", "2s");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("each phase about 2s per size"), r.toString());
        assertTrue(r.out().contains("note: --duration 2s"), r.toString());
    }

    @Test
    void jmhTakesHelpAsEveryCommandDoesAndRefusesWhatJmhRefuses() {
        Cli help = Cli.run("jmh", "--help");
        assertEquals(0, help.status(), help.toString());
        for (String[] args : new String[][] {{"jmh", "--bogus"}, {"jmh", "-f", "x"}, {"jmh", "["}, {"jmh", "NoSuchBenchmark"}}) {
            Cli r = Cli.check(args);
            assertEquals(2, r.status(), r.toString());
            oneLine(r);
        }
    }

    private static void oneLine(Cli r) {
        assertEquals(1, r.err().lines().count(), "not one line:\n" + r);
        assertTrue(!r.err().contains("\tat "), "a stack trace:\n" + r);
    }
}
