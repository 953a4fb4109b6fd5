package dev.ipcj.bench;

import dev.ipcj.log.SharedLog;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Envelope;
import dev.ipcj.msg.Mailbox;
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
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One send/receive pair per transport, either through the messaging API ({@code api}: a
 * {@link Mailbox}) or through the transport's own binding ({@code raw}: MessageQueue,
 * SysvMessageQueue, SharedRing, SharedLog), with the same capacity (10 messages; the raw
 * ring holds 56, its minimum of 4096 bytes) and
 * message size, so {@link MessagingBenchmark} measures exactly what the API layer adds.
 *
 * <p>The raw bindings are a table by transport ({@link #RAW}): a transport without an entry is
 * refused by name, never benchmarked as another one.
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

    /** A transport's own binding, for {@code raw}: what the mailbox layer is measured against. */
    interface RawBinding {
        /** Creates the object under {@code name}: the address a peer opens. */
        String create(String name);

        /** Removes the object at {@code address}. */
        void remove(String address);

        /** Opens the object at {@code address}. */
        Endpoint open(String address);
    }

    /** The raw binding of each transport that has one. */
    static final Map<Transport, RawBinding> RAW;

    static {
        Map<Transport, RawBinding> m = new EnumMap<>(Transport.class);
        m.put(Transport.POSIX_MQ, new MqBinding());
        m.put(Transport.SYSTEM_V, new SysvBinding());
        m.put(Transport.RING, new RingBinding());
        m.put(Transport.SHM_LOG, new LogBinding());
        RAW = Collections.unmodifiableMap(m);
    }

    /** {@code t}'s raw binding; IllegalArgumentException naming the transport when it has none. */
    static RawBinding raw(Transport t) {
        RawBinding b = RAW.get(t);
        if (b == null) {
            throw new IllegalArgumentException("transport " + t + " has no raw binding in MessagingEndpoints.RAW"
                    + " (it has: " + RAW.keySet() + "); add one, or benchmark it with via=api");
        }
        return b;
    }

    /** Creates the object for {@code layer} and {@code t} under {@code name}: the address a peer opens. */
    static String create(String layer, Transport t, String name) {
        if (layer.equals("api")) {
            Mailbox.create(name, t, Capacity.bounded(CAPACITY), MAX).close();
            return name;
        }
        return raw(t).create(name);
    }

    static void remove(String layer, Transport t, String address) {
        RawBinding b = layer.equals("api") ? null : raw(t); // refused by name, not swallowed below
        try {
            if (b == null) {
                Mailbox.unlinkIfExists(address);
                return;
            }
            b.remove(address);
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
        return raw(t).open(address);
    }

    private static final class MqBinding implements RawBinding {
        @Override
        public String create(String name) {
            MessageQueue.create(name, CAPACITY, MAX).close();
            return name;
        }

        @Override
        public void remove(String address) {
            MessageQueue.unlinkIfExists(address);
        }

        @Override
        public Endpoint open(String address) {
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
    }

    private static final class SysvBinding implements RawBinding {
        @Override
        public String create(String name) {
            try (SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE)) {
                q.setMaxBytes((long) CAPACITY * MAX); // the same 10 messages the mailbox holds
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
    }

    private static final class RingBinding implements RawBinding {
        @Override
        public String create(String name) {
            SharedRing.create(name, RingVariant.MANY_TO_ONE, 4096, Envelope.SIZE + MAX).close();
            return name;
        }

        @Override
        public void remove(String address) {
            SharedRing.unlinkIfExists(address);
        }

        @Override
        public Endpoint open(String address) {
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
    }

    /** The public shared log (dev.ipcj.log), records of the payload alone. */
    private static final class LogBinding implements RawBinding {
        @Override
        public String create(String name) {
            SharedLog.create(name, CAPACITY, MAX).close();
            return name;
        }

        @Override
        public void remove(String address) {
            SharedLog.unlinkIfExists(address);
        }

        @Override
        public Endpoint open(String address) {
            SharedLog log = SharedLog.open(address);
            return new Endpoint() {
                @Override
                public void send(ByteBuffer b) throws InterruptedException {
                    int p = b.position();
                    log.put(b);
                    b.position(p);
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
