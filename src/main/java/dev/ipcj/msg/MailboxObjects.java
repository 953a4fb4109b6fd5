package dev.ipcj.msg;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.internal.Faults;
import dev.ipcj.internal.Names;
import dev.ipcj.internal.ProcessIdentity;
import dev.ipcj.internal.SharedPage;
import dev.ipcj.internal.ShmFiles;

/**
 * A mailbox's objects: the header file and its transport's objects, made, opened and removed.
 * Creation is exclusive and records each object in the header as soon as it exists, so that a
 * failed create removes exactly what it made, and removal removes only what the header proves
 * is the mailbox's (see {@link Mailbox}, "What is checked").
 */
final class MailboxObjects {
    private MailboxObjects() {
    }

    static Mailbox create(String name, Transport transport, Capacity capacity, int maxMessageSize, long owner) {
        if (NetAddress.isNetworkName(name) && owner == 0) {
            return NetMailboxes.create(name, transport, capacity, maxMessageSize);
        }
        if (transport == Transport.AERON) {
            throw new InvalidArgumentException("create", name, 0, "an AERON mailbox is named by its address,"
                    + " udp://HOST:PORT/NAME (e.g. udp://0.0.0.0:40123" + (name == null ? "/orders" : name) + ")");
        }
        checkName("create", name);
        if (transport == null) {
            throw new InvalidArgumentException("create", name, 0, "transport is null");
        }
        if (capacity == null) {
            throw new InvalidArgumentException("create", name, 0, "capacity is null");
        }
        if (maxMessageSize < 0 || maxMessageSize > MailboxHeader.MAX_MESSAGE_SIZE) {
            throw new InvalidArgumentException("create", name, 0, "maxMessageSize " + maxMessageSize
                    + " is outside 0.." + MailboxHeader.MAX_MESSAGE_SIZE);
        }
        if (!transport.isAvailable()) {
            throw new InvalidArgumentException("create", name, 0, "transport " + transport
                    + " is not in this build of ipcj; available: " + Transport.available());
        }
        String refusal = transport.refusal(capacity, maxMessageSize);
        if (refusal != null) {
            throw new InvalidArgumentException("create", name, 0, transport + ": " + refusal);
        }
        MailboxHeader h = new MailboxHeader(transport, capacity, maxMessageSize, owner, ProcessIdentity.self(),
                MailboxHeader.newId());
        MailboxHeader.Created c = MailboxHeader.create(name, h); // EEXIST here: nothing made, nothing removed
        FrameQueue q = null;
        SharedPage control = null;
        try {
            if ((h.capacity.isZero() || h.transport.adapter().needsControl())) {
                control = h.mapControl(name, "create");
            }
            q = h.transport.adapter().create(name, h, c, control);
            h.state = MailboxHeader.READY;
            c.write(h, name);
            ShmFiles.closeQuietly(c.channel);
            return new Mailbox(name, h, q, control, false);
        } catch (RuntimeException | Error e) {
            if (q != null) {
                q.unlink(); // what this call created, by its own handle
                q.close();
            }
            if (control != null) {
                control.close();
            }
            c.discard();
            if (e instanceof InternalError) {
                throw Faults.truncated("create", name, (InternalError) e, -1);
            }
            throw e;
        }
    }

    static Mailbox open(String name, MailboxHeader h, boolean sendOnly) {
        SharedPage control = null;
        try {
            if ((h.capacity.isZero() || h.transport.adapter().needsControl())) {
                control = h.mapControl(name, "open");
            }
            FrameQueue q = h.transport.adapter().open(name, h, control);
            return new Mailbox(name, h, q, control, sendOnly);
        } catch (RuntimeException e) {
            if (control != null) {
                control.close();
            }
            throw e;
        }
    }

    /**
     * Removes the transport objects {@code h} records (those proven to be the mailbox's), then
     * the header; an object of the name that is not the mailbox's is left, and reported once
     * the rest is removed.
     */
    static boolean remove(String name, MailboxHeader h) {
        IpcException problem = null;
        boolean any = false;
        try {
            any = h.transport.adapter().remove(name, h);
        } catch (IpcException e) {
            problem = e;
        }
        any |= h.remove(name);
        if (problem != null) {
            throw problem;
        }
        return any;
    }

    static void checkName(String call, String name) {
        Names.check(call, name, Transport.maxNameLength());
        String base = name.substring(1);
        if (base.startsWith("sem.") || base.startsWith(".ipcj-") || base.endsWith(".ring") || base.endsWith(".log")
                || reservedLogSuffix(base)) {
            throw new InvalidArgumentException(call, name, 0, "a mailbox name may not start with \"sem.\" or"
                    + " \".ipcj-\" nor end with \".ring\", \".log\" or \".log.\" and digits: those names belong to the"
                    + " objects of other mailboxes and semaphores");
        }
    }

    private static boolean reservedLogSuffix(String base) {
        int i = base.lastIndexOf(".log.");
        if (i < 0 || i + 5 == base.length()) {
            return false;
        }
        for (int j = i + 5; j < base.length(); j++) {
            if (base.charAt(j) < '0' || base.charAt(j) > '9') {
                return false;
            }
        }
        return true;
    }
}
