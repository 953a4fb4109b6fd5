package dev.ipcj;

/** A non-blocking call would have had to wait (EAGAIN). */
public class WouldBlockException extends IpcException {
    private static final long serialVersionUID = 1L;

    public WouldBlockException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
