package dev.ipcj;

/** A kernel or process limit was hit (EMFILE, ENFILE, ENOSPC, ENOMEM, EOVERFLOW, EMSGSIZE, ...). The message names the limit, its live value and how to raise it where ipcj knows them. */
public class LimitExceededException extends IpcException {
    private static final long serialVersionUID = 1L;

    public LimitExceededException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
