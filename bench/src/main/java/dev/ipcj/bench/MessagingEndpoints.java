package dev.ipcj.bench;

import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
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
 * refused by name, never benchmarked as another one. Each binding, with its named endpoint, is
 * a class of its own ({@link MqBinding}, {@link SysvBinding}, {@link RingBinding},
 * {@link LogBinding}; {@link MailboxBinding} for the API): giving a new transport a raw binding
 * is one such class and one line in {@link #RAW}.
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
        return layer.equals("api") ? MailboxBinding.create(t, name) : raw(t).create(name);
    }

    static void remove(String layer, Transport t, String address) {
        RawBinding b = layer.equals("api") ? null : raw(t); // refused by name, not swallowed below
        try {
            if (b == null) {
                MailboxBinding.remove(address);
                return;
            }
            b.remove(address);
        } catch (RuntimeException e) {
            // already gone
        }
    }

    static Endpoint open(String layer, Transport t, String address) {
        return layer.equals("api") ? MailboxBinding.open(address) : raw(t).open(address);
    }
}
