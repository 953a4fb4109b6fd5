package dev.ipcj;

/**
 * How a {@link WaitSet} waits on an object that has no descriptor epoll could watch: ipcj's
 * shared-memory objects (rings, mailboxes, the shared log), System V queues and semaphores.
 * ipcj's classes implement it; a program only passes the objects to {@link WaitSet#add}.
 *
 * <p>A WaitSet decides readiness by level with {@link #readiness}, never from a wake-up alone:
 * a wake-up only makes it look again. An object whose wakers can ring a WaitSet's doorbell
 * accepts the doorbell in {@link #attach} and is announced with {@link #arm} before every
 * sleep (see {@link dev.ipcj.internal.BellTable} for the protocol); one that cannot (no hook in
 * the kernel, or every slot taken) returns false from attach and is polled.
 */
public interface WaitHook {
    /**
     * What of {@code interest} holds now ({@link WaitSet#READABLE}, {@link WaitSet#WRITABLE}).
     *
     * @param interest the events asked for
     * @return the subset of {@code interest} that holds now, 0 if none
     * @throws ClosedException if the object is closed
     */
    int readiness(int interest);

    /**
     * Registers a WaitSet's doorbell with the object's wakers.
     *
     * @param bell     the doorbell: pid in bits 0..31, the bell's id in bits 32..63
     * @param interest the events the WaitSet waits for
     * @return true if the wakers will ring it after {@link #arm}; false if the object must be polled
     */
    boolean attach(long bell, int interest);

    /**
     * Announces the WaitSet as a sleeper, with the barrier the object's sleepers use, so that
     * the next change rings the attached doorbell. Called before the last readiness check of
     * every sleep.
     *
     * @param interest the events the WaitSet waits for
     */
    void arm(int interest);

    /**
     * Gives back a registration made by {@link #attach}; also when the object is closed.
     *
     * @param bell     the doorbell passed to attach
     * @param interest the events passed to attach
     */
    void detach(long bell, int interest);

    /**
     * A descriptor epoll watches as a wake-up source beside the doorbell (a message queue's), or
     * -1. Valid between {@link #attach} and {@link #detach}.
     *
     * @return the descriptor, or -1 when there is none
     */
    default int descriptor() {
        return -1;
    }

    /** A hook for objects that can only be polled: readiness is all there is. */
    interface Polled extends WaitHook {
        @Override
        default boolean attach(long bell, int interest) {
            return false;
        }

        @Override
        default void arm(int interest) {
        }

        @Override
        default void detach(long bell, int interest) {
        }
    }
}
