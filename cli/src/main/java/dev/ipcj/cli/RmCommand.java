package dev.ipcj.cli;

import dev.ipcj.cli.sys.Accounts;
import dev.ipcj.cli.sys.Inventory;
import dev.ipcj.cli.sys.IpcObject;
import dev.ipcj.cli.sys.MqueueMount;
import dev.ipcj.cli.sys.Remover;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipcj rm}: removes named objects, or with {@code --dead} every ipcj object whose creator
 * is dead. Another user's object is never removed without {@code --force}, even by root, and the
 * refusal says whose it is.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Removes IPC objects by name (/name for POSIX shm, semaphores and queues; shm:ID, msg:ID, "
                + "sem:ID for System V; * and ? match), or with --dead every ipcj object it can prove abandoned "
                + "and that no live process uses: the inbox and registered names of a dead process, objects "
                + "whose ipcj name records a dead creator. A named mailbox or ring outlives its creator: "
                + "ls shows what its header says; remove it by name.",
                "Never removes another user's object unless --force (root included)."})
final class RmCommand implements Callable<Integer>, Checked {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Objects to remove; with --dead, patterns that limit it.")
    List<String> names = new ArrayList<>();

    @Option(names = "--dead", description = "Remove every ipcj object proven abandoned (see above; ls says why for each) "
            + "that no live process maps, holds open or attaches.")
    boolean dead;

    @Option(names = "--force", description = "Also remove objects owned by other users (the kernel still decides: only the owner or root may).")
    boolean force;

    @Option(names = {"-n", "--dry-run"}, description = "Say what would be removed, remove nothing.")
    boolean dryRun;

    @Override
    public void check() {
        if (!dead && names.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Give NAME... or --dead");
        }
        for (String n : names) {
            if (n.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "an empty NAME matches nothing");
            }
        }
    }

    @Override
    public Integer call() {
        check();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int euid = Accounts.euid();
        List<String> problems = new ArrayList<>();
        try (MqueueMount mq = MqueueMount.open()) {
            Inventory inv = Inventory.scan(mq);
            List<IpcObject> targets = new ArrayList<>();
            if (dead) {
                for (IpcObject o : inv.objects()) {
                    if (o.verdict() == null || !matchesAny(o)) {
                        continue;
                    }
                    if (o.verdict().remove()) {
                        targets.add(o);
                    } else if (o.creatorState().equals("dead")) {
                        out.println("kept " + o.kind().label + " " + o.name() + ": " + o.verdict().why());
                    }
                }
            } else {
                for (String n : names) {
                    Pattern p = glob(n);
                    List<IpcObject> found = inv.objects().stream().filter(o -> matches(p, o)).toList();
                    if (found.isEmpty()) {
                        problems.add(n + ": no such object"
                                + (mq.dir() == null && !n.contains(":") ? " (POSIX queues could not be listed: " + mq.problem() + ")" : ""));
                    }
                    for (IpcObject o : found) {
                        if (!targets.contains(o)) {
                            targets.add(o);
                        }
                        if (Inventory.isHeader(o)) {
                            // A mailbox by name: its queue, ring, log and semaphores go with its header, header last.
                            for (IpcObject part : inv.partsOf(o.name())) {
                                if (!targets.contains(part)) {
                                    targets.add(part);
                                }
                            }
                        }
                    }
                }
            }
            // System V queues first (only their mailbox's header finds them), mailbox headers last.
            targets.sort(java.util.Comparator.comparingInt(RmCommand::order));
            for (IpcObject o : targets) {
                String what = o.kind().label + " " + o.name();
                if (o.uid() != euid && !force) {
                    problems.add("not removing " + what + ": it belongs to " + Accounts.userName(o.uid())
                            + " (uid " + o.uid() + "), you are " + Accounts.userName(euid) + " (uid " + euid + ")"
                            + (euid == 0 ? "; as root you may, with --force" : "; only its owner or root may remove it"));
                    continue;
                }
                if (dryRun) {
                    out.println("would remove " + what + (dead ? ": " + o.verdict().why() : ""));
                    continue;
                }
                if (dead && o.creatorPid() > 0 && dev.ipcj.cli.sys.Pids.alive(o.creatorPid())) {
                    out.println("kept " + what + ": process " + o.creatorPid() + " exists again (its pid was reused)");
                    continue;
                }
                String problem = Remover.remove(o);
                if (problem == null) {
                    out.println("removed " + what);
                } else {
                    problems.add(problem);
                }
            }
            if (dead && targets.isEmpty()) {
                out.println("no abandoned ipcj object");
            }
        }
        if (problems.isEmpty()) {
            return 0;
        }
        // One line on stderr, whatever went wrong (what was removed is on stdout, one line each).
        err.println("ipcj rm: " + (problems.size() == 1 ? "" : problems.size() + " problems: ")
                + Main.oneLine(String.join("; ", problems)));
        return 1;
    }

    /** Removal order: System V queues, then parts, then mailbox headers (posix-shm named by ipcj that others name). */
    private static int order(IpcObject o) {
        if (o.kind() == IpcObject.Kind.SYSV_MSG) {
            return 0;
        }
        return Inventory.isHeader(o) ? 2 : 1;
    }

    private boolean matchesAny(IpcObject o) {
        if (names.isEmpty()) {
            return true;
        }
        for (String n : names) {
            if (matches(glob(n), o)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Pattern p, IpcObject o) {
        return p.matcher(o.name()).matches() || (o.kind().posix() && p.matcher(o.name().substring(1)).matches());
    }

    /** A shell-style pattern: * any run, ? one character, everything else literal. */
    static Pattern glob(String g) {
        StringBuilder sb = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') {
                sb.append(".*");
            } else if (c == '?') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }
}
