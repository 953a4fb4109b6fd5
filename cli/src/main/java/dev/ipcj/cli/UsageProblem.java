package dev.ipcj.cli;

/**
 * A usage error found while a command runs, where no picocli {@code CommandLine} is at hand (in
 * an example's code): exits with status 2 and its message, like a bad option.
 */
public final class UsageProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageProblem(String message) {
        super(message, null, false, false);
    }
}
