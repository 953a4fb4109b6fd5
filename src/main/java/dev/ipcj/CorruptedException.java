package dev.ipcj;

/** Bytes in shared memory are not what the protocol allows: another process wrote garbage over them, or the object is not ipcj's. Nothing was read outside the mapping. */
public class CorruptedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public CorruptedException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
