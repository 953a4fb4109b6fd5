package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.bench.MessagingEndpoints.RawBinding;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;

/** {@code SYSTEM_V}'s raw binding: a private {@link SysvMessageQueue} holding the mailbox's 10 messages. */
final class SysvBinding implements RawBinding {
    @Override
    public String create(String name) {
        try (SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE)) {
            q.setMaxBytes((long) MessagingEndpoints.CAPACITY * MessagingEndpoints.MAX);
            return Integer.toString(q.id());
        }
    }

    @Override
    public void remove(String address) {
        try (SysvMessageQueue q = SysvMessageQueue.ofId(Integer.parseInt(address))) {
            q.remove();
        }
    }

    @Override
    public Endpoint open(String address) {
        return new SysvEndpoint(SysvMessageQueue.ofId(Integer.parseInt(address)));
    }

    /** msgsnd and msgrcv of type 1 through two reused SysvMessages. */
    static final class SysvEndpoint implements Endpoint {
        private final SysvMessageQueue q;
        private final SysvMessage out = SysvMessage.allocate(MessagingEndpoints.MAX);
        private final SysvMessage in = SysvMessage.allocate(MessagingEndpoints.MAX);

        SysvEndpoint(SysvMessageQueue q) {
            this.q = q;
        }

        @Override
        public void send(ByteBuffer b) throws InterruptedException {
            q.send(out.set(1, b));
        }

        @Override
        public int receive(ByteBuffer b) throws InterruptedException {
            q.receive(in);
            return in.size(); // raw: the payload stays in the SysvMessage
        }

        @Override
        public void close() {
            q.close();
        }
    }
}
