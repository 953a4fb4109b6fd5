package dev.ipcj.ring;

import dev.ipcj.test.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A ring peer process (ring_peer in C, or a JVM running {@link RingPeer}) whose output lines are
 * read by a thread, so that a test can wait for "ready" or "window NAME" with a deadline, and
 * write a line to its standard input to let it go on from a window.
 */
final class Peers {
    private Peers() {
    }

    static final class Peer {
        final Process process;
        final String what;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder all = new StringBuilder();
        private final Thread reader;

        Peer(Process process, String what) {
            this.process = process;
            this.what = what;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (all) {
                            all.append(l).append('\n');
                        }
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "peer output " + what);
            t.setDaemon(true);
            t.start();
            reader = t;
        }

        /** Waits for the process to end (killing it and failing after {@code millis}); its whole output. */
        String waitFor(long millis) throws InterruptedException {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(what + ": did not end within " + millis + " ms; output:\n" + output());
            }
            reader.join(5_000);
            return output();
        }

        /** Waits for the line {@code want} (skipping none): fails naming what came instead. */
        void expect(String want, long millis) throws InterruptedException {
            String l = lines.poll(millis, TimeUnit.MILLISECONDS);
            if (!want.equals(l)) {
                throw new AssertionError(what + ": expected \"" + want + "\" within " + millis + " ms, got "
                        + (l == null ? "nothing" : "\"" + l + "\"") + (process.isAlive() ? "" : " (exited "
                        + exitValue() + ")") + "; output:\n" + output());
            }
        }

        /** The next line within {@code millis}, or null. */
        String next(long millis) throws InterruptedException {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Lets a peer stopped at a window go on. */
        void proceed() throws IOException {
            OutputStream o = process.getOutputStream();
            o.write('\n');
            o.flush();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(10, TimeUnit.SECONDS);
        }

        int exitValue() {
            return process.exitValue();
        }

        String output() {
            synchronized (all) {
                return all.toString();
            }
        }
    }

    /** Starts ring_peer (c) or RingPeer (Java), optionally stopping at {@code window}'s n-th passage. */
    static Peer start(boolean java, String window, int after, String... args) throws IOException {
        List<String> a = new ArrayList<>();
        if (window != null) {
            a.add("--stop-at");
            a.add(window);
            a.add(Integer.toString(after));
        }
        a.addAll(List.of(args));
        String[] argv = a.toArray(new String[0]);
        Process p = java ? Processes.startJava(RingPeer.class, argv) : Processes.startC("ring_peer", argv);
        return new Peer(p, (java ? "java " : "c ") + String.join(" ", argv));
    }
}
