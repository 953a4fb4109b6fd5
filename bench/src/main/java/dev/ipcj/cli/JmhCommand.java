package dev.ipcj.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ipcj jmh ...}: the JMH micro-benchmarks of this jar (the same as
 * {@code java -jar bench/target/benchmarks.jar ...}).
 */
@Command(name = "jmh", description = "Runs the JMH micro-benchmarks (arguments go to JMH; try: ipcj jmh -h).",
        helpCommand = false)
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        // JMH's Main calls System.exit itself when it is done.
        org.openjdk.jmh.Main.main(args.toArray(new String[0]));
        return 0;
    }
}
