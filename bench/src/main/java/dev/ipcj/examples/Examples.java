package dev.ipcj.examples;

import dev.ipcj.msg.Transport;
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

    /** The transport named by {@code --transport NAME} in args, else the default. */
    static Transport transport(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--transport")) {
                return Transport.valueOf(args[i + 1].toUpperCase());
            }
        }
        return Transport.defaultTransport();
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
