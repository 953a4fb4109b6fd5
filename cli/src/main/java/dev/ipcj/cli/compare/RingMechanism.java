package dev.ipcj.cli.compare;

import dev.ipcj.posix.SharedMemory;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * ipcj's {@link SharedRing}: two ONE_TO_ONE rings, one each way (client-&gt;server, server-&gt;client),
 * created by the server. Two flavours of one class:
 * <ul>
 * <li>spinning: {@code offer}/{@code poll} in a loop with {@link Thread#onSpinWait()}, as Agrona
 *     is used: lowest latency, a core each while waiting;</li>
 * <li>blocking: {@code put}/{@code take} with the spin before sleeping turned off
 *     ({@code -Dipcj.ring.spinNanos=0} for Java, {@code spin_nanos = 0} in C), so every wait
 *     sleeps in FUTEX_WAIT and every message wakes a sleeper: the cost of the futex path, to
 *     compare with semaphores and queues. With the default 20 us spin, a ping-pong faster than
 *     that never sleeps and would only repeat the spinning figures.</li>
 * </ul>
 * Payloads are copied in from, and out into, the peer's buffer ({@code offer(ByteBuffer)},
 * {@code poll(ByteBuffer)}), as a socket write and read do. The C twins (bench_ring_spin,
 * bench_ring_block) do the same with ipcj_ring.h. A third flavour, {@code ring-array}, spins on
 * the other public pair, {@code offer(byte[], 0, size)} and {@code read(handler, 1)} copying
 * out into a byte[]: the calls Agrona's {@code write}/{@code read} correspond to.
 */
final class RingMechanism implements Mechanism {
    /** Data bytes per ring, as Agrona's: 2 MiB. */
    static final int CAPACITY = 2 << 20;
    /** The largest record such a ring takes (capacity / 2 - 8); the C twins use the same. */
    static final int MAX_RECORD = CAPACITY / 2 - 8;

    private final boolean blocking;
    private final boolean arrays;

    private RingMechanism(boolean blocking, boolean arrays) {
        this.blocking = blocking;
        this.arrays = arrays;
    }

    static RingMechanism spinning() {
        return new RingMechanism(false, false);
    }

    static RingMechanism blocking() {
        return new RingMechanism(true, false);
    }

    /** Spinning on offer(byte[]) and read(handler). */
    static RingMechanism arrays() {
        return new RingMechanism(false, true);
    }

    @Override
    public String id() {
        return blocking ? "ring-block" : arrays ? "ring-array" : "ring-spin";
    }

    @Override
    public String label() {
        return blocking ? "ipcj ring (blocking)" : arrays ? "ipcj ring (spinning: byte[] + handler)" : "ipcj ring (spinning)";
    }

    @Override
    public String cProgram() {
        return blocking ? "bench_ring_block" : "bench_ring_spin";
    }

    @Override
    public SizeCap sizeCap() {
        return new SizeCap(MAX_RECORD, "the ring's maxRecordLength is capacity/2 - 8 (rings of " + (CAPACITY >> 20) + " MiB)");
    }

    @Override
    public List<String> javaFlags() {
        return blocking ? List.of("-Dipcj.ring.spinNanos=0") : List.of();
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        String c2s = ctx.ipcName("c2s");
        String s2c = ctx.ipcName("s2c");
        return new Setup(List.of(c2s, s2c), () -> {
            // SharedMemory rather than SharedRing: unlinking needs no membarrier registration here
            SharedMemory.unlinkIfExists(c2s);
            SharedMemory.unlinkIfExists(s2c);
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        SharedRing in = SharedRing.create(args.get(0), RingVariant.ONE_TO_ONE, CAPACITY, MAX_RECORD);
        SharedRing out = null;
        try {
            out = SharedRing.create(args.get(1), RingVariant.ONE_TO_ONE, CAPACITY, MAX_RECORD);
            return rings(in, out);
        } catch (RuntimeException e) {
            in.close();
            if (out != null) {
                out.close();
            }
            throw e;
        }
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) {
        SharedRing out = SharedRing.open(args.get(0), RingVariant.ONE_TO_ONE, CAPACITY, MAX_RECORD);
        SharedRing in = null;
        try {
            in = SharedRing.open(args.get(1), RingVariant.ONE_TO_ONE, CAPACITY, MAX_RECORD);
            return rings(in, out);
        } catch (RuntimeException e) {
            out.close();
            if (in != null) {
                in.close();
            }
            throw e;
        }
    }

    /** The ends first, then the rings they are of. */
    private static void closeAll(RingConsumer in, RingProducer out, SharedRing inRing, SharedRing outRing) {
        in.close();
        out.close();
        inRing.close();
        outRing.close();
    }

    private Link rings(SharedRing in, SharedRing out) {
        return arrays ? new ArrayRings(in, out, in.consumer(), out.producer())
                : new Rings(in, out, in.consumer(), out.producer(), blocking);
    }

    /** offer(byte[]) and read(handler): the handler copies the record out into a byte[], as Agrona's peer does. */
    private static final class ArrayRings implements Link, dev.ipcj.ring.RecordHandler {
        private final SharedRing inRing;
        private final SharedRing outRing;
        private final RingConsumer in;
        private final RingProducer out;
        private final byte[] src = new byte[MAX_RECORD];
        private final byte[] dst = new byte[MAX_RECORD];
        private ByteBuffer filled;
        private int got;

        ArrayRings(SharedRing inRing, SharedRing outRing, RingConsumer in, RingProducer out) {
            this.inRing = inRing;
            this.outRing = outRing;
            this.in = in;
            this.out = out;
        }

        @Override
        public void send(ByteBuffer buf, int size) {
            if (filled != buf) { // the runner passes the same buffer every time: copy its bytes once
                filled = buf;
                buf.get(0, src, 0, Math.min(buf.capacity(), src.length));
            }
            while (!out.offer(src, 0, size)) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void recv(ByteBuffer buf, int size) {
            while (in.read(this, 1) == 0) {
                Thread.onSpinWait();
            }
            if (got != size) {
                throw new IllegalStateException("received a record of " + got + " bytes, expected " + size);
            }
        }

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int len) {
            got = len;
            buffer.get(offset, dst, 0, len); // copy out, as a socket read does
        }

        @Override
        public void close() {
            closeAll(in, out, inRing, outRing);
        }
    }

    private record Rings(SharedRing inRing, SharedRing outRing, RingConsumer in, RingProducer out, boolean blocking)
            implements Link {
        @Override
        public void send(ByteBuffer buf, int size) throws InterruptedException {
            buf.clear().limit(size);
            if (blocking) {
                out.put(buf);
            } else {
                while (!out.offer(buf)) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws InterruptedException {
            buf.clear();
            int n;
            if (blocking) {
                n = in.take(buf);
            } else {
                while ((n = in.poll(buf)) < 0) {
                    Thread.onSpinWait();
                }
            }
            if (n != size) {
                throw new IllegalStateException("received a record of " + n + " bytes, expected " + size);
            }
        }

        @Override
        public void close() {
            closeAll(in, out, inRing, outRing);
        }
    }

    @Override
    public int streamScale() {
        return 16;
    }
}
