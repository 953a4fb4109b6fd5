package dev.ipcj.launch;

/** A child did not do what its parent waited for: the message says which child, what it printed and how it ended. */
public final class ChildFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChildFailedException(String message) {
        super(message);
    }
}
