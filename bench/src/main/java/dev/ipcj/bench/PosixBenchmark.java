package dev.ipcj.bench;

import dev.ipcj.bench.jni.PosixLoops;
import dev.ipcj.internal.Waiter;
import dev.ipcj.jni.PosixSem;
import dev.ipcj.jni.Sys;
import dev.ipcj.launch.Child;
import dev.ipcj.posix.NamedSemaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The first ipcj benchmarks, each Java path beside the same loop in C in the same run:
 *
 * <ul>
 * <li>{@code nopJava} — one call from Java into libjniIpcj.so of a shim that does nothing
 *     ({@code Sys.nop}): the fixed price of every shim call. Beside it {@code nopC}: C calling an
 *     out-of-line empty function, n times inside one JNI call.
 * <li>{@code semRoundTrip*} — a post/wait round trip with a second process, the C program
 *     {@code posix_peer sem-echo} (waits on PING, posts PONG). {@code semRoundTripJava} uses the
 *     public API ({@code NamedSemaphore.release()} + {@code acquire()}, with the Waiter that makes
 *     the wait interruptible), {@code semRoundTripJavaRaw} the bare shims
 *     ({@code PosixSem.semPost} + {@code semWait}, not interruptible), {@code semRoundTripC} the
 *     same shims called from C, n rounds inside one JNI call. Java minus raw is what the
 *     interrupt design and the handle checks cost; raw minus C is two JNI crossings.
 * <li>The interrupt design alone, without a kernel wake-up drowning it: {@code waiterAroundNop}
 *     is {@code nopJava} inside {@code Waiter.enter()}/{@code exit()}, the bracket every blocking
 *     call pays; {@code semPostTake*} is post + take on a semaphore nobody else uses (the
 *     non-blocking path of {@code acquire()}: handle checks plus {@code sem_trywait}), from the
 *     public API, the bare shims and C.
 * </ul>
 *
 * <p>The peer is found through the system property {@code ipcj.peer}, else as
 * {@code target/cmake/posix_peer} under the working directory or its parent (run from the
 * project root or from bench/ after {@code mvn install} at the root).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PosixBenchmark {
    static final int NOP_CALLS = 100_000;
    static final int ROUND_TRIPS = 2_000;

    /** An argument the JIT cannot fold. */
    @State(Scope.Thread)
    public static class Arg {
        int x = 42;
    }

    /**
     * Two named semaphores and the C echo peer. The names are unlinked as soon as the peer has
     * opened them, so nothing is left in /dev/shm even if the run is killed.
     */
    @State(Scope.Benchmark)
    public static class EchoPeer {
        NamedSemaphore ping;
        NamedSemaphore pong;
        long pingRaw;
        long pongRaw;
        Child peer;

        @Setup(Level.Trial)
        public void start() throws InterruptedException {
            String base = "/ipcj-bench-" + ProcessHandle.current().pid();
            String pingName = base + "-ping";
            String pongName = base + "-pong";
            NamedSemaphore.unlinkIfExists(pingName);
            NamedSemaphore.unlinkIfExists(pongName);
            try {
                ping = NamedSemaphore.create(pingName, 0);
                pong = NamedSemaphore.create(pongName, 0);
                // Second handles for the raw loops: the sem_t addresses the shims take.
                pingRaw = rawOpen(pingName);
                pongRaw = rawOpen(pongName);
                peer = CPeers.startReady("posix_peer", "sem-echo", pingName, pongName, "0");
            } catch (InterruptedException | RuntimeException e) {
                stop();
                throw e;
            } finally {
                NamedSemaphore.unlinkIfExists(pingName);
                NamedSemaphore.unlinkIfExists(pongName);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (peer != null) {
                peer.close();
            }
            if (ping != null) {
                ping.close();
            }
            if (pong != null) {
                pong.close();
            }
            if (pingRaw != 0) {
                PosixSem.semClose(pingRaw);
            }
            if (pongRaw != 0) {
                PosixSem.semClose(pongRaw);
            }
        }

        private static long rawOpen(String name) {
            long s = PosixSem.semOpen(name, 0, 0, 0);
            if (s < 0 && s > -4096) {
                throw new IllegalStateException("sem_open(" + name + "): " + Sys.errnoName((int) -s));
            }
            return s;
        }
    }

    /** A named semaphore only this process uses (unlinked at once). */
    @State(Scope.Thread)
    public static class Local {
        NamedSemaphore sem;
        long raw;

        @Setup(Level.Trial)
        public void open() {
            String name = "/ipcj-bench-" + ProcessHandle.current().pid() + "-local";
            NamedSemaphore.unlinkIfExists(name);
            try {
                sem = NamedSemaphore.create(name, 0);
                raw = EchoPeer.rawOpen(name);
            } finally {
                NamedSemaphore.unlinkIfExists(name);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (sem != null) {
                sem.close();
            }
            if (raw != 0) {
                PosixSem.semClose(raw);
            }
        }
    }

    @Benchmark
    public int nopJava(Arg a) {
        return Sys.nop(a.x);
    }

    @Benchmark
    @OperationsPerInvocation(NOP_CALLS)
    public long nopC() {
        return PosixLoops.nopLoop(NOP_CALLS);
    }

    @Benchmark
    public void semRoundTripJava(EchoPeer e) throws InterruptedException {
        e.ping.release();
        e.pong.acquire();
    }

    @Benchmark
    public int semRoundTripJavaRaw(EchoPeer e) {
        int r = PosixSem.semPost(e.pingRaw);
        if (r < 0) {
            throw new IllegalStateException("sem_post: " + Sys.errnoName(-r));
        }
        while ((r = PosixSem.semWait(e.pongRaw)) == -4 /* EINTR */) {
            // retry, as the C loop does
        }
        if (r < 0) {
            throw new IllegalStateException("sem_wait: " + Sys.errnoName(-r));
        }
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int semRoundTripC(EchoPeer e) {
        int r = PosixLoops.semPingPong(e.pingRaw, e.pongRaw, ROUND_TRIPS);
        if (r < 0) {
            throw new IllegalStateException("sem ping-pong: " + Sys.errnoName(-r));
        }
        return r;
    }

    @Benchmark
    public int waiterAroundNop(Arg a) throws InterruptedException {
        Waiter w = Waiter.current();
        w.enter();
        int r;
        try {
            r = Sys.nop(a.x);
        } finally {
            w.exit();
        }
        return r;
    }

    @Benchmark
    public void semPostTakeJava(Local l) throws InterruptedException {
        l.sem.release();
        l.sem.acquire(); // a permit is there: sem_trywait succeeds, no Waiter
    }

    @Benchmark
    public int semPostTakeJavaRaw(Local l) {
        PosixSem.semPost(l.raw);
        return PosixSem.semTrywait(l.raw);
    }

    @Benchmark
    @OperationsPerInvocation(NOP_CALLS)
    public int semPostTakeC(Local l) {
        int r = PosixLoops.semPostTrywait(l.raw, NOP_CALLS);
        if (r < 0) {
            throw new IllegalStateException("sem post/trywait: " + Sys.errnoName(-r));
        }
        return r;
    }
}
