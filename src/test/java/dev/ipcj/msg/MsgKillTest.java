package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.IpcException;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kill -9 campaign of the messaging layer: on every transport and every capacity it allows
 * (POSIX_MQ, SYSTEM_V and RING: zero and bounded; SHM_LOG: zero, bounded and unbounded), sender
 * and receiver processes are SIGKILLed at random moments and at chosen windows: between
 * counting capacity and publishing (gate-locked, gate-published), while holding the log's lock
 * (log-locked, log-written, log-committed, log-consumed), and in the middle of a rendezvous
 * (rv-offered, rv-put, rv-taken, rv-claimed; see CrashPoints). Every record carries its sender,
 * sequence and a CRC, and senders journal what their send confirmed, so the campaign counts:
 * <ul>
 * <li>lost: a record whose send returned true and that nobody received (beyond the one a killed
 *     receiver may have taken with it);
 * <li>duplicated: a record received twice, or a sender's records out of order;
 * <li>torn: a record that fails its CRC;
 * <li>wedged: afterwards, a send and a receive on fresh handles do not complete within 5 s;
 * <li>capacity leaked: afterwards, a drained bounded(n) mailbox does not take exactly n messages
 *     (the n+1-th refused).
 * </ul>
 * Each must be 0. CI runs 11 sender kills and 4 receiver kills per combination (135 planned; a
 * random victim that finishes its work before its moment is not killed);
 * {@code ./run-tests --long} 20 times as many. Seeded: see {@link Adversarial}.
 */
@org.junit.jupiter.api.Timeout(600)
class MsgKillTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final int PID = (int) ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int MAX = 128;
    private static final int BOUND = 3;
    private static final int PARALLEL = 3;
    private static final int RECEIVER_ID = MsgKillPeer.MAX_IDS - 1;

    private static final AtomicInteger KILLS = new AtomicInteger();
    private static final AtomicInteger COMBOS = new AtomicInteger();
    private static final AtomicInteger LOST = new AtomicInteger();
    private static final AtomicInteger DUPLICATED = new AtomicInteger();
    private static final AtomicInteger TORN = new AtomicInteger();
    private static final AtomicInteger WEDGED = new AtomicInteger();
    private static final AtomicInteger LEAKED = new AtomicInteger();
    /** What this process's own sender or receiver thread of the running phase is doing, for a failure's message. */
    private volatile java.util.function.Supplier<String> partner = () -> "";
    private static final Map<String, Integer> BY_WINDOW = new java.util.concurrent.ConcurrentHashMap<>();

    private final List<Process> children = new CopyOnWriteArrayList<>();

    static Stream<Arguments> combos() {
        return Stream.of(
                Arguments.of(Transport.POSIX_MQ, 0), Arguments.of(Transport.POSIX_MQ, BOUND),
                Arguments.of(Transport.SYSTEM_V, 0), Arguments.of(Transport.SYSTEM_V, BOUND),
                Arguments.of(Transport.RING, 0), Arguments.of(Transport.RING, BOUND),
                Arguments.of(Transport.SHM_LOG, 0), Arguments.of(Transport.SHM_LOG, BOUND),
                Arguments.of(Transport.SHM_LOG, -1));
    }

    @AfterAll
    static void summary() {
        System.out.println("MsgKillTest: " + KILLS.get() + " kills over " + COMBOS.get() + " transport/capacity"
                + " combinations: lost " + LOST.get() + ", duplicated " + DUPLICATED.get() + ", torn " + TORN.get()
                + ", wedged " + WEDGED.get() + ", capacity leaked " + LEAKED.get() + "; kills by window " + BY_WINDOW
                + " (seed " + Adversarial.seed() + ", scale " + Adversarial.scale() + ")");
        if (COMBOS.get() == 9) {
            assertTrue(KILLS.get() >= 120 * Adversarial.scale(), "the campaign made only " + KILLS.get() + " kills");
        }
    }

    private static List<String> senderWindows(Transport t, int cap) {
        List<String> w = new ArrayList<>();
        if (t == Transport.SYSTEM_V || t == Transport.RING) {
            w.add("gate-locked");
            w.add("gate-published");
        }
        if (t == Transport.SHM_LOG) {
            w.add("log-locked");
            w.add("log-written");
            w.add("log-committed");
        }
        if (cap == 0) {
            w.add("rv-offered");
            w.add("rv-put");
        }
        w.add("random");
        return w;
    }

    private static List<String> receiverWindows(Transport t, int cap) {
        List<String> w = new ArrayList<>();
        if (t == Transport.SHM_LOG) {
            w.add("log-consumed");
        }
        if (cap == 0) {
            w.add("rv-taken");
            w.add("rv-claimed");
        }
        w.add("random");
        return w;
    }

    @ParameterizedTest(name = "{0} capacity {1}")
    @MethodSource("combos")
    void killedSendersAndReceiversLoseDuplicateTearWedgeAndLeakNothing(Transport t, int cap) throws Exception {
        names.onCleanup(this::killChildren); // first: no child may hold or recreate the objects
        String n = "/" + IpcNames.PREFIX + PID + "-kill" + COUNTER.incrementAndGet() + "-" + t.code() + cap;
        Path progress = shmFile(names.next("kprog"), 8 * MsgKillPeer.MAX_IDS);
        Path journal = shmFile(names.next("kjrn"), 4 * MsgKillPeer.MAX_IDS * MsgKillPeer.MAX_SEQ);
        int sysvId = -1;
        Capacity capacity = cap == 0 ? Capacity.zero() : cap < 0 ? Capacity.unbounded() : Capacity.bounded(cap);
        Random rnd = Adversarial.random("MsgKillTest-" + t + cap);
        String what = t + " " + capacity;
        try (Mailbox box = Mailbox.create(n, t, capacity, MAX)) {
            sysvId = Wreckage.sysvId(n);
            int sysv = sysvId;
            names.onCleanup(() -> Wreckage.remove(n, sysv));
            int kills = 0;
            kills += senderPhase(n, box, progress, senderWindows(t, cap), Adversarial.trials(11), rnd, what);
            kills += receiverPhase(n, box, journal, receiverWindows(t, cap), Adversarial.trials(4), rnd, what);
            KILLS.addAndGet(kills);
            checkNotWedged(n, t, cap, what);
            if (cap > 0) {
                checkCapacity(n, cap, what);
            }
        }
        Mailbox.unlink(n);
        assertEquals(List.of(), MessagingTest.leftovers(n), Adversarial.describe(what + ": objects left after unlink"));
        if (sysvId >= 0) {
            assertFalse(Files.readString(Path.of("/proc/sysvipc/msg")).matches("(?s).*\\s" + sysvId + "\\s.*"),
                    Adversarial.describe(what + ": System V queue " + sysvId + " left after unlink"));
        }
        COMBOS.incrementAndGet();
    }

    // ---------------------------------------------------------------- senders killed

    /** Senders killed at chosen windows and at random; this process receives. The number of kills. */
    private int senderPhase(String n, Mailbox box, Path progressFile, List<String> windows, int count, Random rnd,
                            String what) throws Exception {
        Map<Integer, List<Long>> got = new HashMap<>();
        AtomicInteger torn = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        partner = () -> "this process receives, " + got.values().stream().mapToInt(List::size).sum() + " so far";
        Thread receiver = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Message m = box.receive(Duration.ofMillis(20));
                    if (m != null) {
                        note(got, torn, m);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IpcException e) {
                    torn.incrementAndGet(); // nothing the senders send may fail to arrive whole
                }
            }
        });
        receiver.start();
        int kills = 0;
        try {
            for (int first = 0; first < count; first += PARALLEL) {
                List<Victim> wave = new ArrayList<>();
                for (int id = first; id < Math.min(count, first + PARALLEL); id++) {
                    String w = windows.get(id % windows.size());
                    wave.add(new Victim(w, start(w, rnd, MsgKillPeer.class, "send", n, Integer.toString(id), "4000",
                            progressFile.toString())));
                }
                kills += killAll(wave, rnd, what);
            }
        } finally {
            stop.set(true);
            receiver.join(10_000);
        }
        drain(box, got, torn);
        MappedByteBuffer prog = MsgKillPeer.map(progressFile, 8 * MsgKillPeer.MAX_IDS);
        int lost = 0;
        int dup = 0;
        for (int id = 0; id < count; id++) {
            long confirmed = prog.getLong(8 * id);
            List<Long> seqs = got.getOrDefault(id, List.of());
            for (int i = 0; i < seqs.size(); i++) {
                if (seqs.get(i) != i) {
                    dup++; // out of order, repeated or skipped: reported with the list below
                    break;
                }
            }
            if (seqs.size() < confirmed) {
                lost += (int) (confirmed - seqs.size());
            }
            if (seqs.size() > confirmed + 1) {
                dup += (int) (seqs.size() - confirmed - 1);
            }
            assertTrue(seqs.size() >= confirmed && seqs.size() <= confirmed + 1 && dup == 0, Adversarial.describe(what
                    + ": sender " + id + " confirmed " + confirmed + " sends; received " + seqs));
        }
        record(lost, dup, torn.get());
        assertEquals(0, torn.get(), Adversarial.describe(what + ": torn or failed receives"));
        return kills;
    }

    // ---------------------------------------------------------------- receivers killed

    /** Receivers killed at chosen windows and at random; this process sends. The number of kills. */
    private int receiverPhase(String n, Mailbox box, Path journalFile, List<String> windows, int count, Random rnd,
                              String what) throws Exception {
        List<Long> sent = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> sendErrors = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        Thread[] senderThread = new Thread[1];
        partner = () -> "this process's sender: " + (senderThread[0] != null && senderThread[0].isAlive() ? "alive" : "ended")
                + ", " + sent.size() + " sent of " + attempts.get() + " attempted, pending " + pendingOf(box)
                + (sendErrors.isEmpty() ? "" : ", errors (last 5 of " + sendErrors.size() + "): "
                        + sendErrors.subList(Math.max(0, sendErrors.size() - 5), sendErrors.size()));
        Thread sender = new Thread(() -> {
            for (int seq = 0; seq < MsgKillPeer.MAX_SEQ && !stop.get(); seq++) {
                attempts.incrementAndGet();
                byte[] r = MsgKillPeer.record(RECEIVER_ID, seq, 24 + seq % 64);
                try {
                    while (!stop.get()) {
                        if (box.send(r, Duration.ofMillis(50))) {
                            sent.add((long) seq);
                            break;
                        }
                    }
                    while (!stop.get() && box.pending() > 8) {
                        Thread.sleep(1); // unbounded: keep a few waiting for every receiver to come, not all at once
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IpcException e) {
                    sendErrors.add(seq + ": " + e); // the seq is then not sent: the accounting below holds
                } catch (RuntimeException | Error e) {
                    sendErrors.add(seq + ": " + e + " (the sender thread ends)");
                    throw e;
                }
            }
        });
        senderThread[0] = sender;
        sender.start();
        int kills = 0;
        int allowance = 0;
        try {
            for (int i = 0; i < count; i++) {
                String w = windows.get(i % windows.size());
                Victim v = new Victim(w, start(w, rnd, MsgKillPeer.class, "recv", n, journalFile.toString()));
                kills += killAll(List.of(v), rnd, what);
                if (w.equals("random") || w.equals("rv-claimed")) {
                    allowance++; // it may have taken a record with it: delivered, to a process now dead
                }
            }
        } finally {
            stop.set(true);
            sender.join(10_000);
        }
        Map<Integer, List<Long>> got = new HashMap<>();
        AtomicInteger torn = new AtomicInteger();
        drain(box, got, torn);
        MappedByteBuffer j = MsgKillPeer.map(journalFile, 4 * MsgKillPeer.MAX_IDS * MsgKillPeer.MAX_SEQ);
        int missing = 0;
        int dup = 0;
        List<String> odd = new ArrayList<>();
        for (long seq : sent) {
            int times = j.getInt(4 * (RECEIVER_ID * MsgKillPeer.MAX_SEQ + (int) seq))
                    + (int) got.getOrDefault(RECEIVER_ID, List.of()).stream().filter(s -> s == seq).count();
            if (times == 0) {
                missing++;
                odd.add(seq + " missing");
            } else if (times > 1) {
                dup += times - 1;
                odd.add(seq + " x" + times);
            }
        }
        int lost = Math.max(0, missing - allowance);
        record(lost, dup, torn.get());
        assertTrue(lost == 0 && dup == 0 && torn.get() == 0, Adversarial.describe(what + ": of " + sent.size()
                + " confirmed sends, " + odd + " (" + allowance + " may go with killed receivers), torn " + torn));
        return kills;
    }

    private String partnerState() {
        try {
            return partner.get();
        } catch (RuntimeException e) {
            return "(" + e + ")"; // read while the thread changes it: a diagnostic only
        }
    }

    private static String pendingOf(Mailbox box) {
        try {
            return Long.toString(box.pending());
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    // ---------------------------------------------------------------- afterwards

    private void checkNotWedged(String n, Transport t, int cap, String what) throws Exception {
        try (Mailbox a = Mailbox.open(n); Mailbox b = Mailbox.open(n)) {
            AtomicBoolean received = new AtomicBoolean();
            Thread r = new Thread(() -> {
                try {
                    Message m = b.receive(Duration.ofSeconds(5));
                    received.set(m != null && m.text().equals("after"));
                } catch (Exception e) {
                    // reported below
                }
            });
            r.start();
            boolean sent = a.send("after".getBytes(), Duration.ofSeconds(5));
            r.join(10_000);
            if (!sent || !received.get()) {
                WEDGED.incrementAndGet();
                fail(Adversarial.describe(what + ": wedged after the kills (sent " + sent + ", received "
                        + received.get() + ")"));
            }
        }
    }

    private void checkCapacity(String n, int cap, String what) throws Exception {
        try (Mailbox a = Mailbox.open(n)) {
            while (a.receive(Duration.ofMillis(100)) != null) {
                // drained
            }
            int fit = 0;
            for (int i = 0; i < cap; i++) {
                if (a.send(new byte[8], Duration.ofSeconds(2))) {
                    fit++;
                }
            }
            boolean extra = a.trySend(new byte[8]);
            if (fit != cap || extra) {
                LEAKED.incrementAndGet();
                fail(Adversarial.describe(what + ": after the kills bounded(" + cap + ") took " + fit
                        + " messages" + (extra ? " and then one more" : "")));
            }
            for (int i = 0; i < cap; i++) {
                assertNotNull(a.receive(Duration.ofSeconds(1)));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void record(int lost, int dup, int torn) {
        LOST.addAndGet(lost);
        DUPLICATED.addAndGet(dup);
        TORN.addAndGet(torn);
    }

    private static void note(Map<Integer, List<Long>> got, AtomicInteger torn, Message m) {
        long key = MsgKillPeer.check(m.bytes());
        if (key < 0) {
            torn.incrementAndGet();
            return;
        }
        synchronized (got) {
            got.computeIfAbsent((int) (key / MsgKillPeer.MAX_SEQ), k -> new ArrayList<>()).add(key % MsgKillPeer.MAX_SEQ);
        }
    }

    private static void drain(Mailbox box, Map<Integer, List<Long>> got, AtomicInteger torn) throws Exception {
        for (;;) {
            Message m;
            try {
                m = box.receive(Duration.ofMillis(300));
            } catch (IpcException e) {
                torn.incrementAndGet();
                continue;
            }
            if (m == null) {
                return;
            }
            note(got, torn, m);
        }
    }

    private static Path shmFile(String name, int size) throws Exception {
        Path p = Path.of("/dev/shm", name.substring(1));
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** The thread stacks of victims that are stuck (jcmd Thread.print), for the failure message. */
    private static String threadDumps(List<Victim> stuck) {
        StringBuilder sb = new StringBuilder();
        for (Victim v : stuck) {
            sb.append("--- victim ").append(v.window).append(" pid ").append(v.process.pid()).append(":\n");
            try {
                Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(v.process.pid()), "Thread.print").redirectErrorStream(true).start();
                sb.append(Processes.waitFor(j, 20));
            } catch (Exception e) {
                sb.append("(no thread dump: ").append(e).append(")\n");
            }
            sb.append("output so far: ").append(v.lines).append('\n');
        }
        return sb.toString();
    }

    private static final class Victim {
        final String window;
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Victim(String window, Process process) {
            this.window = window;
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // the process died
                }
                lines.add("<eof>");
            });
            reader.setDaemon(true);
            reader.start();
        }
    }

    /**
     * Kills every victim of a wave once it is where it should die: at its crash point (in
     * whatever order they get there; one may wait for the lock another holds until that one is
     * killed), or, for "random", after a random 5..60 ms of work. The number of kills.
     */
    private int killAll(List<Victim> wave, Random rnd, String what) throws Exception {
        List<Victim> left = new ArrayList<>(wave);
        Map<Victim, Long> readyAt = new HashMap<>();
        Map<Victim, Long> killAt = new HashMap<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        int kills = 0;
        while (!left.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                fail(Adversarial.describe(what + ": victims never reached "
                        + left.stream().map(v -> v.window).toList()) + "; " + partnerState() + "\n" + threadDumps(left));
            }
            boolean progressed = false;
            for (Victim v : new ArrayList<>(left)) {
                String line;
                while ((line = v.lines.poll()) != null) {
                    if (line.equals("ready")) {
                        readyAt.put(v, System.nanoTime());
                        killAt.put(v, System.nanoTime() + (5 + rnd.nextInt(56)) * 1_000_000L);
                    } else if (line.equals("at " + v.window)) {
                        killAt.put(v, 0L);
                    } else if (line.equals("done") && v.window.equals("random")) {
                        // it finished its work before its random moment came: no kill
                        v.process.waitFor(10, TimeUnit.SECONDS);
                        left.remove(v);
                        progressed = true;
                        break;
                    } else if (line.equals("<eof>") || line.equals("done")) {
                        fail(Adversarial.describe(what + ": a victim (" + v.window + ") ended before it was killed"
                                + ": exit " + (v.process.waitFor(5, TimeUnit.SECONDS) ? v.process.exitValue() : -1)));
                    } else if (line.startsWith("TORN")) {
                        TORN.incrementAndGet();
                        fail(Adversarial.describe(what + ": " + line));
                    } else if (!line.startsWith("at ")) {
                        fail(Adversarial.describe(what + ": the victim said: " + line + " " + v.lines));
                    }
                }
                if (!left.contains(v)) {
                    continue;
                }
                Long at = killAt.get(v);
                boolean due = at != null && (v.window.equals("random") ? System.nanoTime() >= at : at == 0L);
                if (due) {
                    v.process.destroyForcibly(); // SIGKILL
                    v.process.waitFor(10, TimeUnit.SECONDS);
                    BY_WINDOW.merge(v.window, 1, Integer::sum);
                    left.remove(v);
                    kills++;
                    progressed = true;
                }
            }
            if (!progressed) {
                Thread.sleep(2);
            }
        }
        return kills;
    }

    private Process start(String window, Random rnd, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(Arrays.asList("-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        if (!window.equals("random")) {
            cmd.add("-Dipcj.msg.crashPoint=" + window + "@" + (1 + rnd.nextInt(3)));
        }
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    private void killChildren() {
        for (Process p : children) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
    }
}
