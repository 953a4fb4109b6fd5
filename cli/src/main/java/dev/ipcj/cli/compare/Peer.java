package dev.ipcj.cli.compare;

import dev.ipcj.launch.Ready;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * The Java peer of a scenario, run in a child JVM:
 * {@code Peer MECHANISM server|client PLAN OUTDIR ENDPOINT ARGS...}, the same arguments as a C
 * twin (after the mechanism). It follows the {@link Plan} and reports on stdout:
 *
 * <pre>
 *   ready ENDPOINT                                 server, once it can be connected to
 *   PHASE lat  SIZE COUNT ELAPSED_NS CPU_NS        after each round-trip phase
 *   PHASE tput SIZE COUNT ELAPSED_NS CPU_NS        after each streaming phase
 *   DONE
 *   ERROR text                                     instead, on failure (exit status 1)
 * </pre>
 *
 * The client writes its round-trip times (ns, little-endian int64) to OUTDIR/lat-SIZE.bin; the
 * parent records them in an HdrHistogram, the same way for the Java and the C peer.
 */
public final class Peer {
    private Peer() {
    }

    public static void main(String[] a) {
        PrintStream out = System.out;
        watchParent();
        try {
            Mechanism m = Mechanisms.byId(a[0]).orElseThrow(() -> new IllegalArgumentException("unknown mechanism " + a[0]));
            boolean server = a[1].equals("server");
            Plan plan = Plan.decode(a[2]);
            Path dir = Path.of(a[3]);
            String endpoint = a[4];
            List<String> args = Arrays.asList(a).subList(5, a.length);
            int max = Math.max(8, plan.maxSize());
            ByteBuffer buf = ByteBuffer.allocateDirect(max).order(ByteOrder.nativeOrder());
            Ctl ctl = plan.timed() ? new Ctl(dir.resolve(Plan.CTL)) : null;
            try (Link t = server ? m.server(args, max) : m.client(args, endpoint, max)) {
                if (server) {
                    out.println(Ready.WORD + " " + t.endpoint()); // the Ready handshake, on the report stream
                    out.flush();
                    t.accept();
                }
                for (Plan.Step s : plan.steps()) {
                    if (server) {
                        serve(t, buf, s, out, ctl);
                    } else {
                        drive(t, buf, s, dir, out, ctl);
                    }
                }
            }
            out.println("DONE");
            out.flush();
            System.exit(0);
        } catch (Throwable e) {
            out.println("ERROR " + e);
            out.flush();
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Client: measured round trips, then streaming. */
    static void drive(Link t, ByteBuffer buf, Plan.Step s, Path dir, PrintStream out, Ctl ctl) throws Exception {
        int size = s.size();
        if (s.timed()) {
            roundTrips(t, buf, size, s.nanos() / 4, s.warmup(), null, ctl);
        } else {
            for (int i = 0; i < s.warmup(); i++) {
                t.send(buf, size);
                t.recv(buf, size);
            }
        }
        long[] rtt = new long[s.roundTrips()];
        long cpu0 = cpu();
        long start = System.nanoTime();
        int n = roundTrips(t, buf, size, s.nanos(), rtt.length, rtt, ctl);
        long elapsed = System.nanoTime() - start;
        long cpu = cpu() - cpu0;
        writeSamples(dir.resolve("lat-" + size + ".bin"), rtt, n);
        out.println("PHASE lat " + size + " " + n + " " + elapsed + " " + cpu);
        out.flush();

        stream(t, buf, size, s.nanos() / 4, s.messages(), ctl); // unmeasured: the JIT compiles this loop meanwhile
        cpu0 = cpu();
        start = System.nanoTime();
        n = stream(t, buf, size, s.nanos(), s.messages(), ctl);
        elapsed = System.nanoTime() - start;
        cpu = cpu() - cpu0;
        out.println("PHASE tput " + size + " " + n + " " + elapsed + " " + cpu);
        out.flush();
    }

    /**
     * Client: {@code cap} round trips, or with {@code nanos} above 0 whole batches of them until
     * {@code nanos} have passed (at most {@code cap}); records each in {@code rtt} unless null.
     * Returns how many it made.
     */
    static int roundTrips(Link t, ByteBuffer buf, int size, long nanos, int cap, long[] rtt, Ctl ctl) throws Exception {
        int b = nanos > 0 ? Plan.batch(cap) : cap;
        long t0 = System.nanoTime();
        int n = 0;
        for (;;) {
            for (int i = 0; i < b; i++, n++) {
                long s0 = System.nanoTime();
                t.send(buf, size);
                t.recv(buf, size);
                if (rtt != null) {
                    rtt[n] = System.nanoTime() - s0;
                }
            }
            if (nanos <= 0) {
                return n;
            }
            boolean stop = n + b > cap || System.nanoTime() - t0 >= nanos;
            ctl.decide(stop);
            if (stop) {
                return n;
            }
        }
    }

    /** Client: streams {@code cap} messages, or timed as {@link #roundTrips}, then waits for the server's ack. */
    static int stream(Link t, ByteBuffer buf, int size, long nanos, int cap, Ctl ctl) throws Exception {
        int b = nanos > 0 ? Plan.batch(cap) : cap;
        long t0 = System.nanoTime();
        int n = 0;
        for (;;) {
            for (int i = 0; i < b; i++, n++) {
                t.send(buf, size);
            }
            if (nanos <= 0) {
                break;
            }
            boolean stop = n + b > cap || System.nanoTime() - t0 >= nanos;
            ctl.decide(stop);
            if (stop) {
                break;
            }
        }
        t.recv(buf, size); // the server's ack: everything has been received
        return n;
    }

    /** Server: echo every round trip, then receive the stream and acknowledge it. */
    static void serve(Link t, ByteBuffer buf, Plan.Step s, PrintStream out, Ctl ctl) throws Exception {
        int size = s.size();
        echo(t, buf, size, s.timed(), s.warmup(), ctl);
        long cpu0 = cpu();
        long start = System.nanoTime();
        int n = echo(t, buf, size, s.timed(), s.roundTrips(), ctl);
        out.println("PHASE lat " + size + " " + n + " " + (System.nanoTime() - start) + " " + (cpu() - cpu0));
        out.flush();
        sink(t, buf, size, s.timed(), s.messages(), ctl); // the unmeasured first stream
        cpu0 = cpu();
        start = System.nanoTime();
        n = sink(t, buf, size, s.timed(), s.messages(), ctl);
        out.println("PHASE tput " + size + " " + n + " " + (System.nanoTime() - start) + " " + (cpu() - cpu0));
        out.flush();
    }

    /** Server: echoes {@code cap} messages, or (timed) batches until the client says stop. */
    static int echo(Link t, ByteBuffer buf, int size, boolean timed, int cap, Ctl ctl) throws Exception {
        int b = timed ? Plan.batch(cap) : cap;
        int n = 0;
        do {
            for (int i = 0; i < b; i++, n++) {
                t.recv(buf, size);
                t.send(buf, size);
            }
        } while (timed && !ctl.await());
        return n;
    }

    /** Server: receives a stream as {@link #echo} does, then acknowledges it with one message. */
    static int sink(Link t, ByteBuffer buf, int size, boolean timed, int cap, Ctl ctl) throws Exception {
        int b = timed ? Plan.batch(cap) : cap;
        int n = 0;
        do {
            for (int i = 0; i < b; i++, n++) {
                t.recv(buf, size);
            }
        } while (timed && !ctl.await());
        t.send(buf, size);
        return n;
    }

    /**
     * The decisions of timed phases, shared by the two peers through OUTDIR/ctl, int64 words:
     * [0] how many batches the client has decided, [1] how many of them were stops, [2..7] the
     * batch numbers of the latest stops (a ring). Both peers count the batches of every timed
     * phase in the same order. At the end of a batch the client records it (a stop first); the
     * server waits until that batch is decided, and stops if it is the next stop it has not yet
     * seen. The client may be further on (into the next phase's stream) when the server looks,
     * but never past two unseen stops: after a stream's stop it waits for the server's ack.
     * bench_common.h does the same in C.
     */
    static final class Ctl {
        private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private static final int RING = 6;
        private final MappedByteBuffer map;
        private long batches;
        private long stops;

        Ctl(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8 * (2 + RING));
            }
        }

        /** Client, at the end of a batch. */
        void decide(boolean stop) {
            batches++;
            if (stop) {
                WORD.setRelease(map, 8 * (2 + (int) (stops % RING)), batches);
                stops++;
                WORD.setRelease(map, 8, stops);
            }
            WORD.setRelease(map, 0, batches);
        }

        /** Server, at the end of the same batch: true when the client stopped there. */
        boolean await() {
            batches++;
            while ((long) WORD.getAcquire(map, 0) < batches) {
                Thread.yield(); // the client records it right after its last message of the batch
            }
            if ((long) WORD.getAcquire(map, 8) > stops
                    && (long) WORD.getAcquire(map, 8 * (2 + (int) (stops % RING))) == batches) {
                stops++;
                return true;
            }
            return false;
        }
    }

    /** CPU time of the whole process (all threads: JIT and GC count too), ns. */
    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void writeSamples(Path file, long[] v, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v, 0, n);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** A peer must not outlive the ipcj process that started it (a blocked read would hang forever). */
    private static void watchParent() {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    }

}
