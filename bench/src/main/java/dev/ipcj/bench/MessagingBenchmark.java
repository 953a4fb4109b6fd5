package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.msg.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The messaging API ({@code via=api}: {@code dev.ipcj.msg.Mailbox}) beside each transport's
 * own binding ({@code via=raw}) in the same run, 64-byte messages, capacity 10, a second JVM
 * ({@link MessagingPeer}) on the other side:
 * <ul>
 * <li>{@code roundTrip} — send on "ping", receive the peer's echo on "pong" (ns per round trip);</li>
 * <li>{@code stream} — one-way sends to a peer that drains (messages per second; the bounded
 *     capacity makes this the pipeline's rate, sender and receiver together).</li>
 * </ul>
 * What api adds over raw: the 16-byte envelope (sender pid, flags, sequence) written and read,
 * the handle checks, and for SYSTEM_V and RING a semaphore that counts messages (exact
 * bounded(n)); for POSIX_MQ one copy of the payload behind the envelope.
 *
 * <pre>java -jar bench/target/benchmarks.jar Messaging -f 1 -wi 2 -i 3</pre>
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class MessagingBenchmark {
    @State(Scope.Benchmark)
    public static class Pair {
        @Param({"POSIX_MQ", "SYSTEM_V", "RING", "SHM_LOG"})
        public String transport;
        /** api or raw; named so that JMH runs api and raw of one transport back to back. */
        @Param({"api", "raw"})
        public String via;
        String layer;

        Transport t;
        String pingAddress;
        String pongAddress;
        Endpoint ping;
        Endpoint pong;
        Child peer;
        Thread cleanup;
        final ByteBuffer out = ByteBuffer.allocateDirect(MessagingEndpoints.MAX);
        final ByteBuffer in = ByteBuffer.allocateDirect(MessagingEndpoints.MAX + 64);

        void start(String role) throws IOException, InterruptedException {
            layer = via;
            t = Transport.valueOf(transport);
            String base = "/ipcj-bench-" + ProcessHandle.current().pid() + "-msg-" + role;
            pingAddress = MessagingEndpoints.create(layer, t, base + "-a");
            ping = MessagingEndpoints.open(layer, t, pingAddress);
            if (role.equals("echo")) {
                pongAddress = MessagingEndpoints.create(layer, t, base + "-b");
                pong = MessagingEndpoints.open(layer, t, pongAddress);
            }
            // A run killed by a timeout (SIGTERM) still removes its objects.
            cleanup = new Thread(this::removeAll, "ipcj-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            peer = Launch.java(MessagingPeer.class)
                    .args(role, layer, transport, pingAddress, pongAddress == null ? "-" : pongAddress).start();
            peer.awaitReady(Duration.ofSeconds(30));
            out.clear();
            for (int i = 0; i < MessagingEndpoints.MAX; i++) {
                out.put((byte) i);
            }
            out.flip();
        }

        void stop() throws Exception {
            try {
                ping.send(ByteBuffer.allocateDirect(0)); // a zero-length message ends the peer
                peer.process().waitFor(10, TimeUnit.SECONDS);
            } finally {
                ping.close();
                if (pong != null) {
                    pong.close();
                }
                removeAll();
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }

        private void removeAll() {
            if (peer != null) {
                peer.close();
            }
            MessagingEndpoints.remove(layer, t, pingAddress);
            if (pongAddress != null) {
                MessagingEndpoints.remove(layer, t, pongAddress);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Echo extends Pair {
        @Setup(Level.Trial)
        public void setUp() throws IOException, InterruptedException {
            start("echo");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop();
        }
    }

    @State(Scope.Benchmark)
    public static class Stream extends Pair {
        @Setup(Level.Trial)
        public void setUp() throws IOException, InterruptedException {
            start("drain");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int roundTrip(Echo s) throws InterruptedException {
        s.ping.send(s.out);
        return s.pong.receive(s.in);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void stream(Stream s) throws InterruptedException {
        s.ping.send(s.out);
    }
}
