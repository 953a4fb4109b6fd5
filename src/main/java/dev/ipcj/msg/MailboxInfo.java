package dev.ipcj.msg;

import dev.ipcj.internal.ProcessIdentity;

/**
 * What a mailbox's header says, read without opening the mailbox (no queue is touched, nothing is
 * created, nothing waits): for tools that list and clean up, such as {@code ipcj ls} and
 * {@code ipcj rm --dead}. Got from {@link Mailbox#inspect}; the layout itself has one owner,
 * the package-private {@code MailboxHeader} (and its C twin {@code ipcj_msg.h}).
 */
public final class MailboxInfo {
    private final String name;
    private final MailboxHeader header;

    MailboxInfo(String name, MailboxHeader header) {
        this.name = name;
        this.header = header;
    }

    public String name() {
        return name;
    }

    public Transport transport() {
        return header.transport;
    }

    public Capacity capacity() {
        return header.capacity;
    }

    public int maxMessageSize() {
        return header.maxMessageSize;
    }

    /** The header's layout version. */
    public int version() {
        return MailboxHeader.VERSION;
    }

    /** The pid of the process whose {@link Inbox} this is; 0 for a named mailbox. */
    public int ownerPid() {
        return header.owner();
    }

    /**
     * Whether the owner of an inbox is still the process that created it (pid and start time, so a
     * reused pid does not count); false for a named mailbox, which has no owner.
     */
    public boolean ownerAlive() {
        return header.ownerIdentity != 0 && ProcessIdentity.alive(header.ownerIdentity);
    }

    /** The pid of the process that created the mailbox. */
    public int creatorPid() {
        return ProcessIdentity.pid(header.creator);
    }

    /** Whether the creator (pid and start time) still runs. A named mailbox outlives it by design. */
    public boolean creatorAlive() {
        return ProcessIdentity.alive(header.creator);
    }

    /** False while the creator is still making the mailbox's objects (or died doing so). */
    public boolean isReady() {
        return header.state == MailboxHeader.READY;
    }

    /** The System V queue's id for {@link Transport#SYSTEM_V}; -1 otherwise. */
    public long systemVQueueId() {
        return header.transport == Transport.SYSTEM_V ? header.id1 : -1;
    }

    @Override
    public String toString() {
        return "mailbox header v" + version() + ": " + transport() + ", " + capacity() + ", " + maxMessageSize()
                + " B messages" + (systemVQueueId() >= 0 ? ", System V queue msg:" + systemVQueueId() : "")
                + (ownerPid() != 0 ? ", inbox of process " + ownerPid() + (ownerAlive() ? " (alive)" : " (dead)")
                        : ", named, created by " + creatorPid() + (creatorAlive() ? " (alive)" : " (ended)"))
                + (isReady() ? "" : ", not finished by its creator");
    }
}
