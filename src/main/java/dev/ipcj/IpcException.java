package dev.ipcj;

import dev.ipcj.internal.Errno;

/**
 * A failed IPC call. The message names the call, the object and the errno, then says why:
 * {@code shm_open("/orders"): EEXIST: File exists}, or
 * {@code mq_open("/orders"): EINVAL: maxMessages 100 > /proc/sys/fs/mqueue/msg_max 10}.
 *
 * <p>Subclasses say what kind of failure it was, so callers catch by meaning, not by number;
 * {@link #of} picks the subclass from the errno. All are unchecked, like
 * {@link java.io.UncheckedIOException}: a missing object or a bad argument is a programming
 * or deployment error more often than a condition to recover from.
 */
public class IpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The call that failed. */
    private final String call;
    /** The object's name or id, or {@code null}. */
    private final String object;
    /** The errno, or 0. */
    private final int errno;

    /**
     * A failure of {@code call} on {@code object}.
     *
     * @param call   the system call or operation, e.g. {@code "shm_open"}
     * @param object the object's name or id, or {@code null}
     * @param errno  the errno, or 0 when the failure was found in Java before any call
     * @param detail why, in words; {@code null} means the errno's own description
     */
    public IpcException(String call, String object, int errno, String detail) {
        super(format(call, object, errno, detail));
        this.call = call;
        this.object = object;
        this.errno = errno;
    }

    /**
     * The call that failed, e.g. {@code "mq_open"}.
     *
     * @return the call's name
     */
    public String call() {
        return call;
    }

    /**
     * The object's name or id as the message shows it, or {@code null}.
     *
     * @return the name or id, or {@code null}
     */
    public String object() {
        return object;
    }

    /**
     * The errno, or 0 when ipcj refused the call before making it.
     *
     * @return the errno, or 0
     */
    public int errno() {
        return errno;
    }

    /**
     * The errno's symbolic name ({@code "EEXIST"}), or {@code ""} when {@link #errno()} is 0.
     *
     * @return the symbolic name, or {@code ""}
     */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    static String format(String call, String object, int errno, String detail) {
        StringBuilder sb = new StringBuilder(call != null ? call : "ipcj");
        if (object != null) {
            // Names and paths are quoted ("/orders"); System V objects read as (id 5) or (key 0x1ec0 id 5).
            boolean quote = object.startsWith("/");
            sb.append('(').append(quote ? "\"" : "").append(object).append(quote ? "\"" : "").append(')');
        }
        sb.append(": ");
        if (errno != 0) {
            sb.append(Errno.name(errno)).append(": ");
            sb.append(detail != null ? detail : Errno.text(errno));
        } else {
            sb.append(detail != null ? detail : "failed");
        }
        return sb.toString();
    }

    /**
     * The exception whose type fits {@code errno} (a positive errno, or a shim's -errno).
     *
     * @param call   the system call or operation, e.g. {@code "shm_open"}
     * @param object the object's name or id, or {@code null}
     * @param errno  the errno, positive or negated
     * @return the exception, not thrown
     */
    public static IpcException of(String call, String object, int errno) {
        return of(call, object, errno, null);
    }

    /**
     * The exception whose type fits {@code errno}, with {@code detail} saying why.
     *
     * @param call   the system call or operation, e.g. {@code "shm_open"}
     * @param object the object's name or id, or {@code null}
     * @param errno  the errno, positive or negated
     * @param detail why, in words; {@code null} means the errno's own description
     * @return the exception, not thrown
     */
    public static IpcException of(String call, String object, int errno, String detail) {
        int e = Math.abs(errno);
        switch (e) {
            case Errno.ENOENT:
                return new NotFoundException(call, object, e, detail);
            case Errno.EEXIST:
                return new AlreadyExistsException(call, object, e, detail);
            case Errno.EACCES:
            case Errno.EPERM:
                return new PermissionDeniedException(call, object, e, detail);
            case Errno.EMFILE:
            case Errno.ENFILE:
            case Errno.ENOSPC:
            case Errno.ENOMEM:
            case Errno.EOVERFLOW:
            case Errno.ERANGE:
            case Errno.E2BIG:
            case Errno.EMSGSIZE:
            case Errno.EFBIG:
                return new LimitExceededException(call, object, e, detail);
            case Errno.EAGAIN:
                return new WouldBlockException(call, object, e, detail);
            case Errno.ETIMEDOUT:
                return new TimedOutException(call, object, e, detail);
            case Errno.EBADF:
                return new ClosedException(call, object, e, detail);
            case Errno.EIDRM:
                return new RemovedException(call, object, e, detail);
            case Errno.EBUSY:
                return new BusyException(call, object, e, detail);
            case Errno.EINVAL:
            case Errno.ENAMETOOLONG:
            case Errno.EFAULT:
                return new InvalidArgumentException(call, object, e, detail);
            default:
                return new IpcException(call, object, e, detail);
        }
    }
}
