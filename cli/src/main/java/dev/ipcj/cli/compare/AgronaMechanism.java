package dev.ipcj.cli.compare;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Agrona's OneToOneRingBuffer over a /dev/shm file, two rings (one each way), both sides
 * spinning: what Java users compare shared-memory IPC against. Java only (no C twin: the ring's
 * format is Agrona's). The file is named like every ipcj object so {@code ipcj ls} shows it.
 *
 * <pre>
 *   file: | ring client->server: CAPACITY + TRAILER | ring server->client: CAPACITY + TRAILER |
 * </pre>
 */
final class AgronaMechanism implements Mechanism {
    /** 2 MiB data per ring: Agrona allows messages up to capacity/8 = 256 KiB. */
    static final int CAPACITY = 2 << 20;
    static final int RING = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    private static final int MSG_TYPE = 1;

    @Override
    public String id() {
        return "agrona";
    }

    @Override
    public String label() {
        return "Agrona OneToOneRingBuffer";
    }

    @Override
    public String cProgram() {
        return null;
    }

    @Override
    public SizeCap sizeCap() {
        return new SizeCap(CAPACITY / 8, "Agrona's largest message is capacity/8 (ring of " + (CAPACITY >> 20) + " MiB)");
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        Path file = Path.of("/dev/shm", ctx.ipcName("agrona").substring(1));
        return new Setup(List.of(file.toString()), () -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // reported by ls as a leftover
            }
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(args.get(0), "rw")) {
            f.setLength(2L * RING); // zero-filled: a valid empty ring
        }
        return new Rings(map(args.get(0)), RING, 0);
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) throws IOException {
        return new Rings(map(args.get(0)), 0, RING);
    }

    private static MappedByteBuffer map(String file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file, "rw"); FileChannel ch = f.getChannel()) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, 2L * RING);
        }
    }

    private static final class Rings implements Link, MessageHandler {
        private final OneToOneRingBuffer out;
        private final OneToOneRingBuffer in;
        private final UnsafeBuffer src = new UnsafeBuffer(0, 0);
        private MutableDirectBuffer dst;
        private ByteBuffer wrapped;

        Rings(MappedByteBuffer map, int outOffset, int inOffset) {
            out = new OneToOneRingBuffer(new UnsafeBuffer(map, outOffset, RING));
            in = new OneToOneRingBuffer(new UnsafeBuffer(map, inOffset, RING));
        }

        private void wrap(ByteBuffer buf) {
            if (wrapped != buf) { // the runner passes the same buffer every time: wrap once
                wrapped = buf;
                src.wrap(buf);
                dst = new UnsafeBuffer(buf);
            }
        }

        @Override
        public void send(ByteBuffer buf, int size) {
            wrap(buf);
            while (!out.write(MSG_TYPE, src, 0, size)) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void recv(ByteBuffer buf, int size) {
            wrap(buf);
            while (in.read(this, 1) == 0) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            dst.putBytes(0, buffer, index, length); // copy out, as a socket read does
        }

        @Override
        public void close() {
            // the mapping goes with the process
        }
    }


    @Override
    public int streamScale() {
        return 16;
    }
}
