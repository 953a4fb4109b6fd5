package dev.ipcj.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs code that might crash the JVM (a scenario of a hostile-process or fuzz suite, or a
 * regression test of a crash) in a child JVM, so that a crash fails the test loudly with the
 * child's output instead of killing the test JVM and every test after it.
 *
 * <p>The child gets no core dump and writes its hs_err file to /tmp, not into the worktree.
 * {@link Result#crashed()} tells a JVM crash (SIGSEGV, SIGBUS, abort()) from an ordinary
 * non-zero exit.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The child's exit status and everything it printed (stdout and stderr). */
    public record Result(int exit, String output, boolean timedOut, long pid) {
        public Result(int exit, String output, boolean timedOut) {
            this(exit, output, timedOut, -1);
        }

        /** Killed by a signal or by the JVM's crash handler (hs_err, exit 134 = abort). */
        public boolean crashed() {
            return exit == 134 || exit >= 128 + 1 && exit <= 128 + 31 && !timedOut
                    || output.contains("A fatal error has been detected by the Java Runtime Environment");
        }

        /** The lines starting with {@code prefix}, prefix removed. */
        public List<String> lines(String prefix) {
            List<String> out = new ArrayList<>();
            for (String l : output.split("\n")) {
                if (l.startsWith(prefix)) {
                    out.add(l.substring(prefix.length()));
                }
            }
            return out;
        }

        /** A one-paragraph description for assertion messages. */
        public String describe() {
            return (timedOut ? "timed out" : crashed() ? "CRASHED (exit " + exit + ")" : "exit " + exit)
                    + ", output:\n" + output;
        }
    }

    /** Runs {@code main} with {@code args} in a new JVM, killing it after {@code seconds}. */
    public static Result run(Class<?> main, int seconds, String... args) throws IOException, InterruptedException {
        return run(List.of(), main, seconds, args);
    }

    /** As {@link #run(Class, int, String...)} with extra JVM flags (e.g. {@code -Xint}). */
    public static Result run(List<String> jvmFlags, Class<?> main, int seconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        cmd.addAll(jvmFlags);
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=/tmp/ipcj-test-hs_err_%p.log");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:+UseSerialGC");
        for (String p : new String[] {"ipcj.adversarial.seed", "ipcj.adversarial.scale", "ipcj.cbin"}) {
            String v = System.getProperty(p);
            if (v != null) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        // The child's suites use the same seed as this JVM's (printed once here).
        if (System.getProperty("ipcj.adversarial.seed") == null) {
            cmd.add("-Dipcj.adversarial.seed=" + Adversarial.seed());
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.append("(output lost: ").append(e).append(')');
                }
            }, "child-output");
            reader.start();
            boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor();
            }
            reader.join(5000);
            synchronized (out) {
                return new Result(p.exitValue(), out.toString(), !done, p.pid());
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            removeLeftovers(p.pid());
        }
    }

    /**
     * Removes what a child that died before its own cleanup left in /dev/shm under its test
     * names ({@code ipcj-test-PID-...}, and the semaphore files {@code sem.ipcj-test-PID-...}).
     */
    static void removeLeftovers(long pid) {
        String mine = IpcNames.PREFIX + pid + "-";
        try (var s = java.nio.file.Files.list(Path.of("/dev/shm"))) {
            s.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(mine) || n.startsWith("sem." + mine);
            }).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
