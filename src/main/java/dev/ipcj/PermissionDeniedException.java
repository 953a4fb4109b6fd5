package dev.ipcj;

/** The caller may not do this (EACCES, EPERM), or wrote to something mapped read-only. */
public class PermissionDeniedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
