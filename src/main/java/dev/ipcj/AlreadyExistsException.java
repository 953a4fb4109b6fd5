package dev.ipcj;

/** An exclusive create found the name taken (EEXIST). */
public class AlreadyExistsException extends IpcException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
