package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.bench.MessagingEndpoints.RawBinding;
import dev.ipcj.posix.MessageQueue;
import java.nio.ByteBuffer;

/** {@code POSIX_MQ}'s raw binding: a {@link MessageQueue} of the mailbox's capacity and size. */
final class MqBinding implements RawBinding {
    @Override
    public String create(String name) {
        MessageQueue.create(name, MessagingEndpoints.CAPACITY, MessagingEndpoints.MAX).close();
        return name;
    }

    @Override
    public void remove(String address) {
        MessageQueue.unlinkIfExists(address);
    }

    @Override
    public Endpoint open(String address) {
        return new MqEndpoint(MessageQueue.open(address));
    }

    /** mq_send and mq_receive at priority 0. */
    static final class MqEndpoint implements Endpoint {
        private final MessageQueue q;

        MqEndpoint(MessageQueue q) {
            this.q = q;
        }

        @Override
        public void send(ByteBuffer b) throws InterruptedException {
            int p = b.position();
            q.send(b, 0);
            b.position(p);
        }

        @Override
        public int receive(ByteBuffer b) throws InterruptedException {
            b.clear();
            return q.receive(b);
        }

        @Override
        public void close() {
            q.close();
        }
    }
}
