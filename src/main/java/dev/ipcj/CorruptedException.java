package dev.ipcj;

/** Bytes in shared memory are not what the protocol allows: another process wrote garbage over them, or the object is not ipcj's. Nothing was read outside the mapping. */
public class CorruptedException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception; the arguments are those of {@link IpcException#IpcException}.
     *
     * @param call   the system call or operation, e.g. {@code "shm_open"}
     * @param object the object's name or id, or {@code null}
     * @param errno  the errno, or 0 when the failure was found in Java before any call
     * @param detail why, in words; {@code null} means the errno's own description
     */
    public CorruptedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
