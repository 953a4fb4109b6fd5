package dev.ipcj.cli;

/**
 * A command whose arguments can be checked without running it: {@link #check()} throws
 * {@link picocli.CommandLine.ParameterException} for every value the command would refuse, and
 * does nothing else (no benchmark, no child process, no IPC object). {@code call()} runs the
 * same checks first, so {@code Main.check} and a real run refuse the same arguments.
 */
interface Checked {
    void check();
}
