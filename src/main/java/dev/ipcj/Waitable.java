package dev.ipcj;

/**
 * Something a {@link WaitSet} can wait on. Two kinds:
 * <ul>
 * <li>objects backed by a file descriptor epoll can watch (a POSIX message queue, or any
 *     descriptor through {@link #ofDescriptor}): they implement {@link #acquireDescriptor()} and
 *     {@link #releaseDescriptor()}, and epoll's readiness is theirs;
 * <li>objects without one (rings, mailboxes, the shared log, System V queues, semaphores):
 *     they return a {@link WaitHook} from {@link #waitHook()}, which the WaitSet asks for
 *     readiness and through which it announces itself to the object's wakers.
 * </ul>
 *
 * <p>A WaitSet holds a use of the descriptor for as long as the object is in the set
 * ({@link #acquireDescriptor()} on add, {@link #releaseDescriptor()} on remove), so closing the
 * object meanwhile never lets the descriptor number be reused under epoll: the object is marked
 * closed at once and its descriptor is closed when the set lets go of it.
 */
public interface Waitable {
    /**
     * Takes a use of the descriptor, which stays open until the matching
     * {@link #releaseDescriptor()}, and returns it. Objects with a {@link #waitHook()} need not
     * implement it.
     *
     * @return the descriptor, valid until {@link #releaseDescriptor()}
     * @throws ClosedException if the object is closed
     * @throws InvalidArgumentException if the object has no descriptor
     */
    default int acquireDescriptor() {
        throw new InvalidArgumentException("epoll_ctl", name(), 0, "has no descriptor and no wait hook");
    }

    /** Gives back a use taken by {@link #acquireDescriptor()}. */
    default void releaseDescriptor() {
    }

    /**
     * How a WaitSet waits on this object when it has no descriptor of its own; null for
     * descriptor-backed objects.
     *
     * @return the hook, or null
     */
    default WaitHook waitHook() {
        return null;
    }

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

    /**
     * A plain file descriptor (a pipe, a socket, an eventfd, a terminal) as a member of a
     * WaitSet. The caller keeps owning {@code fd}: it must stay open while it is in a set, and
     * removing it from the set never closes it.
     *
     * @param fd   the descriptor, &gt;= 0
     * @param name how error messages name it
     * @return a Waitable for {@code fd}
     * @throws InvalidArgumentException if {@code fd} is negative
     */
    static Waitable ofDescriptor(int fd, String name) {
        if (fd < 0) {
            throw new InvalidArgumentException("epoll_ctl", name, 0, "descriptor " + fd + " is negative");
        }
        String n = name != null ? name : "fd " + fd;
        return new Waitable() {
            @Override
            public int acquireDescriptor() {
                return fd;
            }

            @Override
            public String name() {
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public String toString() {
                return "Waitable(" + n + ")";
            }
        };
    }
}
