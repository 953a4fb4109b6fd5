package dev.ipcj.netbench;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.Launch;
import dev.ipcj.launch.Ready;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Envelope;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.File;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Round trips (64-byte messages, ping in this JVM, echo in a second one) in one run:
 * <ul>
 * <li>{@code ipcj AERON mailbox} — {@code Mailbox.create/open("udp://127.0.0.1:PORT/NAME")}, each JVM
 *     its own embedded media driver (ipcj's default), credits and envelope included;</li>
 * <li>{@code Aeron raw UDP} — the same with an Aeron Publication and Subscription directly, each
 *     JVM its own embedded driver of the same settings (SHARED threading), the same idle strategy;</li>
 * <li>{@code Aeron raw IPC} — aeron:ipc through one driver (the ping JVM's) both JVMs share;</li>
 * <li>{@code ipcj RING mailbox}, {@code ipcj POSIX_MQ mailbox} — local transports, same API.</li>
 * </ul>
 * Each row: WARMUP round trips, then N measured, one at a time; p50, p99 and mean in µs.
 *
 * <pre>java -jar netbench/target/netbench.jar [N]</pre>
 */
public final class AeronBench {
    static final int SIZE = 64;
    static final int STREAM_PING = 1001;
    static final int STREAM_PONG = 1002;

    private AeronBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("peer")) {
            peer(args);
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warm = Math.max(1000, n / 4);
        System.out.printf("round trips of %d-byte messages, ping JVM + echo JVM, %d warm-up + %d measured each%n",
                SIZE, warm, n);
        System.out.printf("%-34s %10s %10s %10s%n", "path", "p50 µs", "p99 µs", "mean µs");
        row("ipcj AERON mailbox (udp loopback)", mailbox(true, warm, n));
        row("Aeron raw UDP (loopback)", rawUdp(warm, n));
        row("Aeron raw IPC (one shared driver)", rawIpc(warm, n));
        row("ipcj RING mailbox", mailboxLocal(Transport.RING, warm, n));
        row("ipcj POSIX_MQ mailbox", mailboxLocal(Transport.POSIX_MQ, warm, n));
    }

    private static void row(String name, long[] nanos) {
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0);
        System.out.printf("%-34s %10.1f %10.1f %10.1f%n", name, nanos[nanos.length / 2] / 1e3,
                nanos[(int) (nanos.length * 0.99)] / 1e3, mean / 1e3);
    }

    static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- ipcj mailboxes

    private static long[] mailbox(boolean unused, int warm, int n) throws Exception {
        String ping = "udp://127.0.0.1:" + freePort() + "/ping";
        String pong = "udp://127.0.0.1:" + freePort() + "/pong";
        try (Mailbox in = Mailbox.create(pong, Capacity.bounded(16));
             Child echo = Launch.java(AeronBench.class).args("peer", "mailbox", ping, pong).start()) {
            echo.awaitReady(Duration.ofSeconds(60));
            try (Mailbox out = Mailbox.open(ping)) {
                long[] r = pingPong(out, in, warm, n);
                out.send(ByteBuffer.allocate(0));
                echo.waitFor(Duration.ofSeconds(20));
                return r;
            }
        }
    }

    private static long[] mailboxLocal(Transport t, int warm, int n) throws Exception {
        String base = "/ipcj-bench-" + ProcessHandle.current().pid() + "-net-" + t.name().toLowerCase();
        String ping = base + "-ping";
        String pong = base + "-pong";
        try (Mailbox out = Mailbox.create(ping, t, Capacity.bounded(10), 256);
             Mailbox in = Mailbox.create(pong, t, Capacity.bounded(10), 256);
             Child echo = Launch.java(AeronBench.class).args("peer", "local", ping, pong).start()) {
            echo.awaitReady(Duration.ofSeconds(60));
            long[] r = pingPong(out, in, warm, n);
            out.send(ByteBuffer.allocate(0));
            echo.waitFor(Duration.ofSeconds(20));
            return r;
        } finally {
            Mailbox.unlinkIfExists(ping);
            Mailbox.unlinkIfExists(pong);
        }
    }

    private static long[] pingPong(Mailbox out, Mailbox in, int warm, int n) throws InterruptedException {
        ByteBuffer msg = ByteBuffer.allocateDirect(SIZE);
        ByteBuffer got = ByteBuffer.allocateDirect(Math.max(in.maxMessageSize(), SIZE));
        Envelope env = new Envelope();
        long[] r = new long[n];
        for (int i = 0; i < warm + n; i++) {
            msg.clear();
            long t0 = System.nanoTime();
            out.send(msg);
            got.clear();
            in.receive(got, env);
            long t = System.nanoTime() - t0;
            if (i >= warm) {
                r[i - warm] = t;
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- raw Aeron

    private static long[] rawUdp(int warm, int n) throws Exception {
        int pingPort = freePort();
        int pongPort = freePort();
        try (Driver d = Driver.start("raw");
             Subscription in = d.aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:" + pongPort, STREAM_PONG);
             Child echo = Launch.java(AeronBench.class).args("peer", "udp", String.valueOf(pingPort),
                     String.valueOf(pongPort)).start()) {
            echo.awaitReady(Duration.ofSeconds(60));
            try (Publication out = d.aeron.addPublication("aeron:udp?endpoint=127.0.0.1:" + pingPort, STREAM_PING)) {
                long[] r = rawPingPong(out, in, warm, n);
                stop(out, echo);
                return r;
            }
        }
    }

    private static long[] rawIpc(int warm, int n) throws Exception {
        try (Driver d = Driver.start("ipc");
             Subscription in = d.aeron.addSubscription("aeron:ipc", STREAM_PONG);
             Publication out = d.aeron.addPublication("aeron:ipc", STREAM_PING);
             Child echo = Launch.java(AeronBench.class).args("peer", "ipc", d.dir).start()) {
            echo.awaitReady(Duration.ofSeconds(60));
            long[] r = rawPingPong(out, in, warm, n);
            stop(out, echo);
            return r;
        }
    }

    /** A 1-byte message ends the raw echo; it exits (and its driver deletes its directory). */
    private static void stop(Publication out, Child echo) throws InterruptedException {
        UnsafeBuffer one = new UnsafeBuffer(new byte[1]);
        while (out.offer(one, 0, 1) < 0) {
            Thread.onSpinWait();
        }
        echo.waitFor(Duration.ofSeconds(20));
    }

    private static long[] rawPingPong(Publication out, Subscription in, int warm, int n) {
        UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
        IdleStrategy idle = new BackoffIdleStrategy(50, 10, 1_000, 200_000);
        boolean[] got = new boolean[1];
        FragmentHandler h = new FragmentAssembler((b, o, l, hd) -> got[0] = true);
        while (!out.isConnected() || !in.isConnected()) {
            idle.idle();
        }
        long[] r = new long[n];
        for (int i = 0; i < warm + n; i++) {
            long t0 = System.nanoTime();
            while (out.offer(msg, 0, SIZE) < 0) {
                idle.idle();
            }
            idle.reset();
            got[0] = false;
            while (!got[0]) {
                idle.idle(in.poll(h, 1));
            }
            long t = System.nanoTime() - t0;
            if (i >= warm) {
                r[i - warm] = t;
            }
        }
        return r;
    }

    /** An embedded driver like ipcj's (SHARED threading, sparse terms) in /dev/shm/ipcj-aeronbench-PID-WHAT. */
    static final class Driver implements AutoCloseable {
        final MediaDriver driver;
        final Aeron aeron;
        final String dir;

        private Driver(MediaDriver driver, Aeron aeron, String dir) {
            this.driver = driver;
            this.aeron = aeron;
            this.dir = dir;
        }

        static Driver start(String what) {
            String dir = "/dev/shm/ipcj-aeronbench-" + ProcessHandle.current().pid() + "-" + what;
            MediaDriver d = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                    .dirDeleteOnStart(true).dirDeleteOnShutdown(true).threadingMode(ThreadingMode.SHARED)
                    .termBufferSparseFile(true));
            return new Driver(d, Aeron.connect(new Aeron.Context().aeronDirectoryName(dir)), dir);
        }

        @Override
        public void close() {
            aeron.close();
            driver.close();
            new File(dir).delete();
        }
    }

    // ---------------------------------------------------------------- the echo JVM

    private static void peer(String[] args) throws Exception {
        switch (args[1]) {
            case "mailbox":
                try (Mailbox in = Mailbox.create(args[2], Capacity.bounded(16))) {
                    Ready.signal();
                    try (Mailbox out = Mailbox.open(args[3])) {
                        echo(in, out);
                    }
                }
                break;
            case "local":
                try (Mailbox in = Mailbox.open(args[2]); Mailbox out = Mailbox.open(args[3])) {
                    Ready.signal();
                    echo(in, out);
                }
                break;
            case "udp":
                try (Driver d = Driver.start("raw");
                     Subscription in = d.aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:" + args[2], STREAM_PING);
                     Publication out = d.aeron.addPublication("aeron:udp?endpoint=127.0.0.1:" + args[3], STREAM_PONG)) {
                    Ready.signal();
                    rawEcho(in, out);
                }
                break;
            case "ipc":
                try (Aeron a = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[2]));
                     Subscription in = a.addSubscription("aeron:ipc", STREAM_PING);
                     Publication out = a.addPublication("aeron:ipc", STREAM_PONG)) {
                    Ready.signal();
                    rawEcho(in, out);
                }
                break;
            default:
                throw new IllegalArgumentException(args[1]);
        }
    }

    private static void echo(Mailbox in, Mailbox out) throws InterruptedException {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(in.maxMessageSize(), SIZE));
        Envelope env = new Envelope();
        for (;;) {
            b.clear();
            in.receive(b, env);
            if (env.length() == 0) {
                return;
            }
            b.flip();
            out.send(b);
        }
    }

    /** Echoes until the ping side goes away (its publication closes with the parent's Driver). */
    private static void rawEcho(Subscription in, Publication out) {
        IdleStrategy idle = new BackoffIdleStrategy(50, 10, 1_000, 200_000);
        boolean[] stop = new boolean[1];
        FragmentHandler h = new FragmentAssembler((b, o, l, hd) -> {
            if (l == 1) {
                stop[0] = true;
                return;
            }
            while (out.offer(b, o, l) < 0) {
                if (!out.isConnected() && !in.isConnected()) {
                    return;
                }
                Thread.onSpinWait();
            }
        });
        boolean seen = false;
        long quietSince = System.nanoTime();
        while (!stop[0]) {
            int w = in.poll(h, 8);
            if (w > 0) {
                seen = true;
                quietSince = System.nanoTime();
            } else if (seen && !in.isConnected() || System.nanoTime() - quietSince > 120_000_000_000L) {
                return;
            }
            idle.idle(w);
        }
    }
}
