package dev.ipcj;

/** The caller may not do this (EACCES, EPERM), or wrote to something mapped read-only. */
public class PermissionDeniedException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception; the arguments are those of {@link IpcException#IpcException}.
     *
     * @param call   the system call or operation, e.g. {@code "shm_open"}
     * @param object the object's name or id, or {@code null}
     * @param errno  the errno, or 0 when the failure was found in Java before any call
     * @param detail why, in words; {@code null} means the errno's own description
     */
    public PermissionDeniedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
