package dev.ipcj;

/**
 * Something a {@link WaitSet} can wait on: an object backed by a file descriptor that epoll can
 * watch for readability or writability (a POSIX message queue today; an eventfd, a socket or
 * a pipe tomorrow).
 *
 * <p>A WaitSet holds a use of the descriptor for as long as the object is in the set
 * ({@link #acquireDescriptor()} on add, {@link #releaseDescriptor()} on remove), so closing the
 * object meanwhile never lets the descriptor number be reused under epoll: the object is marked
 * closed at once and its descriptor is closed when the set lets go of it.
 */
public interface Waitable {
    /**
     * Takes a use of the descriptor, which stays open until the matching
     * {@link #releaseDescriptor()}, and returns it.
     *
     * @return the descriptor, valid until {@link #releaseDescriptor()}
     * @throws ClosedException if the object is closed
     */
    int acquireDescriptor();

    /** Gives back a use taken by {@link #acquireDescriptor()}. */
    void releaseDescriptor();

    /**
     * The object's name, as error messages give it.
     *
     * @return the name
     */
    String name();

    /**
     * False once the object was closed.
     *
     * @return true until closed
     */
    boolean isOpen();
}
