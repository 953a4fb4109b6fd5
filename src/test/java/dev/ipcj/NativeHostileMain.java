package dev.ipcj;

import dev.ipcj.internal.Faults;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.PosixSemaphore;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.posix.UnnamedSemaphore;
import dev.ipcj.sysv.SemaphoreSet;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.sysv.SysvSharedMemory;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.Gen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The victim of {@link NativeHostileTest} (issue 10, suite b): a JVM that uses ipcj's objects
 * while the test process scribbles over them, truncates them or puts objects of the wrong kind
 * where they should be. It must not crash, hang past a timeout, or see an untyped exception;
 * it prints {@code VIOLATION ...} for a breach, {@code COUNTS {...}} and {@code END}.
 *
 * <pre>
 *   NativeHostileMain sem-user NAMED SHM MILLIS        use the named semaphore NAMED and the unnamed
 *                                                      one at offset 0 of SHM (scribbled on)
 *   NativeHostileMain truncation-user SHM NAMED MILLIS [cas]
 *                                                      use a region of SHM (8192 bytes, an unnamed
 *                                                      semaphore at 4096) and NAMED (truncated);
 *                                                      without "cas" only the accesses the JVM
 *                                                      guards (no compare-and-set: see casToo)
 *   NativeHostileMain kinds NAME...                    open each NAME in every way (wrong kinds)
 *   NativeHostileMain sysv-kinds SHMID MSGID SEMID     use each System V id as every other kind
 * </pre>
 */
public final class NativeHostileMain {
    static final long MARGIN_MS = 3000;
    static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
    static final AtomicInteger VIOLATIONS = new AtomicInteger();

    private NativeHostileMain() {
    }

    static void violation(String what) {
        VIOLATIONS.incrementAndGet();
        System.out.println("VIOLATION " + Adversarial.describe(what).replace('\n', ' '));
        System.out.flush();
    }

    static void count(String what) {
        COUNTS.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * Classifies an outcome: typed exceptions are fine, and so, where {@code truncation} is true,
     * is the JVM's InternalError for a vanished page (its report in compiled code can land outside
     * ipcj's catch: see Faults and MappedRegion).
     */
    static void judge(String what, Throwable t, boolean truncation, boolean interrupted) {
        if (t == null) {
            count("ok");
            return;
        }
        count(t.getClass().getSimpleName());
        if (t instanceof IpcException) {
            IpcException e = (IpcException) t;
            if (!e.getMessage().startsWith(e.call())) {
                violation(what + ": the message does not name the call: " + e.getMessage());
            }
            return;
        }
        if (t instanceof InterruptedException && interrupted) {
            return;
        }
        if (truncation && Faults.isMappingFault(t)) {
            return;
        }
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        violation(what + ": untyped " + sw.toString().replace("\n", " | "));
    }

    /**
     * A throwable that reached a worker's loop outside any call: under truncation the JVM's late
     * report of a vanished page can even land here, and again while this judges it.
     */
    static void lateReport(String what, Throwable t) {
        for (int i = 0; i < 3; i++) {
            try {
                judge(what, t, true, false);
                return;
            } catch (Throwable again) {
                if (!Faults.isMappingFault(again)) {
                    throw again;
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sem-user":
                semUser(args[1], args[2], Long.parseLong(args[3]), false);
                break;
            case "truncation-user":
                truncationUser(args[1], args[2], Long.parseLong(args[3]), args.length > 4 && args[4].equals("cas"));
                break;
            case "kinds":
                for (int i = 1; i < args.length; i++) {
                    kinds(args[i]);
                }
                break;
            case "sysv-kinds":
                sysvKinds(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("COUNTS " + new TreeMap<>(COUNTS));
        System.out.println("END");
        System.exit(VIOLATIONS.get() == 0 ? 0 : 1);
    }

    // ---- scribbled semaphores --------------------------------------------------------------

    /** The semaphores a worker uses; reopened after an open found garbage. */
    static final class ScribbledSemaphores {
        final String named;
        final String shm;
        volatile NamedSemaphore n;
        volatile UnnamedSemaphore u;
        volatile MappedRegion region;
        final boolean truncation;

        ScribbledSemaphores(String named, String shm, long unnamedAt, boolean truncation) {
            this.named = named;
            this.shm = shm;
            this.truncation = truncation;
            this.unnamedAt = unnamedAt;
        }

        final long unnamedAt;

        synchronized PosixSemaphore pick(Gen g) {
            try {
                if (g.chance(0.5)) {
                    if (n == null || g.chance(0.02)) {
                        n = NamedSemaphore.open(named);
                    }
                    return n;
                }
                if (region == null) {
                    try (SharedMemory s = SharedMemory.open(shm)) {
                        region = s.map(0, 8192, false);
                    }
                }
                if (u == null || g.chance(0.02)) {
                    u = UnnamedSemaphore.attach(region, unnamedAt);
                }
                return u;
            } catch (Throwable t) {
                judge("open/attach", t, truncation, false);
                return null;
            }
        }
    }

    static void semUser(String named, String shm, long millis, boolean truncation) throws Exception {
        ScribbledSemaphores sems = new ScribbledSemaphores(named, shm, truncation ? 4096 : 0, truncation);
        long end = System.nanoTime() + millis * 1_000_000;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Gen g = new Gen(Adversarial.random("native-hostile-sem-" + t));
            Thread w = new Thread(() -> semWork(sems, g, end), "sem-worker-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join(millis + 30_000);
            if (w.isAlive()) {
                StringBuilder sb = new StringBuilder();
                for (StackTraceElement e : w.getStackTrace()) {
                    sb.append(" at ").append(e);
                }
                violation(w.getName() + " still runs " + millis + " ms + 30 s after it began:" + sb);
                System.exit(1);
            }
        }
    }

    static void semWork(ScribbledSemaphores sems, Gen g, long end) {
        while (System.nanoTime() < end) {
            try {
                PosixSemaphore s = sems.pick(g);
                if (s == null) {
                    continue;
                }
                // Under truncation the JVM's fault reports can land anywhere, also in this loop's own
                // interrupter hand-shake: no blocking acquire with an interrupter there.
                int kind = g.random().nextInt(sems.truncation ? 8 : 10);
                if (sems.truncation && !casToo) {
                    // value(): a load only. Not even tryAcquire of a semaphore kept at 0: in compiled
                    // code a load of a vanished page yields garbage (the JVM reports the fault later),
                    // which can read as a permit and lead to a CAS.
                    kind = 7;
                }
                long timeoutMs = g.random().nextInt(20);
                long t0 = System.nanoTime();
                Thread me = Thread.currentThread();
                Thread interrupter = null;
                boolean[] interrupted = {false};
                boolean[] finished = {false};
                Throwable outcome = null;
                try {
                    switch (kind) {
                        case 0: case 1: case 2:
                            s.tryAcquire(Duration.ofMillis(timeoutMs));
                            break;
                        case 3: case 4: case 5:
                            s.release();
                            break;
                        case 6:
                            s.tryAcquire();
                            break;
                        case 7:
                            s.value();
                            break;
                        default: {
                            // A blocking acquire, ended by an interrupt if no permit comes.
                            timeoutMs = 30;
                            interrupter = new Thread(() -> {
                                try {
                                    Thread.sleep(30);
                                } catch (InterruptedException e) {
                                    return;
                                }
                                synchronized (finished) {
                                    if (!finished[0]) {
                                        interrupted[0] = true;
                                        me.interrupt();
                                    }
                                }
                            });
                            interrupter.start();
                            s.acquire();
                            break;
                        }
                    }
                } catch (Throwable t) {
                    outcome = t;
                }
                boolean wasInterrupted;
                synchronized (finished) {
                    finished[0] = true; // from here on the interrupter leaves this thread alone
                    wasInterrupted = interrupted[0];
                }
                if (interrupter != null) {
                    interrupter.interrupt();
                    while (interrupter.isAlive()) {
                        try {
                            interrupter.join();
                        } catch (InterruptedException e) {
                            // the interrupter's own interrupt, landed late: cleared below
                        }
                    }
                }
                Thread.interrupted();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > timeoutMs + MARGIN_MS) {
                    violation("semaphore op " + kind + " took " + ms + " ms, timeout " + timeoutMs + " ms");
                }
                judge("semaphore op " + kind, outcome, sems.truncation, wasInterrupted);
            } catch (Throwable t) {
                // An InternalError for a vanished page delivered outside any call (see judge).
                if (sems.truncation) {
                    lateReport("worker loop", t);
                } else {
                    judge("worker loop", t, false, false);
                }
                Thread.interrupted();
            }
        }
    }

    // ---- truncation under live mappings ----------------------------------------------------

    /**
     * Whether the truncation victim compare-and-sets too. On JDK 17 the interpreter does not guard
     * a CAS: a truncation that lands between the guarded load and the CAS (SharedAtomics) kills
     * the JVM, and under a storm of truncations the CASing code keeps being deoptimised to the
     * interpreter, so it does land there. Off in the suite; on for the measurement (see the test).
     */
    static volatile boolean casToo;

    static void truncationUser(String shm, String named, long millis, boolean cas) throws Exception {
        casToo = cas;
        Thread regionWorker = new Thread(() -> {
            Gen g = new Gen(Adversarial.random("native-hostile-region"));
            long end = System.nanoTime() + millis * 1_000_000;
            MappedRegion r = null;
            while (System.nanoTime() < end) {
                try {
                    if (r == null || g.chance(0.01)) {
                        try (SharedMemory s = SharedMemory.open(shm)) {
                            r = s.map(0, 8192, false);
                        }
                    }
                    MappedRegion region = r;
                    long off = (g.random().nextInt(8192 / 8)) * 8L;
                    Throwable outcome = null;
                    try {
                        switch (g.random().nextInt(7)) {
                            case 0: region.getLong(off); break;
                            case 1: region.putLong(off, 1); break;
                            case 2: if (casToo) { region.compareAndSetLong(off, 0, 1); } else { region.getLongVolatile(off); }
                                break;
                            case 3: if (casToo) { region.getAndAddInt(off, 1); } else { region.putIntVolatile(off, 1); }
                                break;
                            case 4: region.getBytes(off & ~63, new byte[64]); break;
                            case 5: region.putBytes(off & ~63, new byte[64]); break;
                            default: region.getIntVolatile(off); break;
                        }
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    judge("region access", outcome, true, false);
                } catch (Throwable t) {
                    lateReport("region loop", t);
                }
            }
        }, "region-worker");
        regionWorker.start();
        semUser(named, shm, millis, true);
        regionWorker.join(millis + 30_000);
        if (regionWorker.isAlive()) {
            violation("the region worker still runs");
        }
    }

    // ---- objects of the wrong kind ---------------------------------------------------------

    interface Step {
        Object run() throws Exception;
    }

    static void step(String what, Step s) {
        long t0 = System.nanoTime();
        Throwable outcome = null;
        try {
            Object r = s.run();
            if (r instanceof AutoCloseable) {
                ((AutoCloseable) r).close();
            }
        } catch (Throwable t) {
            outcome = t;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ms > MARGIN_MS) {
            violation(what + " took " + ms + " ms");
        }
        judge(what, outcome, false, false);
        System.out.println("RESULT " + what + ": " + (outcome == null ? "ok" : outcome.getClass().getSimpleName() + ": "
                + outcome.getMessage()));
    }

    /** NAME in /dev/shm (and sem.NAME) holds whatever the test put there: open it every way. */
    static void kinds(String name) {
        step("SharedMemory.open " + name, () -> {
            try (SharedMemory s = SharedMemory.open(name); MappedRegion r = s.map()) {
                return r.getByte(0);
            }
        });
        step("SharedMemory.openReadOnly " + name, () -> {
            try (SharedMemory s = SharedMemory.openReadOnly(name); MappedRegion r = s.map()) {
                return r.getByte(0);
            }
        });
        step("SharedMemory.openOrCreate " + name, () -> SharedMemory.openOrCreate(name, 64, 0600));
        step("NamedSemaphore.open " + name, () -> {
            try (NamedSemaphore s = NamedSemaphore.open(name)) {
                s.release();
                return s.tryAcquire(Duration.ofMillis(5));
            }
        });
        step("NamedSemaphore.openOrCreate " + name, () -> NamedSemaphore.openOrCreate(name, 0, 0600));
        step("UnnamedSemaphore.attach " + name, () -> {
            try (SharedMemory s = SharedMemory.open(name); MappedRegion r = s.map()) {
                UnnamedSemaphore u = UnnamedSemaphore.attach(r, 0);
                u.release();
                return u.tryAcquire(Duration.ofMillis(5));
            }
        });
        step("MessageQueue.open " + name, () -> MessageQueue.open(name));
        step("SharedMemory.open /sem." + name.substring(1), () -> SharedMemory.open("/sem." + name.substring(1)));
    }

    /** Each id used as each kind of System V object: only looked at (stat), never changed. */
    static void sysvKinds(int shmId, int msgId, int semId) {
        for (int id : new int[] {shmId, msgId, semId}) {
            step("SysvSharedMemory.ofIdReadOnly " + id, () -> SysvSharedMemory.ofIdReadOnly(id).stat());
            step("SysvMessageQueue.ofId " + id, () -> SysvMessageQueue.ofId(id).stat());
            step("SemaphoreSet.ofId " + id, () -> SemaphoreSet.ofId(id).stat());
        }
    }
}
