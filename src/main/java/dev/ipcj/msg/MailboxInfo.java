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

    /**
     * The mailbox's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The transport the header records.
     *
     * @return the transport
     */
    public Transport transport() {
        return header.transport;
    }

    /**
     * The capacity the header records.
     *
     * @return the capacity
     */
    public Capacity capacity() {
        return header.capacity;
    }

    /**
     * The largest payload the header allows, in bytes.
     *
     * @return the maximum message size
     */
    public int maxMessageSize() {
        return header.maxMessageSize;
    }

    /**
     * The header's layout version.
     *
     * @return the version
     */
    public int version() {
        return MailboxHeader.VERSION;
    }

    /**
     * The pid of the process whose {@link Inbox} this is; 0 for a named mailbox.
     *
     * @return the owner's pid, or 0
     */
    public int ownerPid() {
        return header.owner();
    }

    /**
     * Whether the owner of an inbox is still the process that created it (pid and start time, so a
     * reused pid does not count); false for a named mailbox, which has no owner.
     *
     * @return true while the owner runs
     */
    public boolean ownerAlive() {
        return header.ownerIdentity != 0 && ProcessIdentity.alive(header.ownerIdentity);
    }

    /**
     * The pid of the process that created the mailbox.
     *
     * @return the creator's pid
     */
    public int creatorPid() {
        return ProcessIdentity.pid(header.creator);
    }

    /**
     * Whether the creator (pid and start time) still runs. A named mailbox outlives it by design.
     *
     * @return true while the creator runs
     */
    public boolean creatorAlive() {
        return ProcessIdentity.alive(header.creator);
    }

    /**
     * False while the creator is still making the mailbox's objects (or died doing so).
     *
     * @return true once the mailbox is complete
     */
    public boolean isReady() {
        return header.state == MailboxHeader.READY;
    }

    /**
     * The System V queue's id for {@link Transport#SYSTEM_V}; -1 otherwise.
     *
     * @return the queue id, or -1
     */
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
