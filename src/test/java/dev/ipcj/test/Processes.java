package dev.ipcj.test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the second processes of cross-process tests: a JVM running a main class from the
 * test classpath, or a C program built by cmake/ into {@code ipcj.cbin}.
 */
public final class Processes {
    /** Every child started, so that a failing test cannot leave one running (see {@link #killAll()}). */
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Processes() {
    }

    /**
     * Kills (SIGKILL) every child still alive and waits for it. {@link IpcNames} calls it after
     * each test, before removing the test's objects, so a test that failed half-way leaves no
     * peer behind holding or recreating them.
     */
    public static void killAll() {
        for (Process p : STARTED) {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        STARTED.clear();
    }

    private static Process track(Process p) {
        STARTED.add(p);
        return p;
    }

    /** The directory holding the C programs (system property ipcj.cbin, set by the pom). */
    public static Path cbin() {
        String d = System.getProperty("ipcj.cbin", "target/cmake");
        return Path.of(d);
    }

    /** A C program built by cmake/, by name (e.g. "shm_peer"). */
    public static Path cProgram(String name) {
        Path p = cbin().resolve(name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing: build with mvn (cmake runs in generate-test-resources)");
        }
        return p;
    }

    /** Starts a C program with its output collected. */
    public static Process startC(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(cProgram(name).toString());
        cmd.addAll(Arrays.asList(args));
        return track(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** Starts {@code main} in a new JVM with this JVM's classpath. */
    public static Process startJava(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // JDK 22+: JavaCPP's loadLibrary, quietly
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Xshare:auto");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        return track(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** Waits for exit (killing it after {@code seconds}); returns the output; fails on a non-zero status. */
    public static String finish(Process p, int seconds) throws IOException, InterruptedException {
        String out = waitFor(p, seconds);
        if (p.exitValue() != 0) {
            throw new AssertionError("child exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** Waits for exit (killing it after {@code seconds}) and returns its output. */
    public static String waitFor(Process p, int seconds) throws IOException, InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("child did not finish in " + seconds + " s:\n" + out);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Reads one line of the child's output (e.g. a "ready" handshake). */
    public static String readLine(Process p) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = p.getInputStream().read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    static String pathSeparator() {
        return File.pathSeparator;
    }
}
