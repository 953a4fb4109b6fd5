package dev.ipcj;

/** The handle was closed, or the mapping unmapped, before this use (EBADF when the kernel said so). */
public class ClosedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public ClosedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
