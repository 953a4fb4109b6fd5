package dev.ipcj.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ipcj} command: OS-level IPC benchmarks with a C floor beside each number, and the
 * tools to see ({@code ls}), clean up ({@code rm}) and size ({@code limits}) IPC objects.
 *
 * <p>Exit status: 0 success, 1 the command ran and failed (a benchmark scenario failed, an
 * object could not be removed), 2 bad usage (picocli's convention, kept on purpose so scripts
 * can tell a typo from a failure).
 */
@Command(name = "ipcj",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Linux IPC from Java: benchmarks against C, and tools for IPC objects.",
        subcommands = {
                BenchCommand.class,
                LsCommand.class,
                RmCommand.class,
                LimitsCommand.class,
                DemoCommand.class,
                JmhCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point of {@code java -jar ipcj.jar} and the {@code ipcj} script. */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command with the given streams and returns the exit status (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    @Override
    public void run() {
        // "ipcj" alone: a usage error, so that scripts see status 2 like any other bad invocation.
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** Version from the jar manifest when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ipcj " + (v == null ? "0.1.0-SNAPSHOT" : v),
                    "JVM: ${java.version} (${java.vendor} ${java.vm.name})",
                    "OS: ${os.name} ${os.version} ${os.arch}"};
        }
    }
}
