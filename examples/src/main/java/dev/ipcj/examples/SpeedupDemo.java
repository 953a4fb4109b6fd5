package dev.ipcj.examples;

import static dev.ipcj.examples.Examples.say;

import dev.ipcj.launch.Child;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Message;
import dev.ipcj.msg.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Computational speedup: one job (count the primes below LIMIT) split into chunks that N worker
 * processes take from a shared "tasks" mailbox; each sends its count to a "results" mailbox.
 * The job runs once with 1 worker and once with N, timed from the first task sent to the last
 * result received (workers are started and ready before the clock starts), and the speedup is
 * printed. On a machine with fewer idle cores than N the speedup is smaller than N.
 *
 * <p>Over {@link Transport#AERON} a network mailbox has exactly one receiver, so the workers
 * cannot compete for one "tasks" mailbox: each worker creates its own,
 * {@code udp://127.0.0.1:PORT/tasks}, and the parent deals the chunks out by demand (two to each
 * worker at the start, then the next one to whichever worker just sent a result) through the
 * network mailbox {@code udp://127.0.0.1:PORT/results} it receives on. Every process here is on
 * this machine; the messages go through UDP and each JVM's Aeron media driver all the same.
 *
 * <p>Run: {@code ./ipcj demo speedup [N [LIMIT]] [--transport T]} (N defaults to the number of
 * processors, LIMIT to 10000000).
 */
public final class SpeedupDemo {
    /** A task: the range [lo, hi) to search; lo = hi = -1 tells a worker to stop. */
    record Range(long lo, long hi) {
    }

    static final Codec<Range> RANGE = Codec.of((r, b) -> b.putLong(r.lo()).putLong(r.hi()),
            b -> new Range(b.getLong(), b.getLong()));
    static final Codec<Long> LONG = Codec.of((v, b) -> b.putLong(v), b -> b.getLong());
    /** A network worker's result: which worker, and its count (-1: ready). */
    record Result(int worker, long count) {
    }

    static final Codec<Result> RESULT = Codec.of((r, b) -> b.putInt(r.worker()).putLong(r.count()),
            b -> new Result(b.getInt(), b.getLong()));
    /** Chunks a network worker holds at once: one to count while the next is on its way. */
    static final int NET_WINDOW = 2;
    static final int CHUNKS = 64;
    public static final long DEFAULT_LIMIT = 10_000_000L;
    /** Counting to 10^12 takes hours; beyond, the example says nothing new. */
    public static final long MAX_LIMIT = 1_000_000_000_000L;

    private SpeedupDemo() {
    }

    /** {@code [N [LIMIT]] [--transport T]}, as {@code ipcj demo speedup} takes them; "worker TASKS RESULTS" in a child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("worker")) {
            worker(args[1], args[2]);
            return;
        }
        if (args.length == 4 && args[0].equals("net-worker")) {
            netWorker(Integer.parseInt(args[1]), args[2], args[3]);
            return;
        }
        Examples.Args a = Examples.Args.parse("speedup", args, 2, true);
        if (refusal(a.transport()) != null) {
            Examples.usage("speedup", refusal(a.transport()));
        }
        run((int) a.number("speedup", 0, "WORKERS", MAX_WORKERS, Runtime.getRuntime().availableProcessors()),
                a.number("speedup", 1, "LIMIT", MAX_LIMIT, DEFAULT_LIMIT), a.transport());
    }

    /** The most worker processes. */
    public static final int MAX_WORKERS = 64;

    /** Why {@code t} cannot serve competing workers, or null when it can. */
    public static String refusal(Transport t) {
        return t == Transport.RING
                ? "RING lets one process receive at a time; competing workers need POSIX_MQ, SYSTEM_V or SHM_LOG"
                : null;
    }

    /** Counts the primes below {@code limit} with 1 and then {@code n} workers over {@code t}. */
    public static void run(int n, long limit, Transport t) throws Exception {
        if (refusal(t) != null) {
            throw new IllegalArgumentException(refusal(t));
        }
        say("parent", "counting primes below " + limit + " in " + CHUNKS + " chunks over " + t);
        long[] one = timed(1, limit, t);
        long[] many = timed(n, limit, t);
        if (one[0] != many[0]) {
            throw new IllegalStateException("1 worker found " + one[0] + " primes, " + n + " found " + many[0]);
        }
        say("parent", String.format("%d primes; 1 worker %.0f ms, %d workers %.0f ms: speedup %.2fx",
                one[0], one[1] / 1e6, n, many[1] / 1e6, (double) one[1] / many[1]));
    }

    /** Runs the job on {@code workers} processes: {primes, nanoseconds}. */
    private static long[] timed(int workers, long limit, Transport t) throws Exception {
        if (!t.isLocal()) {
            return timedOverNetwork(workers, limit);
        }
        String tasks = "/ipcj-demo-" + Examples.PID + "-tasks";
        String results = "/ipcj-demo-" + Examples.PID + "-results";
        List<Child> ps = new ArrayList<>();
        try (Mailbox taskBox = Mailbox.create(tasks, t, Capacity.bounded(8), 16);
             Mailbox resultBox = Mailbox.create(results, t, Capacity.bounded(8), 8)) {
            for (int i = 0; i < workers; i++) {
                ps.add(Examples.child(SpeedupDemo.class, "worker", tasks, results));
            }
            for (int i = 0; i < workers; i++) {
                next(resultBox, ps);                              // each worker says "ready" (-1)
            }
            long t0 = System.nanoTime();
            Thread feeder = new Thread(() -> {
                try {
                    long step = step(limit);
                    for (long lo = 0; lo < limit; lo += step) {
                        taskBox.send(new Range(lo, Math.min(limit, lo + step)), RANGE);
                    }
                    for (int i = 0; i < workers; i++) {
                        taskBox.send(new Range(-1, -1), RANGE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            feeder.start();
            long primes = 0;
            // CHUNKS, or fewer for a LIMIT below it (step 1: LIMIT chunks); as many as the feeder sends
            for (long i = 0, chunks = (limit + step(limit) - 1) / step(limit); i < chunks; i++) {
                primes += next(resultBox, ps).decode(LONG);
            }
            long elapsed = System.nanoTime() - t0;
            feeder.join();
            for (Child p : ps) {
                Examples.await(p);
            }
            say("parent", String.format("%d worker(s): %.0f ms", workers, elapsed / 1e6));
            return new long[] {primes, elapsed};
        } finally {
            ps.forEach(Child::close);
            Mailbox.unlinkIfExists(tasks);
            Mailbox.unlinkIfExists(results);
        }
    }

    private static void worker(String tasks, String results) throws Exception {
        try (Mailbox in = Mailbox.open(tasks); Mailbox out = Mailbox.open(results)) {
            countPrimes(0, 300_000); // warm the JIT up before the clock starts
            out.send(-1L, LONG);
            for (;;) {
                Message m = fromParent(in);
                Range r = m.decode(RANGE);
                if (r.lo() < 0) {
                    return;
                }
                out.send(countPrimes(r.lo(), r.hi()), LONG);
            }
        }
    }

    /** {@link #timed} over network mailboxes: one tasks mailbox per worker, chunks dealt by demand. */
    private static long[] timedOverNetwork(int workers, long limit) throws Exception {
        String results = "udp://127.0.0.1:" + freeUdpPort() + "/results";
        List<Child> ps = new ArrayList<>();
        List<Mailbox> taskBoxes = new ArrayList<>();
        try (Mailbox resultBox = Mailbox.create(results, Capacity.bounded(workers * NET_WINDOW + 1))) {
            String[] tasks = new String[workers];
            for (int i = 0; i < workers; i++) {
                tasks[i] = "udp://127.0.0.1:" + freeUdpPort() + "/tasks";
                ps.add(Examples.child(SpeedupDemo.class, "net-worker", Integer.toString(i), tasks[i], results));
            }
            for (int i = 0; i < workers; i++) {
                Result ready = next(resultBox, ps).decode(RESULT); // each worker, its mailbox created, says "ready" (-1)
                if (ready.count() != -1) {
                    throw new IllegalStateException("worker " + ready.worker() + " sent " + ready.count() + " before ready");
                }
            }
            for (String address : tasks) {
                taskBoxes.add(Mailbox.open(address));
            }
            long step = step(limit);
            long next = 0;
            long t0 = System.nanoTime();
            for (int k = 0; k < NET_WINDOW; k++) {
                for (Mailbox box : taskBoxes) {
                    if (next < limit) {
                        box.send(new Range(next, Math.min(limit, next + step)), RANGE);
                        next += step;
                    }
                }
            }
            long primes = 0;
            for (long taken = 0, chunks = (limit + step - 1) / step; taken < chunks; taken++) {
                Result r = next(resultBox, ps).decode(RESULT);
                if (r.worker() < 0 || r.worker() >= workers || r.count() < 0) {
                    throw new IllegalStateException("a result from no worker of this run: " + r);
                }
                primes += r.count();
                if (next < limit) {
                    taskBoxes.get(r.worker()).send(new Range(next, Math.min(limit, next + step)), RANGE);
                    next += step;
                }
            }
            long elapsed = System.nanoTime() - t0;
            for (Mailbox box : taskBoxes) {
                box.send(new Range(-1, -1), RANGE);
            }
            for (Child p : ps) {
                Examples.await(p);
            }
            say("parent", String.format("%d worker(s) over udp: %.0f ms", workers, elapsed / 1e6));
            return new long[] {primes, elapsed};
        } finally {
            taskBoxes.forEach(Mailbox::close);
            ps.forEach(Child::close);
        }
    }

    private static void netWorker(int index, String tasks, String results) throws Exception {
        try (Mailbox in = Mailbox.create(tasks, Capacity.bounded(NET_WINDOW)); Mailbox out = Mailbox.open(results)) {
            countPrimes(0, 300_000); // warm the JIT up before the clock starts
            out.send(new Result(index, -1), RESULT);
            for (;;) {
                Range r = fromParent(in).decode(RANGE);
                if (r.lo() < 0) {
                    return;
                }
                out.send(new Result(index, countPrimes(r.lo(), r.hi())), RESULT);
            }
        }
    }

    /**
     * The next message on {@code box}; an IllegalStateException, instead of waiting forever, once
     * a worker has ended with a status other than 0 (killed, or its mailbox could not be made):
     * what it held would never come. A worker ending with 0 took its stop and is no loss.
     */
    private static Message next(Mailbox box, List<Child> workers) throws InterruptedException {
        for (;;) {
            Message m = box.receive(Duration.ofSeconds(1));
            if (m != null) {
                return m;
            }
            for (Child c : workers) {
                Process p = c.process();
                if (!p.isAlive() && p.exitValue() != 0) {
                    throw new IllegalStateException("worker pid " + c.pid() + " ended with status " + p.exitValue()
                            + " before the job was done");
                }
            }
        }
    }

    /** A worker's next task; it exits (status 3) once its parent is gone: no task would come. */
    private static Message fromParent(Mailbox in) throws InterruptedException {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        for (;;) {
            Message m = in.receive(Duration.ofSeconds(1));
            if (m != null) {
                return m;
            }
            if (parent == null || !parent.isAlive()) {
                System.err.println("speedup worker (pid " + Examples.PID + "): the parent is gone; exiting");
                System.exit(3);
            }
        }
    }

    /** The width of a chunk: CHUNKS chunks cover [0, limit), fewer when limit &lt; CHUNKS. */
    private static long step(long limit) {
        return (limit + CHUNKS - 1) / CHUNKS;
    }

    /** A UDP port free on 127.0.0.1 a moment ago (the kernel's pick), for a network mailbox. */
    private static int freeUdpPort() throws java.net.SocketException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static long countPrimes(long lo, long hi) {
        long count = 0;
        for (long v = Math.max(lo, 2); v < hi; v++) {
            if (isPrime(v)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isPrime(long v) {
        if (v < 4) {
            return v >= 2;
        }
        if ((v & 1) == 0 || v % 3 == 0) {
            return false;
        }
        for (long d = 5; d * d <= v; d += 6) {
            if (v % d == 0 || v % (d + 2) == 0) {
                return false;
            }
        }
        return true;
    }
}
