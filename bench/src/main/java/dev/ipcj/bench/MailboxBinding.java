package dev.ipcj.bench;

import dev.ipcj.bench.MessagingEndpoints.Endpoint;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Envelope;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import java.nio.ByteBuffer;

/** {@code via=api}: a {@link Mailbox} of any transport, the layer MessagingBenchmark measures. */
final class MailboxBinding {
    private MailboxBinding() {
    }

    static String create(Transport t, String name) {
        Mailbox.create(name, t, Capacity.bounded(MessagingEndpoints.CAPACITY), MessagingEndpoints.MAX).close();
        return name;
    }

    static void remove(String address) {
        Mailbox.unlinkIfExists(address);
    }

    static Endpoint open(String address) {
        return new MailboxEndpoint(Mailbox.open(address));
    }

    /** Sends and receives through the mailbox; the envelope is reused. */
    static final class MailboxEndpoint implements Endpoint {
        private final Mailbox box;
        private final Envelope env = new Envelope();

        MailboxEndpoint(Mailbox box) {
            this.box = box;
        }

        @Override
        public void send(ByteBuffer b) throws InterruptedException {
            int p = b.position();
            box.send(b);
            b.position(p);
        }

        @Override
        public int receive(ByteBuffer b) throws InterruptedException {
            b.clear();
            box.receive(b, env);
            return env.length();
        }

        @Override
        public void close() {
            box.close();
        }
    }
}
