package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.IpcException;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile process against messaging. While a victim process sends, receives and opens on a
 * mailbox (MsgHostilePeer), this test, as a process that may write and truncate the mailbox's
 * objects, damages them at random moments and at chosen windows (the victim paused at a
 * CrashPoints point: a sender waiting for its rendezvous, a receiver between taking and
 * claiming, a sender holding the gate or the log's lock):
 * scribbles the header (random bytes, or fields rewritten with a valid checksum), the
 * rendezvous word and the lock words (garbage, or a live process's identity), the log's state
 * and segments; truncates the header, the log and its segments; swaps the header for another
 * mailbox's, a directory, a FIFO or a link; removes objects underneath; points the header at a
 * foreign System V queue; and puts foreign frames into the queues (from C).
 * Expected: the victim never crashes, every call returns by its deadline (+2 s) with success or
 * a typed exception, a rendezvous send succeeds only for a message its receiver got, this
 * process's own calls on the damaged mailbox end typed and in time, and no foreign object
 * (another mailbox, a System V queue, a file named like a segment) is removed.
 * CI: 24 trials; {@code ./run-tests --long}: 480. Seeded: see {@link Adversarial}.
 */
@org.junit.jupiter.api.Timeout(600)
class MsgHostileTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final int PID = (int) ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    enum Damage {
        HEADER_BYTES, HEADER_FIELD, RENDEZVOUS_WORD, LOCK_LIVE, LOCK_GARBAGE, TRUNCATE_HEADER, TRUNCATE_LOG,
        TRUNCATE_SEGMENT, SWAP_HEADER, LOG_STATE, SEGMENT_BYTES, FOREIGN_FRAME, SYSV_ID, REMOVE_UNDERNEATH
    }

    private record Combo(Transport t, int cap) {
        Capacity capacity() {
            return cap == 0 ? Capacity.zero() : cap < 0 ? Capacity.unbounded() : Capacity.bounded(cap);
        }
    }

    private static final List<Combo> COMBOS = List.of(new Combo(Transport.POSIX_MQ, 0), new Combo(Transport.POSIX_MQ, 3),
            new Combo(Transport.SYSTEM_V, 0), new Combo(Transport.SYSTEM_V, 3), new Combo(Transport.RING, 0),
            new Combo(Transport.RING, 3), new Combo(Transport.SHM_LOG, 0), new Combo(Transport.SHM_LOG, 3),
            new Combo(Transport.SHM_LOG, -1));

    private static List<Damage> damages(Combo c) {
        List<Damage> d = new ArrayList<>(List.of(Damage.HEADER_BYTES, Damage.HEADER_FIELD, Damage.TRUNCATE_HEADER,
                Damage.SWAP_HEADER, Damage.REMOVE_UNDERNEATH));
        if (c.cap == 0) {
            d.add(Damage.RENDEZVOUS_WORD);
            d.add(Damage.RENDEZVOUS_WORD);
        }
        if (c.cap == 0 || c.t == Transport.SYSTEM_V || c.t == Transport.RING || c.t == Transport.SHM_LOG) {
            d.add(Damage.LOCK_LIVE);
            d.add(Damage.LOCK_GARBAGE);
        }
        if (c.t == Transport.SHM_LOG) {
            d.addAll(List.of(Damage.TRUNCATE_LOG, Damage.TRUNCATE_SEGMENT, Damage.LOG_STATE, Damage.SEGMENT_BYTES));
        }
        if (c.t == Transport.POSIX_MQ || c.t == Transport.SYSTEM_V) {
            d.add(Damage.FOREIGN_FRAME);
            d.add(Damage.FOREIGN_FRAME);
        }
        if (c.t == Transport.SYSTEM_V) {
            d.add(Damage.SYSV_ID);
        }
        return d;
    }

    private static List<String> windows(Combo c) {
        List<String> w = new ArrayList<>();
        if (c.cap == 0) {
            w.add("rv-put");
            w.add("rv-taken");
        }
        if (c.t == Transport.SYSTEM_V || c.t == Transport.RING) {
            w.add("gate-locked");
        }
        if (c.t == Transport.SHM_LOG) {
            w.add("log-locked");
            w.add("log-written");
        }
        return w;
    }

    @Test
    void aHostileProcessGetsTypedExceptionsNoHangNoFalseSuccessAndRemovesNothingForeign() throws Exception {
        Random rnd = Adversarial.random("MsgHostileTest");
        int trials = Adversarial.trials(24);
        List<String> done = new ArrayList<>();
        for (int trial = 0; trial < trials; trial++) {
            Combo c = COMBOS.get(rnd.nextInt(COMBOS.size()));
            List<Damage> ds = damages(c);
            Damage d = ds.get(rnd.nextInt(ds.size()));
            List<String> ws = windows(c);
            String window = !ws.isEmpty() && rnd.nextBoolean() ? ws.get(rnd.nextInt(ws.size())) : null;
            boolean guard = rnd.nextInt(4) != 0;
            String what = "trial " + trial + ": " + c.t + " " + c.capacity() + ", " + d + (window != null ? " at "
                    + window : " at random") + (guard ? "" : ", fault guard off");
            trial(c, d, window, guard, rnd, Adversarial.describe(what));
            done.add(what);
        }
        System.out.println("MsgHostileTest: " + trials + " trials, all typed, in time, no false success, nothing"
                + " foreign removed (seed " + Adversarial.seed() + ")");
    }

    private void trial(Combo c, Damage d, String window, boolean guard, Random rnd, String what) throws Exception {
        String n = "/" + IpcNames.PREFIX + PID + "-hostile" + COUNTER.incrementAndGet();
        String f = n + "-foreign";
        Path header = shm(n);
        Path strayFile = Path.of("/dev/shm", n.substring(1) + ".log.77"); // named like a segment, not one
        byte[] stray = new byte[256];
        rnd.nextBytes(stray);
        Files.write(strayFile, stray);
        names.onCleanup(() -> {
            try {
                Files.deleteIfExists(strayFile);
            } catch (java.io.IOException e) {
                // best effort
            }
        });
        SysvMessageQueue foreignQueue = SysvMessageQueue.create(IpcKey.PRIVATE);
        names.onCleanup(() -> {
            try {
                foreignQueue.remove();
            } catch (IpcException e) {
                // removed already: the assertion below says so
            }
        });
        Process victim = null;
        try (Mailbox box = Mailbox.create(n, c.t, c.capacity(), 64);
             Mailbox foreign = Mailbox.create(f, c.t, Capacity.bounded(2), 64)) {
            int sysvId = Wreckage.sysvId(n);
            int foreignSysv = Wreckage.sysvId(f);
            names.onCleanup(() -> Wreckage.remove(n, sysvId));
            names.onCleanup(() -> Wreckage.remove(f, foreignSysv));
            foreign.send("foreign".getBytes());

            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Xss512k"));
            if (window != null) {
                cmd.add("-Dipcj.msg.pausePoint=" + window + "@" + (1 + rnd.nextInt(3)));
            }
            // With ipcj's fault guard (the default) or without it (the JVM's own fault reports).
            cmd.add("-Dipcj.faultGuard=" + guard);
            cmd.add("-XX:-CreateCoredumpOnCrash");
            cmd.add("-XX:ErrorFile=/tmp/ipcj-test-hs_err_%p.log");
            cmd.addAll(List.of(MsgHostilePeer.class.getName(), "victim", n, "500"));
            victim = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Process v = victim;
            names.onCleanup(() -> v.destroyForcibly());
            BlockingQueue<String> lines = reader(victim);
            assertEquals("ready", lines.poll(30, TimeUnit.SECONDS), what);
            boolean paused = false;
            if (window != null) {
                String line = lines.poll(10, TimeUnit.SECONDS);
                paused = ("paused " + window).equals(line);
                if (!paused && line != null) {
                    lines.add(line); // never got there: damage at random instead
                }
            } else {
                Thread.sleep(30 + rnd.nextInt(250));
            }
            damage(d, c, n, f, header, foreignQueue, rnd, what);
            if (paused) {
                OutputStream in = victim.getOutputStream();
                in.write('\n');
                in.flush();
            }
            List<String> out = new ArrayList<>();
            long deadline = System.nanoTime() + 40_000_000_000L;
            for (String line; (line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                    TimeUnit.MILLISECONDS)) != null && !line.equals("<eof>");) {
                out.add(line);
            }
            assertTrue(victim.waitFor(10, TimeUnit.SECONDS), what + ": the victim hangs: " + out + "\n" + stacks(victim));
            String all = String.join("\n", out);
            assertEquals(0, victim.exitValue(), what + ": the victim died:\n" + all);
            assertTrue(out.contains("done"), what + ": " + all);
            assertFalse(all.contains("UNTYPED"), what + ":\n" + all);
            assertFalse(all.contains("LATE"), what + ":\n" + all);
            if (c.cap == 0) {
                Set<String> sent = set(out, "sent ");
                if (forgedClaim) {
                    sent = new HashSet<>(sent);
                    sent.removeIf(x -> !set(out, "received ").contains(x)); // at most the one claimed by the forger
                    assertTrue(set(out, "sent ").size() - sent.size() <= 1, what + ": more than the forged claim lied");
                }
                Set<String> received = set(out, "received ");
                Set<String> lie = new HashSet<>(sent);
                lie.removeAll(received);
                assertEquals(Set.of(), lie, what + ": rendezvous sends succeeded for messages no receiver got\n" + all);
            }
            ownCallsEndTypedAndInTime(n, what);
            // Nothing foreign removed: the other mailbox still holds its message, the System V queue
            // and the file named like a segment are there.
            try (Mailbox again = Mailbox.open(f)) {
                Message m = again.receive(Duration.ofSeconds(2));
                assertNotNull(m, what + ": the foreign mailbox lost its message");
                assertEquals("foreign", m.text(), what);
            }
            foreignQueue.stat();
            assertArrayEquals(stray, Files.readAllBytes(strayFile), what + ": a file named like a segment was changed");
        } finally {
            if (victim != null) {
                victim.destroyForcibly();
                victim.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** This process's own calls on the damaged mailbox: success or typed, each within 10 s. */
    private static void ownCallsEndTypedAndInTime(String n, String what) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (Mailbox m = Mailbox.open(n)) {
                typed(() -> m.send("x".getBytes(), Duration.ofMillis(30)), what);
                typed(() -> m.receive(Duration.ofMillis(30)), what);
                typed(m::pending, what);
            } catch (IpcException e) {
                // refused at open: fine
            }
            typed(() -> Mailbox.unlinkIfExists(n), what);
        }, what + ": a call on the damaged mailbox hangs");
    }

    interface Call {
        Object call() throws Exception;
    }

    private static void typed(Call c, String what) {
        try {
            c.call();
        } catch (IpcException | InterruptedException e) {
            // typed
        } catch (Throwable e) {
            if (!dev.ipcj.internal.Faults.isMappingFault(e)) {
                throw new AssertionError(what + ": untyped " + e, e);
            }
        }
    }

    private static Set<String> set(List<String> out, String prefix) {
        for (String line : out) {
            if (line.startsWith(prefix)) {
                String rest = line.substring(prefix.length()).trim();
                return rest.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(rest.split(",")));
            }
        }
        return Set.of();
    }

    // ---------------------------------------------------------------- the damage

    /** Whether the last damage forged a receiver's claim (see RENDEZVOUS_WORD). */
    private static boolean forgedClaim;

    private static void damage(Damage d, Combo c, String n, String f, Path header, SysvMessageQueue foreignQueue,
                               Random rnd, String what) throws Exception {
        forgedClaim = false;
        Path log = shm(n + ".log");
        switch (d) {
            case HEADER_BYTES:
                for (int i = 0, k = 1 + rnd.nextInt(8); i < k; i++) {
                    int at = rnd.nextInt(MailboxHeader.FILE_SIZE);
                    MailboxSafetyTest.poke(header, at, rnd.nextInt(256), 1);
                }
                break;
            case HEADER_FIELD: {
                int[] offs = {MailboxHeader.OFF_TRANSPORT, MailboxHeader.OFF_CAPACITY, MailboxHeader.OFF_MAX,
                        MailboxHeader.OFF_ID1, MailboxHeader.OFF_ID2, MailboxHeader.OFF_ID3, MailboxHeader.OFF_STATE,
                        MailboxHeader.OFF_INSTANCE};
                int at = offs[rnd.nextInt(offs.length)];
                int size = at == MailboxHeader.OFF_TRANSPORT ? 2 : at >= MailboxHeader.OFF_ID1
                        || at == MailboxHeader.OFF_INSTANCE ? 8 : 4;
                MailboxSafetyTest.poke(header, at, rnd.nextInt(5) == 0 ? 0 : rnd.nextLong(), size);
                Layout.fixChecksum(header);
                break;
            }
            case RENDEZVOUS_WORD: {
                long word = MailboxSafetyTest.peek(header, MailboxHeader.OFF_RENDEZVOUS, 8);
                long[] choices = {rnd.nextLong(), (word & ~3L) | MailboxHeader.RV_TAKEN, ((long) PID << 32) | MailboxHeader.RV_TAKEN, 0,
                        (word & ~3L) | MailboxHeader.RV_CANCELLED};
                int k = rnd.nextInt(choices.length);
                // Choice 1 forges a receiver's claim of the offer in flight, token and all: the
                // writer then is that message's receiver (as if it had taken the frame itself),
                // and the sender rightly reports success.
                forgedClaim = k == 1 && (word & 3) == MailboxHeader.RV_OFFERED;
                MailboxSafetyTest.poke(header, MailboxHeader.OFF_RENDEZVOUS, choices[k], 8);
                break;
            }
            case LOCK_LIVE:
            case LOCK_GARBAGE: {
                long value = d == Damage.LOCK_LIVE ? ProcessIdentity.self() : rnd.nextLong();
                List<Path> files = new ArrayList<>();
                List<Integer> offs = new ArrayList<>();
                if (c.cap == 0) {
                    files.add(header);
                    offs.add(MailboxHeader.OFF_TURN);
                }
                if (c.t == Transport.SYSTEM_V || c.t == Transport.RING) {
                    files.add(header);
                    offs.add(MailboxHeader.OFF_GATE);
                }
                if (c.t == Transport.SHM_LOG) {
                    files.add(log);
                    offs.add(dev.ipcj.log.LogLayout.OFF_LOCK);
                }
                int i = rnd.nextInt(files.size());
                MailboxSafetyTest.poke(files.get(i), offs.get(i), value, 8);
                break;
            }
            case TRUNCATE_HEADER:
                truncate(header, rnd.nextBoolean() ? 0 : rnd.nextInt(MailboxHeader.FILE_SIZE));
                break;
            case TRUNCATE_LOG:
                truncate(log, rnd.nextBoolean() ? 0 : rnd.nextInt(4096));
                break;
            case TRUNCATE_SEGMENT:
                for (Path p : segments(n)) {
                    truncate(p, rnd.nextBoolean() ? 0 : rnd.nextInt(1 << 20));
                }
                break;
            case SWAP_HEADER:
                switch (rnd.nextInt(4)) {
                    case 0:
                        Files.copy(shm(f), header, StandardCopyOption.REPLACE_EXISTING);
                        break;
                    case 1:
                        Files.delete(header);
                        Files.createDirectory(header);
                        break;
                    case 2:
                        Files.delete(header);
                        Files.createSymbolicLink(header, shm(f));
                        break;
                    default:
                        Files.delete(header);
                        new ProcessBuilder("mkfifo", "-m", "600", header.toString()).start().waitFor();
                }
                break;
            case LOG_STATE:
                for (int i = 0, k = 1 + rnd.nextInt(6); i < k; i++) {
                    MailboxSafetyTest.poke(log, dev.ipcj.log.LogLayout.OFF_GENERATION + 8 * rnd.nextInt(25), rnd.nextLong(), 8);
                }
                break;
            case SEGMENT_BYTES:
                for (Path p : segments(n)) {
                    for (int i = 0, k = 1 + rnd.nextInt(16); i < k; i++) {
                        MailboxSafetyTest.poke(p, rnd.nextInt(4096), rnd.nextInt(), 4);
                    }
                }
                break;
            case FOREIGN_FRAME: {
                byte[] junk = new byte[1 + rnd.nextInt(60)];
                for (int i = 0; i < junk.length; i++) {
                    junk[i] = (byte) ('a' + rnd.nextInt(26));
                }
                Process p = Processes.startC("msg_peer", "raw", n, new String(junk, StandardCharsets.US_ASCII));
                p.waitFor(10, TimeUnit.SECONDS); // may fail (queue full, header damaged): fine
                break;
            }
            case SYSV_ID:
                MailboxSafetyTest.poke(header, MailboxHeader.OFF_ID1, foreignQueue.id(), 8);
                Layout.fixChecksum(header);
                break;
            case REMOVE_UNDERNEATH:
                if (c.t == Transport.POSIX_MQ) {
                    dev.ipcj.posix.MessageQueue.unlinkIfExists(n);
                } else if (c.t == Transport.SYSTEM_V) {
                    try (SysvMessageQueue q = SysvMessageQueue.ofId(Wreckage.sysvId(n))) {
                        q.remove();
                    } catch (IpcException e) {
                        // already gone
                    }
                } else if (c.t == Transport.RING) {
                    Files.deleteIfExists(shm(n + ".ring"));
                } else {
                    for (Path p : segments(n)) {
                        Files.deleteIfExists(p);
                    }
                }
                break;
            default:
                throw new AssertionError(d);
        }
    }

    private static void truncate(Path p, long size) throws Exception {
        if (!Files.isRegularFile(p)) {
            return;
        }
        try (RandomAccessFile r = new RandomAccessFile(p.toFile(), "rw")) {
            r.setLength(size);
        }
    }

    private static List<Path> segments(String n) throws Exception {
        String base = n.substring(1) + ".log.";
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith(base) && f.substring(base.length()).chars().allMatch(Character::isDigit)
                        && !f.endsWith(".77");
            }).toList();
        }
    }

    /** The victim's thread stacks (jstack), for a hang's report. */
    private static String stacks(Process p) {
        try {
            Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
            Process j = new ProcessBuilder(jstack.toString(), Long.toString(p.pid())).redirectErrorStream(true).start();
            String s = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder();
            for (String block : s.split("\n\n")) {
                if (block.contains("dev.ipcj")) {
                    sb.append(block).append("\n\n");
                }
            }
            return sb.toString();
        } catch (Exception e) {
            return "(no stacks: " + e + ")";
        }
    }

    private static Path shm(String name) {
        return Path.of("/dev/shm", name.substring(1));
    }

    private static BlockingQueue<String> reader(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    q.add(line);
                }
            } catch (Exception e) {
                // ended
            }
            q.add("<eof>");
        });
        t.setDaemon(true);
        t.start();
        return q;
    }
}
