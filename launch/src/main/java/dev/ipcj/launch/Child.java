package dev.ipcj.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process started by {@link Launch}. Its standard output is read line by line by a
 * daemon thread, so that every wait here has a deadline even when the child hangs without
 * printing; {@link #close()} kills it (SIGKILL) and reaps it, so a failed parent leaves no
 * child behind.
 */
public final class Child implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final String name;
    private final Process process;
    private final Path errFile;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(String name, Process process, Path errFile, boolean readOutput) {
        this.name = name;
        this.process = process;
        this.errFile = errFile;
        if (readOutput) {
            Thread t = new Thread(this::pump, "ipcj-child-" + process.pid());
            t.setDaemon(true);
            t.start();
        } else {
            lines.add(EOF);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            lines.add(EOF);
        }
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** The child's pid. */
    public long pid() {
        return process.pid();
    }

    /** The child's standard input. */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /**
     * Waits for the child's {@link Ready ready line}: its detail ("" for a bare {@code ready}).
     * Lines before it are skipped.
     *
     * @throws ChildFailedException if the child ends its output or the timeout passes first;
     *         the message holds the last line it printed, its exit status and its stderr's tail
     */
    public String awaitReady(Duration timeout) throws InterruptedException {
        long deadline = deadline(timeout);
        String last = null;
        for (;;) {
            String line = nextLine(deadline);
            if (line == null) {
                throw failure("did not get ready", last);
            }
            String d = Ready.detail(line);
            if (d != null) {
                return d;
            }
            last = line;
        }
    }

    /** The next line the child printed, or null at the end of its output or at the timeout. */
    public String readLine(Duration timeout) throws InterruptedException {
        return nextLine(deadline(timeout));
    }

    /** The next line by {@code deadline} ({@link System#nanoTime()}), or null. */
    public String nextLine(long deadline) throws InterruptedException {
        String s = lines.peek();
        if (EOF.equals(s)) {
            return null;
        }
        long left = deadline - System.nanoTime();
        s = left <= 0 ? lines.poll() : lines.poll(left, TimeUnit.NANOSECONDS);
        if (EOF.equals(s)) {
            lines.add(EOF); // end of output stays the end
            return null;
        }
        return s;
    }

    /** Lines already printed and not yet read, without waiting. */
    public List<String> pending() {
        return lines.stream().filter(l -> !EOF.equals(l)).toList();
    }

    /**
     * Waits for the child to exit: its exit status.
     *
     * @throws ChildFailedException if it is still running at the timeout (it is then killed)
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
            close();
            throw failure("did not exit within " + timeout.toMillis() + " ms (killed)", null);
        }
        return process.exitValue();
    }

    /** Waits for the child to exit with status 0; otherwise a ChildFailedException that says how it ended. */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        int status = waitFor(timeout);
        if (status != 0) {
            throw failure("exited with status " + status, null);
        }
    }

    /** The last three lines of the child's stderr file, if it has one, joined by " | ". */
    public String stderrTail() {
        if (errFile == null) {
            return "";
        }
        try {
            List<String> l = Files.readAllLines(errFile);
            return String.join(" | ", l.subList(Math.max(0, l.size() - 3), l.size())).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private ChildFailedException failure(String what, String lastLine) {
        StringBuilder sb = new StringBuilder(name).append(" (pid ").append(process.pid()).append(") ").append(what);
        if (lastLine != null) {
            sb.append("; last line: ").append(lastLine);
        }
        if (!process.isAlive()) {
            sb.append("; exit status ").append(process.exitValue());
        }
        String err = stderrTail();
        if (!err.isEmpty()) {
            sb.append("; stderr: ").append(err);
        }
        return new ChildFailedException(sb.toString());
    }

    private static long deadline(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 2;
        }
        long now = System.nanoTime();
        return nanos > Long.MAX_VALUE / 2 ? now + Long.MAX_VALUE / 2 : now + nanos;
    }

    /** Kills the child if it is still running (SIGKILL) and waits up to 5 s for it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
