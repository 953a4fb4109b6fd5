package dev.ipcj;

/** The object does not exist (ENOENT): open of a name nobody created, or one already unlinked. */
public class NotFoundException extends IpcException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String call, String object, int errno, String detail) {
        super(call, object, errno, detail);
    }
}
