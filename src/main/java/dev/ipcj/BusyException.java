package dev.ipcj;

/** The object is in use in a way that excludes this call (EBUSY), e.g. a second mq_notify registration. */
public class BusyException extends IpcException {
    private static final long serialVersionUID = 1L;

    public BusyException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
