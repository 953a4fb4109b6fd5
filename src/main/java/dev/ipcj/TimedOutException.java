package dev.ipcj;

/** A timed call ran out of time (ETIMEDOUT) where the API has no other way to say so. */
public class TimedOutException extends IpcException {
    private static final long serialVersionUID = 1L;

    public TimedOutException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
