package dev.ipcj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code ipcj jmh ...}: the JMH micro-benchmarks of this jar (the same as
 * {@code java -jar bench/target/benchmarks.jar ...}). Every argument goes to JMH, whose own
 * parser checks them first here, so that a bad option or a regexp that matches no benchmark is
 * one line and status 2 like any other usage error; {@code -h} prints JMH's help.
 */
@Command(name = "jmh", description = {"Runs the JMH micro-benchmarks; every argument goes to JMH.",
        "ipcj jmh -h: JMH's options; ipcj jmh -l: the benchmarks; ipcj jmh REGEXP -f 1 -wi 2 -i 3: run some."},
        helpCommand = false)
final class JmhCommand implements Callable<Integer>, Checked {
    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> args = new ArrayList<>();

    private CommandLineOptions options;

    /** The arguments for JMH: {@code --help} (JMH knows only {@code -h}) means {@code -h}, as for every ipcj command. */
    private String[] jmhArgs() {
        return args.stream().map(a -> a.equals("--help") ? "-h" : a).toArray(String[]::new);
    }

    @Override
    public void check() {
        try {
            options = new CommandLineOptions(jmhArgs());
        } catch (CommandLineOptionException e) {
            throw new ParameterException(spec.commandLine(), String.valueOf(e.getMessage()));
        }
        List<String> patterns = new ArrayList<>(options.getIncludes());
        patterns.addAll(options.getExcludes());
        for (String p : patterns) {
            try {
                Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new ParameterException(spec.commandLine(), "'" + p + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
        if (!options.getIncludes().isEmpty() && !options.shouldHelp()) {
            Set<BenchmarkListEntry> all = BenchmarkList.defaultList().getAll(
                    OutputFormatFactory.createFormatInstance(new PrintStream(PrintStream.nullOutputStream()),
                            VerboseMode.SILENT), List.of());
            boolean any = all.stream().anyMatch(b -> options.getIncludes().stream()
                    .anyMatch(p -> Pattern.compile(p).matcher(b.getUsername()).find()));
            if (!any) {
                throw new ParameterException(spec.commandLine(), "no benchmark matches "
                        + String.join(" or ", options.getIncludes()) + " ('ipcj jmh -l' lists them)");
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        check();
        if (options.shouldHelp()) {
            options.showHelp();
            return 0;
        }
        // JMH's Main lists or runs; it calls System.exit itself only when a run fails.
        org.openjdk.jmh.Main.main(jmhArgs());
        return 0;
    }
}
