package dev.ipcj.cli.compare;

import dev.ipcj.cli.sys.Limits;
import dev.ipcj.posix.MessageQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * POSIX message queues through ipcj's {@link MessageQueue}: two queues, one each way, created
 * by the server (exclusive, 0600) and unlinked by ipcj when the scenario ends.
 *
 * <p>Both peers get the queue sizes as arguments, read live when the scenario is prepared:
 * messages of up to {@code /proc/sys/fs/mqueue/msgsize_max} bytes, and {@link #DEPTH} messages
 * per queue: the default {@code msg_max} of 10, the most an unprivileged user may ask for. ipcj
 * asks no more even when it runs as root (who could), so the figures are what users get.
 * A receive needs a buffer of the queue's whole message size; each side keeps one, allocated
 * once, and sends from the peer's buffer. The C twin bench_mq does the same with mq_open,
 * mq_send and mq_receive.
 */
final class MqMechanism implements Mechanism {
    /** Messages per queue: the default msg_max, the most an unprivileged user may ask for. */
    static final int DEPTH = 10;

    @Override
    public String id() {
        return "posix-mq";
    }

    @Override
    public String label() {
        return "POSIX message queue";
    }

    @Override
    public String cProgram() {
        return "bench_mq";
    }

    @Override
    public SizeCap sizeCap() {
        long max = msgsizeMax();
        return new SizeCap(max, "/proc/sys/fs/mqueue/msgsize_max " + max + "; raise it: sysctl fs.mqueue.msgsize_max=N");
    }

    @Override
    public String note() {
        return "queues of " + depth() + " messages, the default /proc/sys/fs/mqueue/msg_max that unprivileged users "
                + "get (root could ask more; ipcj bench does not, so results match what users see)";
    }

    private static long msgsizeMax() {
        return Limits.mqMsgsizeMax().orElse(8192);
    }

    /** {@link #DEPTH}, or less if this machine's msg_max was lowered. */
    private static int depth() {
        return (int) Math.min(DEPTH, Math.max(1, Limits.proc("/proc/sys/fs/mqueue/msg_max").orElse(DEPTH)));
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        String c2s = ctx.ipcName("c2s");
        String s2c = ctx.ipcName("s2c");
        long size = Math.min(msgsizeMax(), Integer.MAX_VALUE);
        return new Setup(List.of(c2s, s2c, Integer.toString(depth()), Long.toString(size)), () -> {
            MessageQueue.unlinkIfExists(c2s);
            MessageQueue.unlinkIfExists(s2c);
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        int depth = Integer.parseInt(args.get(2));
        int size = Integer.parseInt(args.get(3));
        MessageQueue in = MessageQueue.create(args.get(0), depth, size);
        try {
            return new Queues(MessageQueue.create(args.get(1), depth, size), in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) {
        MessageQueue out = MessageQueue.open(args.get(0));
        try {
            return new Queues(out, MessageQueue.open(args.get(1)));
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static final class Queues implements Link {
        private final MessageQueue out;
        private final MessageQueue in;
        private final ByteBuffer received;

        Queues(MessageQueue out, MessageQueue in) {
            this.out = out;
            this.in = in;
            this.received = ByteBuffer.allocateDirect(in.maxMessageSize()).order(ByteOrder.nativeOrder());
        }

        @Override
        public void send(ByteBuffer buf, int size) throws InterruptedException {
            buf.clear().limit(size);
            out.send(buf, 0);
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws InterruptedException {
            received.clear();
            int n = in.receive(received);
            if (n != size) {
                throw new IllegalStateException("received a message of " + n + " bytes, expected " + size);
            }
        }

        @Override
        public void close() {
            out.close();
            in.close();
        }
    }
}
