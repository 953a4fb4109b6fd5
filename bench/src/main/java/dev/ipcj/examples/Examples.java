package dev.ipcj.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the messaging examples share: starting a child JVM, picking a transport, printing who speaks. */
final class Examples {
    static final long PID = ProcessHandle.current().pid();

    private Examples() {
    }

    /** Starts {@code main} of {@code cls} in a child JVM with {@code args}; its output goes to ours. */
    static Process child(Class<?> cls, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), cls.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).inheritIO().start();
    }

    /**
     * An example's {@code main} run directly ({@code java -cp ... dev.ipcj.examples.NamingDemo
     * --transport RING}): the same arguments, checks and one-line errors as {@code ipcj demo NAME}.
     */
    static void cli(String example, String[] args) {
        String[] all = new String[args.length + 2];
        all[0] = "demo";
        all[1] = example;
        System.arraycopy(args, 0, all, 2, args.length);
        dev.ipcj.cli.Main.main(all);
    }

    static void say(String who, String what) {
        System.out.println(who + " (pid " + PID + "): " + what);
        System.out.flush();
    }

    static void await(Process p) throws InterruptedException {
        if (p.waitFor() != 0) {
            throw new IllegalStateException("child " + p.pid() + " failed with status " + p.exitValue());
        }
    }
}
