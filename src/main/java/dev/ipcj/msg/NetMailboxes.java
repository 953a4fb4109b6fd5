package dev.ipcj.msg;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.internal.Errno;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.SharedPage;

/**
 * Network mailboxes ({@code udp://HOST:PORT/NAME}, {@link Transport#AERON}): made and opened
 * here, outside the header model of local mailboxes. A network mailbox has no header file: the
 * receiver holds its facts (capacity, maximum message size) and tells them to each sender in its
 * first grant, so {@link Mailbox#open} needs only the address; nothing outlives the processes.
 *
 * <p>This class refers to no Aeron type, so that ipcj without Aeron on its path loads it (the
 * transport then says it is not available); the Aeron queues are made by {@link AeronQueues}.
 */
final class NetMailboxes {
    /** How long {@link Mailbox#open} waits for a receiver's first answer unless {@code ipcj.aeron.connect.ms} says. */
    static long connectMillis() {
        return Long.getLong("ipcj.aeron.connect.ms", 10_000L);
    }

    static final TransportAdapter ADAPTER = new TransportAdapter() {
        @Override
        FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control) {
            throw new InvalidArgumentException("create", name, 0, "an AERON mailbox is named by its address,"
                    + " udp://HOST:PORT/NAME, not by a local name");
        }

        @Override
        FrameQueue open(String name, MailboxHeader h, SharedPage control) {
            throw new CorruptedException("open", name, 0, "the header names transport AERON, which never has a"
                    + " local header: another program wrote it");
        }

        @Override
        boolean remove(String name, MailboxHeader h) {
            return false;
        }

        @Override
        String bound() {
            return "the receiver grants each sender n credits and Aeron's window holds the rest; no unbounded"
                    + " backlog crosses the network";
        }

        @Override
        String refusal(Capacity capacity, int maxMessageSize) {
            if (capacity.isZero()) {
                return "capacity zero (a rendezvous) is not given across machines: the sender would need the"
                        + " receiver's claim in a shared word; use Capacity.bounded(1), whose send waits for room";
            }
            return null;
        }

        @Override
        boolean isAvailable() {
            return aeronPresent();
        }
    };

    private NetMailboxes() {
    }

    /**
     * Whether the Aeron client and driver classes are on the class or module path. Here, not in
     * AeronRuntime: loading that class needs Aeron (its catch clauses name Aeron's exceptions).
     */
    static boolean aeronPresent() {
        try {
            ClassLoader l = NetMailboxes.class.getClassLoader();
            Class.forName("io.aeron.Aeron", false, l);
            Class.forName("io.aeron.driver.MediaDriver", false, l);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static Mailbox create(String uri, Transport transport, Capacity capacity, int maxMessageSize) {
        NetAddress a = NetAddress.parse("create", uri);
        check("create", a, transport);
        if (capacity == null) {
            throw new InvalidArgumentException("create", a.uri, 0, "capacity is null");
        }
        if (maxMessageSize < 0 || maxMessageSize > MailboxHeader.MAX_MESSAGE_SIZE / 8) {
            throw new InvalidArgumentException("create", a.uri, 0, "maxMessageSize " + maxMessageSize
                    + " is outside 0.." + MailboxHeader.MAX_MESSAGE_SIZE / 8 + " (Aeron's largest message is an eighth"
                    + " of its 1 GiB largest term)");
        }
        String refusal = Transport.AERON.refusal(capacity, maxMessageSize);
        if (refusal != null) {
            throw new InvalidArgumentException("create", a.uri, 0, "AERON: " + refusal);
        }
        FrameQueue q = AeronQueues.receiver(a, capacity, maxMessageSize);
        MailboxHeader h = new MailboxHeader(Transport.AERON, capacity, maxMessageSize, 0, ProcessIdentity.self(),
                AeronQueues.instance(q));
        return new Mailbox(a.uri, h, q, null, false);
    }

    static Mailbox open(String uri) {
        NetAddress a = NetAddress.parse("open", uri);
        check("open", a, Transport.AERON);
        try {
            FrameQueue q = AeronQueues.sender(a, connectMillis() * 1_000_000L);
            MailboxHeader h = new MailboxHeader(Transport.AERON, Capacity.bounded(Math.max(1, AeronQueues.capacity(q))),
                    q.maxMessageSize(), 0, 0, 0);
            return new Mailbox(a.uri, h, q, null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedException("open", a.uri, Errno.EINTR, "interrupted while waiting for the receiver's answer");
        }
    }

    private static void check(String call, NetAddress a, Transport transport) {
        if (transport != Transport.AERON) {
            throw new InvalidArgumentException(call, a.uri, 0, "a udp:// address names an AERON mailbox, not "
                    + transport + "; local transports take a name such as /" + a.name);
        }
        if (!aeronPresent()) {
            throw new InvalidArgumentException(call, a.uri, 0, "network mailboxes need Aeron on the class or"
                    + " module path: add io.aeron:aeron-client and io.aeron:aeron-driver 1.46.0 (ipcj declares them optional)");
        }
    }
}
