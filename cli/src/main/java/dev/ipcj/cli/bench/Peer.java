package dev.ipcj.cli.bench;

import dev.ipcj.launch.Ready;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
            try (Transport t = server ? m.server(args, max) : m.client(args, endpoint, max)) {
                if (server) {
                    out.println(Ready.WORD + " " + t.endpoint()); // the Ready handshake, on the report stream
                    out.flush();
                    t.accept();
                }
                for (Plan.Step s : plan.steps()) {
                    if (server) {
                        serve(t, buf, s, out);
                    } else {
                        drive(t, buf, s, dir, out);
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
    static void drive(Transport t, ByteBuffer buf, Plan.Step s, Path dir, PrintStream out) throws Exception {
        int size = s.size();
        for (int i = 0; i < s.warmup(); i++) {
            t.send(buf, size);
            t.recv(buf, size);
        }
        long[] rtt = new long[s.roundTrips()];
        long cpu0 = cpu();
        long start = System.nanoTime();
        for (int i = 0; i < rtt.length; i++) {
            long t0 = System.nanoTime();
            t.send(buf, size);
            t.recv(buf, size);
            rtt[i] = System.nanoTime() - t0;
        }
        long elapsed = System.nanoTime() - start;
        long cpu = cpu() - cpu0;
        writeSamples(dir.resolve("lat-" + size + ".bin"), rtt);
        out.println("PHASE lat " + size + " " + rtt.length + " " + elapsed + " " + cpu);
        out.flush();

        for (int i = 0; i < s.messages(); i++) { // unmeasured: the JIT compiles this loop meanwhile
            t.send(buf, size);
        }
        t.recv(buf, size);
        cpu0 = cpu();
        start = System.nanoTime();
        for (int i = 0; i < s.messages(); i++) {
            t.send(buf, size);
        }
        t.recv(buf, size); // the server's ack: everything has been received
        elapsed = System.nanoTime() - start;
        cpu = cpu() - cpu0;
        out.println("PHASE tput " + size + " " + s.messages() + " " + elapsed + " " + cpu);
        out.flush();
    }

    /** Server: echo every round trip, then receive the stream and acknowledge it. */
    static void serve(Transport t, ByteBuffer buf, Plan.Step s, PrintStream out) throws Exception {
        int size = s.size();
        for (int i = 0; i < s.warmup(); i++) {
            t.recv(buf, size);
            t.send(buf, size);
        }
        long cpu0 = cpu();
        long start = System.nanoTime();
        for (int i = 0; i < s.roundTrips(); i++) {
            t.recv(buf, size);
            t.send(buf, size);
        }
        out.println("PHASE lat " + size + " " + s.roundTrips() + " " + (System.nanoTime() - start) + " " + (cpu() - cpu0));
        out.flush();
        for (int i = 0; i < s.messages(); i++) { // the unmeasured first stream
            t.recv(buf, size);
        }
        t.send(buf, size);
        cpu0 = cpu();
        start = System.nanoTime();
        for (int i = 0; i < s.messages(); i++) {
            t.recv(buf, size);
        }
        t.send(buf, size);
        out.println("PHASE tput " + size + " " + s.messages() + " " + (System.nanoTime() - start) + " " + (cpu() - cpu0));
        out.flush();
    }

    /** CPU time of the whole process (all threads: JIT and GC count too), ns. */
    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void writeSamples(Path file, long[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
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
