package dev.ipcj.bench;

import dev.ipcj.bench.jni.SysvLoops;
import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SemaphoreSet;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * System V round trips between two processes: this JVM and a C echo peer
 * (src/test/c/sysv_peer.c, built by cmake into target/cmake; -Dipcj.cbin=DIR to point
 * elsewhere). Each Java benchmark has a C twin that runs the same loop against the same peer
 * in the same run (JNI, {@link OperationsPerInvocation}), so Java/C is a ratio of like with like.
 *
 * <pre>
 *   java -jar bench/target/benchmarks.jar SysvBenchmark -f 1 -wi 3 -i 5 -prof gc
 * </pre>
 *
 * Measured on the 2-vCPU build machine while other builds ran (load average ~7; indicative,
 * under flock /tmp/ipcj-bench.lock), 64-byte messages, 0.02-0.03 B/op everywhere (JMH's own noise):
 * <pre>
 *   round trip            Java          C             Java/C
 *   msgsnd+msgrcv         4.46 µs mean  3.77 µs mean  1.18 (one 10 µs outlier; medians 3.86/3.67 = 1.05)
 *   semop ping-pong       3.80 µs       3.55 µs       1.07
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SysvBenchmark {
    static final int N = 2000;

    @Param({"64"})
    int size;

    SysvMessageQueue queue;
    SemaphoreSet sems;
    Child msgPeer;
    Child semPeer;
    SysvMessage out;
    SysvMessage in;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path peer = CPeers.path("sysv_peer");
        queue = SysvMessageQueue.create(IpcKey.PRIVATE);
        sems = SemaphoreSet.create(IpcKey.PRIVATE, 2);
        msgPeer = Launch.program(peer).args("msg-echo", "" + queue.id(), "1", "2").inheritIO().start();
        semPeer = Launch.program(peer).args("sem-echo", "" + sems.id()).inheritIO().start();
        out = SysvMessage.allocate(size).type(1).size(size);
        in = SysvMessage.allocate(8192);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        queue.remove(); // the peers see EIDRM and exit
        sems.remove();
        try (Child m = msgPeer; Child s = semPeer) {
            m.process().waitFor(5, TimeUnit.SECONDS);
            s.process().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** msgsnd type 1, msgrcv type 2 (the echo), from Java. */
    @Benchmark
    public int msgRoundTripJava() throws InterruptedException {
        queue.send(out);
        queue.receive(in, 2);
        return in.size();
    }

    /** The same round trip, N times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int msgRoundTripC() {
        int r = SysvLoops.msgPingPong(queue.id(), size, N);
        if (r != 0) {
            throw new IllegalStateException("C loop: errno " + -r);
        }
        return r;
    }

    /** semop +1 on 0, semop -1 on 1 (the peer mirrors), from Java. */
    @Benchmark
    public void semPingPongJava() throws InterruptedException {
        sems.apply(0, 1, 0);
        sems.apply(1, -1, 0);
    }

    /** The same ping-pong, N times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int semPingPongC() {
        int r = SysvLoops.semPingPong(sems.id(), N);
        if (r != 0) {
            throw new IllegalStateException("C loop: errno " + -r);
        }
        return r;
    }
}
