package dev.ipcj.bench;

import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Envelope;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.RawLog;
import dev.ipcj.msg.Transport;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;

/**
 * One send/receive pair per transport, either through the messaging API ({@code api}: a
 * {@link Mailbox}) or through the transport's own binding ({@code raw}: MessageQueue,
 * SysvMessageQueue, SharedRing, the log adapter), with the same capacity (10 messages; the raw
 * ring holds 56, its minimum of 4096 bytes) and
 * message size, so {@link MessagingBenchmark} measures exactly what the API layer adds.
 */
final class MessagingEndpoints {
    static final int CAPACITY = 10;
    static final int MAX = 64;

    private MessagingEndpoints() {
    }

    interface Endpoint extends AutoCloseable {
        /** Sends {@code b}'s remaining bytes; b's position is left as it was. */
        void send(ByteBuffer b) throws InterruptedException;

        /** Receives into {@code b} (cleared first): the length. */
        int receive(ByteBuffer b) throws InterruptedException;

        @Override
        void close();
    }

    /** Creates the object for {@code layer} and {@code t} under {@code name}: the address a peer opens. */
    static String create(String layer, Transport t, String name) {
        if (layer.equals("api")) {
            Mailbox.create(name, t, Capacity.bounded(CAPACITY), MAX).close();
            return name;
        }
        switch (t) {
            case POSIX_MQ:
                MessageQueue.create(name, CAPACITY, MAX).close();
                return name;
            case SYSTEM_V:
                try (SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE)) {
                    q.setMaxBytes((long) CAPACITY * MAX); // the same 10 messages the mailbox holds
                    return Integer.toString(q.id());
                }
            case RING:
                SharedRing.create(name, RingVariant.MANY_TO_ONE, 4096, Envelope.SIZE + MAX).close();
                return name;
            default:
                RawLog.create(name, CAPACITY, MAX).close();
                return name;
        }
    }

    static void remove(String layer, Transport t, String address) {
        try {
            if (layer.equals("api")) {
                Mailbox.unlinkIfExists(address);
                return;
            }
            switch (t) {
                case POSIX_MQ:
                    MessageQueue.unlinkIfExists(address);
                    break;
                case SYSTEM_V:
                    try (SysvMessageQueue q = SysvMessageQueue.ofId(Integer.parseInt(address))) {
                        q.remove();
                    }
                    break;
                case RING:
                    SharedRing.unlinkIfExists(address);
                    break;
                default:
                    RawLog.remove(address);
            }
        } catch (RuntimeException e) {
            // already gone
        }
    }

    static Endpoint open(String layer, Transport t, String address) {
        if (layer.equals("api")) {
            Mailbox box = Mailbox.open(address);
            Envelope env = new Envelope();
            return new Endpoint() {
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
            };
        }
        switch (t) {
            case POSIX_MQ: {
                MessageQueue q = MessageQueue.open(address);
                return new Endpoint() {
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
                };
            }
            case SYSTEM_V: {
                SysvMessageQueue q = SysvMessageQueue.ofId(Integer.parseInt(address));
                SysvMessage out = SysvMessage.allocate(MAX);
                SysvMessage in = SysvMessage.allocate(MAX);
                return new Endpoint() {
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
                };
            }
            case RING: {
                SharedRing ring = SharedRing.open(address);
                return new Endpoint() {
                    RingProducer producer;
                    RingConsumer consumer;

                    @Override
                    public void send(ByteBuffer b) throws InterruptedException {
                        if (producer == null) {
                            producer = ring.producer();
                        }
                        int p = b.position();
                        producer.put(b);
                        b.position(p);
                    }

                    @Override
                    public int receive(ByteBuffer b) throws InterruptedException {
                        if (consumer == null) {
                            consumer = ring.consumer();
                        }
                        b.clear();
                        return consumer.take(b);
                    }

                    @Override
                    public void close() {
                        if (producer != null) {
                            producer.close();
                        }
                        if (consumer != null) {
                            consumer.close();
                        }
                        ring.close();
                    }
                };
            }
            default: {
                RawLog log = RawLog.open(address);
                return new Endpoint() {
                    @Override
                    public void send(ByteBuffer b) throws InterruptedException {
                        log.put(b);
                    }

                    @Override
                    public int receive(ByteBuffer b) throws InterruptedException {
                        b.clear();
                        return log.take(b);
                    }

                    @Override
                    public void close() {
                        log.close();
                    }
                };
            }
        }
    }
}
