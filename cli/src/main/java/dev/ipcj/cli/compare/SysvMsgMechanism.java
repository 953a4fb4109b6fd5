package dev.ipcj.cli.compare;

import dev.ipcj.cli.sys.Limits;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * System V message queues through ipcj's {@link SysvMessageQueue}: two queues, one each way,
 * made by the ipcj process (keys in ipcj's range, so {@code ipcj ls} knows them) and removed
 * with IPC_RMID when the scenario ends; the peers get the ids. Each peer keeps one reusable
 * {@link SysvMessage}: the payload lives in the kernel's msgbuf layout, so Java copies nothing
 * and allocates nothing per message (the kernel's copy in and out is the only one), as the C
 * twin bench_sysvmsg does with its own msgbuf.
 *
 * <p>Messages are at most msgmax bytes, and a queue holds at most msgmnb bytes (a message
 * larger than that would wait forever), so the live cap is the smaller of the two.
 */
final class SysvMsgMechanism implements Mechanism {
    private static final long TYPE = 1;

    @Override
    public String id() {
        return "sysv-msg";
    }

    @Override
    public String label() {
        return "System V msg queue";
    }

    @Override
    public String cProgram() {
        return "bench_sysvmsg";
    }

    @Override
    public SizeCap sizeCap() {
        long max = Limits.sysvMsgmax().orElse(8192);
        long mnb = Limits.proc("/proc/sys/kernel/msgmnb").orElse(16384);
        if (mnb < max) {
            return new SizeCap(mnb, "/proc/sys/kernel/msgmnb " + mnb + ", the bytes one queue holds; raise it: sysctl kernel.msgmnb=N");
        }
        return new SizeCap(max, "/proc/sys/kernel/msgmax " + max + "; raise it: sysctl kernel.msgmax=N");
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        int c2s = SysvKeys.createFree(SysvMsgMechanism::create);
        int s2c;
        try {
            s2c = SysvKeys.createFree(SysvMsgMechanism::create);
        } catch (RuntimeException e) {
            SysvMsg.msgctlRmid(c2s);
            throw e;
        }
        return new Setup(List.of(Integer.toString(c2s), Integer.toString(s2c)), () -> {
            SysvMsg.msgctlRmid(c2s);
            SysvMsg.msgctlRmid(s2c);
        });
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        return new Queues(queue(args.get(1)), queue(args.get(0)), SysvMessage.allocate(maxSize));
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) {
        return new Queues(queue(args.get(0)), queue(args.get(1)), SysvMessage.allocate(maxSize));
    }

    /** A new queue under {@code key}: its id (the handle is closed; the queue stays until IPC_RMID). */
    private static int create(IpcKey key) {
        try (SysvMessageQueue q = SysvMessageQueue.create(key)) {
            return q.id();
        }
    }

    private static SysvMessageQueue queue(String id) {
        return SysvMessageQueue.ofId(Integer.parseInt(id));
    }

    private record Queues(SysvMessageQueue out, SysvMessageQueue in, SysvMessage msg) implements Link {
        @Override
        public void send(ByteBuffer buf, int size) throws InterruptedException {
            out.send(msg.type(TYPE).size(size));
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws InterruptedException {
            in.receive(msg);
            if (msg.size() != size) {
                throw new IllegalStateException("received a message of " + msg.size() + " bytes, expected " + size);
            }
        }

        @Override
        public void close() {
            out.close();
            in.close();
        }
    }
}
