package dev.ipcj.bench;

import dev.ipcj.bench.jni.RingLoops;
import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.launch.Ready;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Two-process benchmark of the ring against Agrona's OneToOneRingBuffer (over a /dev/shm file)
 * and the C floors, all in one run. A runnable main rather than JMH because every figure needs
 * a second process and its own clock: the parent produces (or pings), a child JVM started from
 * the same jar consumes (or echoes) and prints a line after every batch of N messages; the
 * parent times the batches and reports the median of the batches after the first (warm-up).
 *
 * <pre>
 * flock /tmp/ipcj-bench.lock java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp bench/target/benchmarks.jar dev.ipcj.bench.RingBench [quick]
 * </pre>
 */
public final class RingBench {
    static final int CAPACITY = 1 << 20;
    static final int ITER = 6;
    static final int ROUNDS = 3;

    /** The median of the rounds. */
    static double med(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        return y[y.length / 2];
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("mixed")) {
            mixed(args.length > 1 ? Long.parseLong(args[1]) : 2_000_000, args.length > 2 ? args[2] : "pc");
            return;
        }
        boolean quick = args.length > 0 && args[0].equals("quick");
        long n64 = quick ? 2_000_000 : 10_000_000;
        long n4k = quick ? 200_000 : 1_000_000;
        long nRtt = quick ? 50_000 : 200_000;
        long nBlock = quick ? 5_000 : 20_000;
        List<String> rows = new ArrayList<>();

        // Rounds interleave the implementations, so that load from other processes on the
        // machine falls on all of them alike; each figure is the median of its rounds.
        double[][] r = new double[12][ROUNDS];
        for (int k = 0; k < ROUNDS; k++) {
            System.out.println("-- round " + (k + 1) + " of " + ROUNDS);
            r[0][k] = stream("ipcj", 64, n64);
            r[1][k] = stream("agrona", 64, n64);
            r[2][k] = cStream(64, n64);
            r[3][k] = stream("ipcj", 4096, n4k);
            r[4][k] = stream("agrona", 4096, n4k);
            r[5][k] = cStream(4096, n4k);
            r[6][k] = rtt("ipcj", nRtt, false);
            r[7][k] = rtt("agrona", nRtt, false);
            r[8][k] = RingLoops.cringRtt("/ipcj-bench-cra-" + ProcessHandle.current().pid(), "/ipcj-bench-crb-" + ProcessHandle.current().pid(), 64, nRtt, 0);
            r[9][k] = rtt("ipcj", nBlock, true);
            r[10][k] = RingLoops.cringRtt("/ipcj-bench-cra-" + ProcessHandle.current().pid(), "/ipcj-bench-crb-" + ProcessHandle.current().pid(), 64, nBlock, 1);
            r[11][k] = RingLoops.semRtt(nBlock);
        }
        double ipcj64 = med(r[0]);
        double agrona64 = med(r[1]);
        double c64 = med(r[2]);
        double ipcj4k = med(r[3]);
        double agrona4k = med(r[4]);
        double c4k = med(r[5]);
        double ipcjRtt = med(r[6]);
        double agronaRtt = med(r[7]);
        double cRtt = med(r[8]);
        double ipcjBlock = med(r[9]);
        double cBlock = med(r[10]);
        double sem = med(r[11]);
        // The same blocking ping-pong on rings created with a fence in every publish instead
        // of the sleeper's membarrier (the child follows the flag in the ring header).
        System.setProperty("ipcj.ring.fence", "full");
        double[] full = new double[ROUNDS];
        for (int k = 0; k < ROUNDS; k++) {
            full[k] = rtt("ipcj", nBlock, true);
        }
        System.clearProperty("ipcj.ring.fence");
        double ipcjBlockFull = med(full);

        rows.add(String.format(Locale.ROOT, "| stream 64 B, spinning | %.1f M msg/s | %.1f M msg/s | %.2fx (goal >= 1.2x) | C ring %.1f M msg/s |",
                ipcj64 / 1e6, agrona64 / 1e6, ipcj64 / agrona64, c64 / 1e6));
        rows.add(String.format(Locale.ROOT, "| stream 4 KiB, spinning | %.2f M msg/s (%.1f GB/s) | %.2f M msg/s (%.1f GB/s) | %.2fx (goal >= 1.0x) | C ring %.2f M msg/s |",
                ipcj4k / 1e6, ipcj4k * 4096 / 1e9, agrona4k / 1e6, agrona4k * 4096 / 1e9, ipcj4k / agrona4k, c4k / 1e6));
        rows.add(String.format(Locale.ROOT, "| ping-pong 64 B, spinning | %.0f ns | %.0f ns | %.2fx (goal <= 1.0x) | C ring %.0f ns |",
                ipcjRtt, agronaRtt, ipcjRtt / agronaRtt, cRtt));
        rows.add(String.format(Locale.ROOT, "| ping-pong 64 B, blocking (no spin: every message wakes a sleeper) | %.2f us | n/a (Agrona does not block) | %.2fx C sem_t (goal <= 1.1x) | C ring %.2f us, C sem_t %.2f us |",
                ipcjBlock / 1e3, ipcjBlock / sem, cBlock / 1e3, sem / 1e3));
        rows.add(String.format(Locale.ROOT, "| the same, ring created with -Dipcj.ring.fence=full (no membarrier) | %.2f us | n/a | %.2fx C sem_t | |",
                ipcjBlockFull / 1e3, ipcjBlockFull / sem));
        System.out.println();
        System.out.println("| measure | ipcj SharedRing (Java, 2 JVMs) | Agrona OneToOneRingBuffer (2 JVMs) | ratio | C floors (2 processes) |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    // ---- parent side ----

    /**
     * Diagnosis: Java producer against a C consumer, and C producer against a Java consumer
     * (64-byte records), to tell which Java side limits the stream.
     */
    static void mixed(long n, String sides) throws Exception {
        String name = "/ipcj-bench-mixed-" + ProcessHandle.current().pid();
        for (int round = 0; round < 2; round++) {
            if (sides.contains("x")) {
                cStream(64, n);
            }
            if (sides.contains("p")) try (SharedRing ring = SharedRing.create(name, RingVariant.ONE_TO_ONE, CAPACITY, 8192);
                    RingProducer p = ring.producer()) {
                int child = RingLoops.cringFork(name, 0, 64, n * ITER);
                SharedRing.unlink(name);
                byte[] msg = new byte[64];
                long[] d = new long[ITER];
                for (int it = 0; it < ITER; it++) {
                    long t = System.nanoTime();
                    for (long i = 0; i < n; i++) {
                        msg[0] = (byte) i;
                        while (!p.offer(msg)) {
                            Thread.onSpinWait();
                        }
                    }
                    d[it] = System.nanoTime() - t;
                }
                int st = RingLoops.waitChild(child);
                System.out.printf(Locale.ROOT, "Java producer -> C consumer: %.2f M msg/s (child %d)%n", n / (median(d) / 1e9) / 1e6, st);
            }
            if (sides.contains("c")) try (SharedRing ring = SharedRing.create(name, RingVariant.ONE_TO_ONE, CAPACITY, 8192);
                    RingConsumer c = ring.consumer()) {
                int child = RingLoops.cringFork(name, 1, 64, n * ITER);
                SharedRing.unlink(name);
                long[] sink = new long[1];
                dev.ipcj.ring.RecordHandler h = (b, o, l) -> sink[0] += b.getLong(o);
                long[] d = new long[ITER];
                long got = 0;
                for (int it = 1; it <= ITER; it++) {
                    long t = System.nanoTime();
                    while (got < it * n) {
                        int k = c.read(h);
                        if (k == 0) {
                            Thread.onSpinWait();
                        }
                        got += k;
                    }
                    d[it - 1] = System.nanoTime() - t;
                }
                int st = RingLoops.waitChild(child);
                System.out.printf(Locale.ROOT, "C producer -> Java consumer: %.2f M msg/s (child %d)%n", n / (median(d) / 1e9) / 1e6, st);
            }
        }
    }

    /** Median of all but the first (warm-up). */
    static double median(long[] d) {
        long[] x = Arrays.copyOfRange(d, 1, d.length);
        Arrays.sort(x);
        return x[x.length / 2];
    }

    static double stream(String impl, int size, long n) throws Exception {
        String name = "/ipcj-bench-" + impl + "-" + ProcessHandle.current().pid();
        try (Endpoints e = Endpoints.create(impl, name, null)) {
            Child child = spawn(impl, "consume", name, "-", "" + n, "" + size, "false");
            Timer t = new Timer(child);
            byte[] msg = new byte[size];
            for (int it = 0; it < ITER; it++) {
                for (long i = 0; i < n; i++) {
                    msg[0] = (byte) i;
                    while (!e.offer(msg)) {
                        Thread.onSpinWait();
                    }
                }
            }
            double perSec = n / (t.medianNanos(child) / 1e9);
            System.out.printf(Locale.ROOT, "%s stream %d B: %.2f M msg/s%n", impl, size, perSec / 1e6);
            return perSec;
        }
    }

    static double cStream(int size, long n) {
        long[] r = new long[3];
        for (int i = 0; i < r.length; i++) {
            r[i] = RingLoops.cringStream("/ipcj-bench-c-" + ProcessHandle.current().pid(), CAPACITY, size, n);
        }
        Arrays.sort(r);
        double perSec = n / (r[1] / 1e9);
        System.out.printf(Locale.ROOT, "C ring stream %d B: %.2f M msg/s%n", size, perSec / 1e6);
        return perSec;
    }

    static double rtt(String impl, long n, boolean blocking) throws Exception {
        String a = "/ipcj-bench-" + impl + "-a-" + ProcessHandle.current().pid();
        String b = "/ipcj-bench-" + impl + "-b-" + ProcessHandle.current().pid();
        try (Endpoints ping = Endpoints.create(impl, a, null); Endpoints pong = Endpoints.create(impl, b, ping)) {
            if (blocking) {
                // Sleep at once on this side too (the child gets -Dipcj.ring.spinNanos=0).
                ((Ipcj) ping).ring.setSpinTime(java.time.Duration.ZERO);
                ((Ipcj) pong).ring.setSpinTime(java.time.Duration.ZERO);
            }
            Child child = spawn(impl, "echo", a, b, "" + n, "64", "" + blocking);
            Timer t = new Timer(child);
            byte[] msg = new byte[64];
            for (int it = 0; it < ITER; it++) {
                for (long i = 0; i < n; i++) {
                    if (blocking) {
                        ping.put(msg);
                        pong.take();
                    } else {
                        while (!ping.offer(msg)) {
                            Thread.onSpinWait();
                        }
                        while (!pong.poll()) {
                            Thread.onSpinWait();
                        }
                    }
                }
            }
            double ns = t.medianNanos(child) / n;
            System.out.printf(Locale.ROOT, "%s ping-pong %s: %.0f ns%n", impl, blocking ? "blocking" : "spinning", ns);
            return ns;
        }
    }

    static Child spawn(String... args) {
        Launch l = Launch.java(RingBench.class);
        if (Boolean.parseBoolean(args[args.length - 1])) {
            l.jvmArgs("-Dipcj.ring.spinNanos=0");
        }
        return l.args("child").args(args).start();
    }

    /** Reads the child's "ready" and one line per batch, timestamping each. */
    static final class Timer {
        final long[] stamps = new long[ITER + 1];
        final Thread reader;

        Timer(Child child) throws Exception {
            child.awaitReady(Duration.ofSeconds(60));
            stamps[0] = System.nanoTime();
            reader = new Thread(() -> {
                try {
                    for (int i = 1; i <= ITER; i++) {
                        if (child.readLine(Duration.ofMinutes(5)) == null) {
                            throw new IllegalStateException(child + " ended after " + (i - 1) + " batches");
                        }
                        stamps[i] = System.nanoTime();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Median batch time, leaving out the first (warm-up). */
        double medianNanos(Child child) throws Exception {
            reader.join();
            child.awaitSuccess(Duration.ofMinutes(1));
            long[] d = new long[ITER - 1];
            for (int i = 2; i <= ITER; i++) {
                d[i - 2] = stamps[i] - stamps[i - 1];
            }
            Arrays.sort(d);
            return d[d.length / 2];
        }
    }

    // ---- child side ----

    static void child(String[] a) throws Exception {
        String impl = a[0];
        String mode = a[1];
        long n = Long.parseLong(a[4]);
        if (mode.equals("consume")) {
            try (Endpoints e = Endpoints.open(impl, a[2], true)) {
                Ready.signal();
                System.out.flush();
                long got = 0; // a batch may run past a boundary: count on, do not reset
                for (int it = 1; it <= ITER; it++) {
                    while (got < it * n) {
                        int k = e.drain();
                        if (k == 0) {
                            Thread.onSpinWait();
                        }
                        got += k;
                    }
                    System.out.println(it);
                    System.out.flush();
                }
            }
        } else {
            boolean blocking = Boolean.parseBoolean(a[6]);
            try (Endpoints in = Endpoints.open(impl, a[2], true); Endpoints out = Endpoints.open(impl, a[3], false)) {
                Ready.signal();
                System.out.flush();
                byte[] msg = new byte[Integer.parseInt(a[5])];
                for (int it = 0; it < ITER; it++) {
                    for (long i = 0; i < n; i++) {
                        if (blocking) {
                            in.take();
                            out.put(msg);
                        } else {
                            while (!in.poll()) {
                                Thread.onSpinWait();
                            }
                            while (!out.offer(msg)) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                    System.out.println(it);
                    System.out.flush();
                }
            }
        }
    }

    /** One side of one ring, ipcj or Agrona, with the operations the benchmark needs. */
    abstract static class Endpoints implements AutoCloseable {
        long sink;

        abstract boolean offer(byte[] m);

        abstract void put(byte[] m) throws InterruptedException;

        /** Batch drain: the number read. */
        abstract int drain();

        /** Reads one record; false if none. */
        abstract boolean poll();

        abstract void take() throws InterruptedException;

        /** other != null: the second ring of a ping-pong, which the parent consumes. */
        static Endpoints create(String impl, String name, Endpoints other) throws Exception {
            return impl.equals("ipcj") ? new Ipcj(name, true, other == null) : new Agrona(name, true);
        }

        static Endpoints open(String impl, String name, boolean consumer) throws Exception {
            return impl.equals("ipcj") ? new Ipcj(name, false, !consumer) : new Agrona(name, false);
        }
    }

    static final class Ipcj extends Endpoints {
        final SharedRing ring;
        final boolean created;
        RingProducer p;
        RingConsumer c;
        final dev.ipcj.ring.RecordHandler h = (b, o, l) -> sink += b.getLong(o);

        Ipcj(String name, boolean create, boolean producer) {
            created = create;
            ring = create ? SharedRing.create(name, RingVariant.ONE_TO_ONE, CAPACITY, 8192) : SharedRing.open(name);
            if (producer) {
                p = ring.producer();
            } else {
                c = ring.consumer();
            }
        }

        @Override
        boolean offer(byte[] m) {
            return p.offer(m);
        }

        @Override
        void put(byte[] m) throws InterruptedException {
            p.put(m);
        }

        @Override
        int drain() {
            return c().read(h);
        }

        @Override
        boolean poll() {
            return c().read(h, 1) == 1;
        }

        @Override
        void take() throws InterruptedException {
            c().take(h, 1);
        }

        private RingConsumer c() {
            return c;
        }

        @Override
        public void close() {
            if (p != null) {
                p.close();
            }
            if (c != null) {
                c.close();
            }
            ring.close();
            if (created) {
                SharedRing.unlinkIfExists(ring.name());
            }
        }
    }

    static final class Agrona extends Endpoints {
        final OneToOneRingBuffer ring;
        final UnsafeBuffer src = new UnsafeBuffer(new byte[8192]);
        final Path file;
        final boolean created;
        final org.agrona.concurrent.MessageHandler h = (t, b, o, l) -> sink += b.getLong(o);

        Agrona(String name, boolean create) throws Exception {
            file = Path.of("/dev/shm" + name);
            created = create;
            int len = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            try (RandomAccessFile f = new RandomAccessFile(new File(file.toString()), "rw")) {
                if (create) {
                    f.setLength(len);
                }
                MappedByteBuffer m = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, len);
                ring = new OneToOneRingBuffer(new UnsafeBuffer(m));
            }
        }

        @Override
        boolean offer(byte[] m) {
            src.putByte(0, m[0]);
            return ring.write(1, src, 0, m.length);
        }

        @Override
        void put(byte[] m) {
            throw new UnsupportedOperationException("Agrona does not block");
        }

        @Override
        int drain() {
            return ring.read(h);
        }

        @Override
        boolean poll() {
            return ring.read(h, 1) == 1;
        }

        @Override
        void take() {
            throw new UnsupportedOperationException("Agrona does not block");
        }

        @Override
        public void close() throws Exception {
            if (created) {
                Files.deleteIfExists(file);
            }
        }
    }
}
