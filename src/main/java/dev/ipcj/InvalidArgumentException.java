package dev.ipcj;

/** An argument was refused: by ipcj before the call (errno 0), or by the kernel (EINVAL, ENAMETOOLONG). */
public class InvalidArgumentException extends IpcException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
