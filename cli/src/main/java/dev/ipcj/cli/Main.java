package dev.ipcj.cli;

import dev.ipcj.IpcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ipcj} command: OS-level IPC benchmarks with a C floor beside each number, and the
 * tools to see ({@code ls}), clean up ({@code rm}) and size ({@code limits}) IPC objects.
 *
 * <p>Exit status: 0 success, 1 the command ran and failed (a benchmark scenario failed, an
 * object could not be removed), 2 bad usage (picocli's convention, kept on purpose so scripts
 * can tell a typo from a failure). Either failure is one line on stderr, naming the command
 * ({@code ipcj bench: Unknown option: '--bogus' (see 'ipcj bench --help')}); never a stack trace
 * unless {@code IPCJ_DEBUG} is set in the environment.
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
public final class Main implements Runnable, Checked {
    /** Usage errors exit with this, failures of a command that ran with 1. */
    static final int USAGE = 2;
    static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point of {@code java -jar ipcj.jar} and the {@code ipcj} script. */
    public static void main(String[] args) {
        headless();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * The bench report draws its charts with AWT (JFreeChart) and needs no display: headless,
     * unless the caller said otherwise, before anything touches AWT (a DISPLAY that cannot be
     * reached would otherwise fail the drawing).
     */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Runs the command with the given streams and returns the exit status (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        headless();
        return execute(commandLine(out, err), out, err, args);
    }

    /**
     * Parses {@code args} and checks every value the way running would, but runs nothing: no
     * benchmark, no demo, no JMH (help is still printed). For tests and the command-line fuzz
     * suite, which must not start minute-long runs.
     */
    static int check(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err);
        cl.setExecutionStrategy(parseResult -> {
            Integer help = CommandLine.executeHelpRequest(parseResult);
            if (help != null) {
                return help;
            }
            List<CommandLine> chain = parseResult.asCommandLineList();
            Object last = chain.get(chain.size() - 1).getCommand();
            if (last instanceof Checked c) {
                try {
                    c.check();
                } catch (ParameterException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new CommandLine.ExecutionException(chain.get(chain.size() - 1), e.toString(), e);
                }
            }
            return 0;
        });
        return execute(cl, out, err, args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, c, parseResult) -> failure(e, c));
        return cl;
    }

    private static int execute(CommandLine cl, PrintWriter out, PrintWriter err, String... args) {
        int status;
        try {
            status = cl.execute(args);
        } catch (Throwable t) { // an Error (no native library, out of memory): still one line
            err.println("ipcj: " + describe(t));
            debug(t, err);
            status = FAILED;
        }
        out.flush();
        err.flush();
        return status;
    }

    @Override
    public void run() {
        check();
    }

    @Override
    public void check() {
        // "ipcj" alone: a usage error, so that scripts see status 2 like any other bad invocation.
        throw new ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** A bad option or value: "ipcj bench: Unknown option: '--bogus' (see 'ipcj bench --help')", status 2. */
    static int usageError(ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        String name = c.getCommandSpec().qualifiedName();
        String msg = e.getMessage() == null ? "bad usage" : e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            msg += " (did you mean " + String.join(" or ", u.getSuggestions().subList(0,
                    Math.min(3, u.getSuggestions().size()))) + "?)";
        }
        c.getErr().println(name + ": " + oneLine(msg) + " (see '" + name + " --help')");
        c.getErr().flush();
        return USAGE;
    }

    /** A command that ran and failed: one line naming the command and what went wrong, status 1. */
    static int failure(Exception e, CommandLine c) {
        PrintWriter err = c.getErr();
        err.println(c.getCommandSpec().qualifiedName() + ": " + describe(e));
        debug(e, err);
        err.flush();
        return e instanceof UsageProblem ? USAGE : FAILED;
    }

    /** What went wrong, in one line: ipcj's own errors say it all; anything else is named by its class. */
    static String describe(Throwable t) {
        Throwable e = t instanceof CommandLine.ExecutionException && t.getCause() != null ? t.getCause() : t;
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof IpcException || e instanceof UsageProblem) {
            return oneLine(msg);
        }
        if (e instanceof InterruptedException) {
            return "interrupted";
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return oneLine(e.getClass().getSimpleName() + ": " + msg);
        }
        if (e instanceof UnsatisfiedLinkError) {
            return oneLine("cannot load ipcj's JNI library: " + msg);
        }
        return oneLine(e.getClass().getName() + (msg.isEmpty() ? "" : ": " + msg))
                + " (unexpected: IPCJ_DEBUG=1 shows where)";
    }

    private static void debug(Throwable t, PrintWriter err) {
        if (System.getenv("IPCJ_DEBUG") != null) {
            t.printStackTrace(err);
        }
    }

    /** Control characters (a newline in an argument) shown escaped, so that a message stays one line. */
    static String oneLine(String s) {
        String t = s.strip();
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '\n') {
                sb.append("\\n");
            } else if (ch == '\t') {
                sb.append("\\t");
            } else if (ch < 0x20 || ch >= 0x7f && ch < 0xa0 || ch == '\u2028' || ch == '\u2029') {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
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
