package dev.ipcj;

/** The object was removed, possibly while this call waited on it (EIDRM). */
public class RemovedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public RemovedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
