package dev.ipcj.cli;

import dev.ipcj.cli.sys.Accounts;
import dev.ipcj.cli.sys.Inventory;
import dev.ipcj.cli.sys.IpcObject;
import dev.ipcj.cli.sys.Limits;
import dev.ipcj.cli.sys.MqueueMount;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipcj ls}: the IPC objects on this machine, ipcj's marked. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"Lists IPC objects: POSIX shm and semaphores (/dev/shm), POSIX queues (mqueue fs), "
                + "System V shm, msg and sem (/proc/sysvipc).",
                "IPCJ=yes marks ipcj's objects: POSIX names /ipcj-TAG-PID-..., whose PID is the creator ipcj recorded; "
                        + "inboxes /ipcj-pid-PID and registered names /ipcj-name.NAME; files with an ipcj mailbox, ring "
                        + "or log header; System V keys 0x1ec00000-0x1ecfffff, whose creator pid (shm) the kernel "
                        + "records, and the queues mailbox headers name. The kernel keeps no creator for POSIX objects: "
                        + "others show CREATOR unknown.",
                "Under each ipcj object: what its header says (the pids it records, alive or dead) and whether "
                        + "rm --dead removes it, and why."})
final class LsCommand implements Callable<Integer>, Checked {
    @Spec
    CommandSpec spec;

    @Option(names = "--ipcj", description = "Only objects ipcj created.")
    boolean onlyIpcj;

    @Option(names = "--dead", description = "Only objects whose creator is known to be dead.")
    boolean onlyDead;

    @Override
    public void check() {
        // no values to check
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (MqueueMount mq = MqueueMount.open()) {
            Inventory inv = Inventory.scan(mq);
            List<IpcObject> shown = new ArrayList<>();
            for (IpcObject o : inv.objects()) {
                if ((!onlyIpcj || o.ipcj()) && (!onlyDead || o.creatorState().equals("dead"))) {
                    shown.add(o);
                }
            }
            shown.sort(Comparator.comparing((IpcObject o) -> o.kind()).thenComparing(IpcObject::name));
            print(out, shown);
            for (String n : inv.notes()) {
                out.println("note: " + n);
            }
        }
        return 0;
    }

    static void print(PrintWriter out, List<IpcObject> objects) {
        String fmt = "%-9s %-40s %-10s %-10s %-5s %10s %8s %-7s %-4s %s%n";
        out.printf(fmt, "KIND", "NAME", "KEY", "OWNER", "MODE", "SIZE", "CREATOR", "ALIVE", "IPCJ", "IN USE");
        for (IpcObject o : objects) {
            out.printf(fmt, o.kind().label, o.name(), o.key() == null ? "-" : o.key(), Accounts.userName(o.uid()),
                    String.format("%04o", o.mode()), size(o), o.creatorPid() > 0 ? Long.toString(o.creatorPid()) : "unknown",
                    o.creatorState(), o.ipcj() ? "yes" : "no", inUse(o));
            for (String a : o.about()) {
                out.println("          " + a);
            }
            if (o.verdict() != null) {
                out.println("          rm --dead " + (o.verdict().remove() ? "removes it: " : "keeps it: ") + o.verdict().why());
            }
        }
        if (objects.isEmpty()) {
            out.println("(none)");
        }
    }

    private static String size(IpcObject o) {
        if (o.size() < 0) {
            return "?";
        }
        return switch (o.kind()) {
            case SYSV_SEM -> o.size() + " sems";
            case POSIX_SEM -> "-";
            default -> Limits.human(o.size());
        };
    }

    static String inUse(IpcObject o) {
        if (o.attached() > 0) {
            return o.attached() + " attached";
        }
        if (!o.users().isEmpty()) {
            return "pid " + o.users().stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return o.kind() == IpcObject.Kind.POSIX_MQ || o.kind() == IpcObject.Kind.SYSV_MSG
                || o.kind() == IpcObject.Kind.SYSV_SEM ? "?" : "-";
    }

}
