package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.NotFoundException;
import dev.ipcj.TimedOutException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network mailboxes (Transport.AERON, udp://HOST:PORT/NAME) across real processes: two JVMs on
 * loopback both ways, bounded send blocking and timing out, a receiver killed with SIGKILL, and
 * two JVMs in two network namespaces joined by a veth pair (skipped when the test may not make
 * namespaces). Each JVM runs its own embedded media driver in /dev/shm/ipcj-aeron-PID; the
 * directories of children killed here are removed after each test.
 */
class NetMailboxTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();
    private final List<Long> children = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Processes.killAll();
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (long pid : children) {
            deleteTree(new File("/dev/shm/" + AeronRuntime.DIR_PREFIX + pid));
        }
        for (Path d : dirs) {
            deleteTree(d.toFile());
        }
        for (String ns : namespaces) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private final List<Process> started = new ArrayList<>();

    static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String uri(String host, int port, String name) {
        return "udp://" + host + ":" + port + "/" + name;
    }

    @Test
    void whatTheNetworkCannotGiveIsRefusedByName() throws Exception {
        int port = freePort();
        InvalidArgumentException zero = assertThrows(InvalidArgumentException.class,
                () -> Mailbox.create(uri("127.0.0.1", port, "z"), Capacity.zero()));
        assertTrue(zero.getMessage().contains("rendezvous"), zero.getMessage());
        InvalidArgumentException unbounded = assertThrows(InvalidArgumentException.class,
                () -> Mailbox.create(uri("127.0.0.1", port, "u"), Capacity.unbounded()));
        assertTrue(unbounded.getMessage().contains("unbounded"), unbounded.getMessage());
        assertThrows(InvalidArgumentException.class, () -> Mailbox.create("/ipcj-net-x", Transport.AERON, Capacity.bounded(1)));
        assertThrows(InvalidArgumentException.class,
                () -> Mailbox.create(uri("127.0.0.1", port, "p"), Transport.RING, Capacity.bounded(1)));
        for (String bad : new String[] {"udp://127.0.0.1/x", "udp://127.0.0.1:0/x", "udp://127.0.0.1:70000/x",
                                        "udp://127.0.0.1:5000/", "udp://127.0.0.1:5000/a/b", "udp://:5000/x"}) {
            assertThrows(InvalidArgumentException.class, () -> Mailbox.open(bad), bad);
        }
        System.setProperty("ipcj.aeron.connect.ms", "700");
        try {
            long t0 = System.nanoTime();
            NotFoundException nobody = assertThrows(NotFoundException.class,
                    () -> Mailbox.open(uri("127.0.0.1", freePort(), "nobody")));
            assertTrue(nobody.getMessage().contains("no receiver answered"), nobody.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        } finally {
            System.clearProperty("ipcj.aeron.connect.ms");
        }
        assertFalse(Files.exists(Path.of(AeronRuntime.embeddedDir())), "the embedded driver outlived its last mailbox");
    }

    @Test
    void creditsBoundEachSenderAndTimedCallsEndByTheirDeadline() throws Exception {
        String u = uri("127.0.0.1", freePort(), "credits");
        try (Mailbox in = Mailbox.create(u, Capacity.bounded(3));
             Mailbox out = Mailbox.open(u)) {
            assertEquals(Transport.AERON, in.transport());
            assertEquals(Capacity.bounded(3), out.capacity());
            assertEquals(Mailbox.DEFAULT_MAX_MESSAGE_SIZE, out.maxMessageSize());
            assertThrows(InvalidArgumentException.class, out::tryReceive);
            assertThrows(InvalidArgumentException.class, () -> in.trySend(new byte[1]));
            assertThrows(InvalidArgumentException.class, () -> out.request(new byte[1], Duration.ofSeconds(1)));

            long t0 = System.nanoTime();
            assertNull(in.receive(Duration.ofMillis(300)));
            long took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300) && took < TimeUnit.MILLISECONDS.toNanos(1500),
                    "timed receive took " + took / 1_000_000 + " ms");

            for (int i = 0; i < 3; i++) {
                assertTrue(out.send(("m" + i).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)));
            }
            t0 = System.nanoTime();
            assertFalse(out.send("m3".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(400)), "a 4th message fit bounded(3)");
            took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(400) && took < TimeUnit.MILLISECONDS.toNanos(2000),
                    "timed send took " + took / 1_000_000 + " ms");
            assertFalse(out.trySend("m3".getBytes(StandardCharsets.UTF_8)));
            assertInterrupted(() -> out.send("lost".getBytes(StandardCharsets.UTF_8))); // no credit: waits until interrupted

            Message m = in.receive(Duration.ofSeconds(5));
            assertEquals("m0", m.text());
            assertEquals(ProcessHandle.current().pid(), m.sender());
            assertTrue(out.send("m3".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)), "the taken message's credit never came");
            for (int i = 1; i <= 3; i++) {
                assertEquals("m" + i, in.receive(Duration.ofSeconds(5)).text());
            }
            assertInterrupted(in::receive); // empty: waits until interrupted; the interrupted send sent nothing
            assertNull(in.receive(Duration.ofMillis(200)), "an interrupted send delivered its message");
        }
        assertFalse(Files.exists(Path.of(AeronRuntime.embeddedDir())), "the embedded driver outlived its last mailbox");
    }

    @Test
    void theDriverDirectoryOfAKilledJvmIsRemovedByTheNextDriverAndALiveOnesIsNot() throws Exception {
        String u = uri("127.0.0.1", freePort(), "left");
        Process hold = Processes.startJava(NetPeer.class, "hold", u, "1");
        children.add(hold.pid());
        assertEquals("ready", Processes.readLine(hold));
        Path left = Path.of("/dev/shm/" + AeronRuntime.DIR_PREFIX + hold.pid());
        assertTrue(Files.isDirectory(left), "the child's embedded driver is not in " + left);
        Process other = Processes.startJava(NetPeer.class, "hold", uri("127.0.0.1", freePort(), "alive"), "1");
        children.add(other.pid());
        assertEquals("ready", Processes.readLine(other));
        new ProcessBuilder("kill", "-9", String.valueOf(hold.pid())).start().waitFor();
        hold.waitFor(10, TimeUnit.SECONDS);
        assertTrue(Files.isDirectory(left), "SIGKILL left no directory: nothing to test");
        Thread.sleep(1500); // its driver's heartbeat must be older than the 1 s that proves it stopped
        try (Mailbox in = Mailbox.create(uri("127.0.0.1", freePort(), "next"), Capacity.bounded(1))) {
            assertFalse(Files.exists(left), "the killed JVM's driver directory is still there");
            assertTrue(Files.isDirectory(Path.of("/dev/shm/" + AeronRuntime.DIR_PREFIX + other.pid())),
                    "a live JVM's driver directory was removed");
        }
    }

    @Test
    void twoJvmsOnLoopbackBothWaysWholeMessagesInOrder() throws Exception {
        int max = 200_000; // past Aeron's MTU: reassembled from fragments
        String mine = uri("127.0.0.1", freePort(), "ping");
        String theirs = uri("127.0.0.1", freePort(), "echo");
        int n = 60;
        Process echo = Processes.startJava(NetPeer.class, "echo", theirs, mine, String.valueOf(n), String.valueOf(max));
        children.add(echo.pid());
        assertEquals("ready", Processes.readLine(echo));
        try (Mailbox in = Mailbox.create(mine, Transport.AERON, Capacity.bounded(8), max);
             Mailbox out = Mailbox.open(theirs)) {
            assertEquals(max, out.maxMessageSize());
            for (int i = 0; i < n; i++) {
                byte[] b = NetPeer.payload(i, n, max);
                assertTrue(out.send(b, Duration.ofSeconds(30)), "send " + i);
                Message m = in.receive(Duration.ofSeconds(30));
                if (m == null) {
                    echo.destroyForcibly();
                    echo.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("no echo of " + i + "; the echo JVM said:\n"
                            + new String(echo.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                assertArrayEquals(b, m.bytes(), "echo " + i);
                assertEquals(echo.pid(), m.sender());
                assertEquals(i, m.sequence());
            }
        }
        assertTrue(Processes.finish(echo, 30).contains("echoed " + n));
    }

    @Test
    void aBoundedSendBlocksUntilItsDeadlineAndAKilledReceiverEndsItWithATimeout() throws Exception {
        String u = uri("127.0.0.1", freePort(), "hold");
        Process hold = Processes.startJava(NetPeer.class, "hold", u, "2");
        children.add(hold.pid());
        assertEquals("ready", Processes.readLine(hold));
        try (Mailbox out = Mailbox.open(u)) {
            assertTrue(out.send(new byte[10], Duration.ofSeconds(5)));
            assertTrue(out.send(new byte[10], Duration.ofSeconds(5)));
            long t0 = System.nanoTime();
            assertFalse(out.send(new byte[10], Duration.ofMillis(500)), "a third message fit bounded(2) with no receive");
            long took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(500) && took < TimeUnit.MILLISECONDS.toNanos(2500),
                    "timed send took " + took / 1_000_000 + " ms");

            new ProcessBuilder("kill", "-9", String.valueOf(hold.pid())).start().waitFor();
            hold.waitFor(10, TimeUnit.SECONDS);
            t0 = System.nanoTime();
            TimedOutException lost = assertThrows(TimedOutException.class,
                    () -> out.send(new byte[10], Duration.ofSeconds(60)));
            took = System.nanoTime() - t0;
            assertTrue(lost.getMessage().contains("the receiver stopped answering"), lost.getMessage());
            assertTrue(took < TimeUnit.SECONDS.toNanos(30), "the sender noticed the dead receiver after "
                    + took / 1_000_000 + " ms");
        }
    }

    @Test
    void aSenderKilledMidStreamLeavesOnlyWholeMessagesAndTheReceiverGoesOn() throws Exception {
        int size = 150_000; // about a hundred Aeron fragments each
        String u = uri("127.0.0.1", freePort(), "flood");
        try (Mailbox in = Mailbox.create(u, Transport.AERON, Capacity.bounded(2), size)) {
            Process flood = Processes.startJava(NetPeer.class, "flood", u, String.valueOf(size));
            children.add(flood.pid());
            assertEquals("ready", Processes.readLine(flood));
            byte[] want = new byte[size];
            int got = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got < 10 && System.nanoTime() < until) {
                Message m = in.receive(Duration.ofSeconds(10));
                assertTrue(m != null, "the flood stopped after " + got);
                NetPeer.pattern(m.sequence(), want);
                assertArrayEquals(want, m.bytes(), "message " + m.sequence() + " is not whole");
                got++;
            }
            assertEquals(10, got);
            // the credit the last receive granted lets the next ~100 fragments fly: kill among them
            new ProcessBuilder("kill", "-9", String.valueOf(flood.pid())).start().waitFor();
            flood.waitFor(10, TimeUnit.SECONDS);
            // What the killed sender had fully sent may still come, whole; then nothing more, by the deadline.
            for (Message m; (m = in.receive(Duration.ofSeconds(1))) != null;) {
                NetPeer.pattern(m.sequence(), want);
                assertArrayEquals(want, m.bytes(), "message " + m.sequence() + " after the kill is not whole");
            }
            try (Mailbox out = Mailbox.open(u)) { // a new sender is served
                byte[] b = new byte[size];
                NetPeer.pattern(99, b);
                assertTrue(out.send(b, Duration.ofSeconds(10)));
                Message m = in.receive(Duration.ofSeconds(10));
                assertTrue(m != null, "the receiver took nothing from a new sender after the kill");
                assertArrayEquals(b, m.bytes());
            }
        }
    }

    @Test
    void withAeronDirBothJvmsUseTheStandaloneDriverThereAndStartNone() throws Exception {
        Path dir = Path.of("/dev/shm/ipcj-test-" + ProcessHandle.current().pid() + "-standalone-driver");
        dirs.add(dir);
        String d = "-Daeron.dir=" + dir;
        Process driver = startJvm(List.of(d, "-Daeron.threading.mode=SHARED", "-Daeron.dir.delete.on.shutdown=true"),
                "io.aeron.driver.MediaDriver");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(dir.resolve("cnc.dat")) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(dir.resolve("cnc.dat")), "the standalone driver did not start in " + dir);
        String echoUri = uri("127.0.0.1", freePort(), "echo");
        String pingUri = uri("127.0.0.1", freePort(), "ping");
        Process echo = startJvm(List.of(d), NetPeer.class.getName(), "echo", echoUri, pingUri, "10", "5000");
        assertEquals("ready", Processes.readLine(echo));
        assertFalse(Files.exists(Path.of("/dev/shm/" + AeronRuntime.DIR_PREFIX + echo.pid())),
                "the echo JVM started an embedded driver although aeron.dir names a standalone one");
        Process ping = startJvm(List.of(d), NetPeer.class.getName(), "ping", pingUri, echoUri, "10", "5000");
        String out = Processes.finish(ping, 60);
        assertTrue(out.contains("ok 10"), out);
        assertTrue(Processes.finish(echo, 30).contains("echoed 10"));
        assertTrue(driver.isAlive(), "ipcj stopped the standalone driver");
    }

    private final List<Path> dirs = new ArrayList<>();

    private Process startJvm(List<String> flags, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(p);
        children.add(p.pid());
        return p;
    }

    @Test
    void twoJvmsInTwoNetworkNamespacesBothWays() throws Exception {
        long me = ProcessHandle.current().pid();
        String a = "ipcj-test-" + me + "-na";
        String b = "ipcj-test-" + me + "-nb";
        String va = "ipcjv" + (me % 100000) + "a";
        String vb = "ipcjv" + (me % 100000) + "b";
        int net = (int) (me % 200) + 20;
        String ipA = "10.231." + net + ".1";
        String ipB = "10.231." + net + ".2";
        if (!sh("ip", "netns", "add", a)) {
            Assumptions.abort("cannot create network namespaces here (ip netns add needs root): skipped");
        }
        namespaces.add(a);
        assertTrue(sh("ip", "netns", "add", b));
        namespaces.add(b);
        assertTrue(sh("ip", "link", "add", va, "type", "veth", "peer", "name", vb));
        assertTrue(sh("ip", "link", "set", va, "netns", a));
        assertTrue(sh("ip", "link", "set", vb, "netns", b));
        assertTrue(sh("ip", "-n", a, "addr", "add", ipA + "/24", "dev", va));
        assertTrue(sh("ip", "-n", b, "addr", "add", ipB + "/24", "dev", vb));
        for (String[] up : new String[][] {{a, va}, {b, vb}, {a, "lo"}, {b, "lo"}}) {
            assertTrue(sh("ip", "-n", up[0], "link", "set", up[1], "up"));
        }
        int port = 40_000 + (int) (me % 20_000);
        String echoUri = uri(ipA, port, "echo");
        String pingUri = uri(ipB, port + 1, "ping");
        int n = 30;
        int max = 100_000;
        Process echo = startIn(a, "echo", echoUri, pingUri, String.valueOf(n), String.valueOf(max));
        assertEquals("ready", Processes.readLine(echo), "the echo JVM in namespace " + a);
        Process ping = startIn(b, "ping", pingUri, echoUri, String.valueOf(n), String.valueOf(max));
        String pingOut = Processes.finish(ping, 90);
        assertTrue(pingOut.contains("ok " + n), pingOut);
        assertTrue(Processes.finish(echo, 30).contains("echoed " + n));
    }

    interface Blocking {
        void run() throws Exception;
    }

    /** Runs {@code call} in a thread, interrupts it once it waits, and expects InterruptedException. */
    private static void assertInterrupted(Blocking call) throws Exception {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.start();
        Thread.sleep(300);
        assertTrue(t.isAlive(), "the call did not wait");
        t.interrupt();
        t.join(5000);
        assertFalse(t.isAlive(), "the interrupted call still waits");
        assertTrue(thrown[0] instanceof InterruptedException, "the interrupted call ended with " + thrown[0]);
    }

    private Process startIn(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", NetPeer.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(p);
        children.add(p.pid()); // ip netns exec execs the JVM: the same pid
        return p;
    }

    private static boolean sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!ok) {
            System.err.println(String.join(" ", cmd) + ": " + out);
        }
        return ok;
    }

    private static void deleteTree(File f) {
        File[] cs = f.listFiles();
        if (cs != null) {
            for (File c : cs) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
