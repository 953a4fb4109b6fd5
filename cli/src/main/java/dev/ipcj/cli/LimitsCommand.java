package dev.ipcj.cli;

import dev.ipcj.cli.sys.Limit;
import dev.ipcj.cli.sys.Limits;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ipcj limits}: the live kernel limits that bound IPC, and how to raise each. */
@Command(name = "limits", mixinStandardHelpOptions = true,
        description = "Prints the live kernel limits for IPC (mqueue, System V, RLIMIT_MSGQUEUE, /dev/shm) and how to raise each.")
final class LimitsCommand implements Callable<Integer>, Checked {
    @Spec
    CommandSpec spec;

    @Override
    public void check() {
        // no values to check
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String group = null;
        for (Limit l : Limits.all()) {
            if (!l.group().equals(group)) {
                group = l.group();
                out.println(group);
            }
            out.printf("  %-26s %s%n", l.name(), l.value());
            out.printf("  %-26s   %s (%s)%n", "", l.meaning(), l.source());
            out.printf("  %-26s   %s%n", "", l.raise().startsWith("nothing to raise") ? l.raise() : "raise: " + l.raise());
        }
        out.println();
        out.println("sysctl changes apply at once to new objects; ulimit applies to the shell and its children.");
        return 0;
    }
}
