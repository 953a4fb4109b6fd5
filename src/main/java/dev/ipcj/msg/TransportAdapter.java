package dev.ipcj.msg;

import dev.ipcj.internal.SharedPage;

/**
 * One transport's part of a mailbox: making, opening and removing the transport's objects, and
 * saying what it cannot give. Each transport's queue class holds its adapter ({@code ADAPTER})
 * and its {@link Transport} constant names it, with the transport's stable header code: adding
 * a transport is one class and one constant, and nothing dispatches on the transport anywhere
 * else.
 *
 * <p>The contract every adapter keeps (the conformance suite, MessagingTest and
 * MailboxSafetyTest, runs over every transport):
 * <ul>
 * <li>{@link #create} records in the header, through {@code c}, what identifies each object as
 *     soon as it exists, and removes what it made itself when it fails;
 * <li>{@link #open} refuses, with CorruptedException, an object of the name that is not the one
 *     the header records (another inode, size, id or capacity);
 * <li>{@link #remove} removes only what it can prove is this mailbox's, and leaves anything
 *     else in place with CorruptedException.
 * </ul>
 */
abstract class TransportAdapter {
    /** Creates the queue of a new mailbox of header {@code h}; {@code control} is the header page, or null. */
    abstract FrameQueue create(String name, MailboxHeader h, MailboxHeader.Created c, SharedPage control);

    /** Opens the queue header {@code h} describes, checking it is the mailbox's. */
    abstract FrameQueue open(String name, MailboxHeader h, SharedPage control);

    /** Removes the objects that can be proven to be this mailbox's; true if anything was removed. */
    abstract boolean remove(String name, MailboxHeader h);

    /** What bounds how many messages it holds, with the live limit: said when unbounded is asked for. */
    abstract String bound();

    /** Whether it can hold {@link Capacity#unbounded()} messages. */
    boolean canBeUnbounded() {
        return false;
    }

    /** Whether the mailbox maps its header page for the adapter's shared words (beyond a rendezvous's). */
    boolean needsControl() {
        return false;
    }

    /** Why it cannot give {@code capacity} of {@code maxMessageSize}-byte messages, naming the live limit; null if it can. */
    String refusal(Capacity capacity, int maxMessageSize) {
        return null;
    }

    /** The longest mailbox name (after the '/') it accepts. */
    int maxNameLength() {
        return 255;
    }

    /** Whether this build of ipcj has it. */
    boolean isAvailable() {
        return true;
    }
}
