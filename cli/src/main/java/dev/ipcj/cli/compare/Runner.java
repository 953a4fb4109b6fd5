package dev.ipcj.cli.compare;

import dev.ipcj.launch.Child;
import dev.ipcj.launch.ChildFailedException;
import dev.ipcj.launch.Launch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Runs scenarios: for one mechanism and one language, a server process and a client process
 * (two child JVMs running {@link Peer}, or the C twin twice), following one {@link Plan}. This
 * JVM only starts them, reads their reports and cleans up; it does not take part in the
 * measurement.
 *
 * <p>Cleanup: every scenario's objects are undone in a finally block, and by a shutdown hook if
 * ipcj is interrupted (Ctrl-C, SIGTERM); the peers halt when this process dies. After a SIGKILL
 * of ipcj, the objects left carry its pid in their names and {@code ipcj rm --dead} removes them.
 */
public final class Runner {
    private static final AtomicLong SEQ = new AtomicLong();
    private static final Set<Runnable> ACTIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ACTIVE.forEach(Runnable::run), "ipcj-bench-cleanup"));
    }

    /** How peers are started. */
    public record Config(Path cbin, int[] pin, int timeoutSeconds) {
    }

    private final Config config;

    public Runner(Config config) {
        this.config = config;
    }

    /** The C twin of {@code m}, or null when it has none or it is not built. */
    public Path cProgram(Mechanism m) {
        if (m.cProgram() == null) {
            return null;
        }
        Path p = config.cbin().resolve(m.cProgram());
        return Files.isExecutable(p) ? p : null;
    }

    /** Runs one scenario; returns one row per step (failed rows on failure). */
    public List<Row> run(Mechanism m, String lang, Plan plan, Progress progress) {
        Path dir = null;
        Mechanism.Setup setup = null;
        Child server = null;
        Child client = null;
        Runnable undo = null;
        Map<Integer, long[]> clientPhases = new HashMap<>(); // size -> lat count, lat ns, lat cpu, tput count, tput ns, tput cpu
        Map<Integer, long[]> serverPhases = new HashMap<>();
        Map<Integer, Histogram> hist = new HashMap<>();
        try {
            Path d = Files.createTempDirectory("ipcj-bench-" + ProcessHandle.current().pid() + "-");
            dir = d;
            long seq = SEQ.incrementAndGet();
            Mechanism.ScenarioContext ctx = new Mechanism.ScenarioContext() {
                @Override
                public Path dir() {
                    return d;
                }

                @Override
                public String ipcName(String what) {
                    return dev.ipcj.internal.IpcjNames.tagged("bench", seq, what);
                }
            };
            if (plan.timed()) {
                Files.write(d.resolve(Plan.CTL), new byte[64]); // the timed phases' decisions (Peer.Ctl), zero: none yet
            }
            setup = m.prepare(ctx);
            Mechanism.Setup s = setup;
            undo = () -> {
                s.cleanup().run();
                deleteTree(d);
            };
            ACTIVE.add(undo);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.timeoutSeconds());
            server = start(m, lang, "server", plan, d, "-", setup.args(), 1);
            Child sl = server;
            String endpoint;
            try {
                endpoint = server.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (ChildFailedException e) {
                throw new ScenarioFailure(e.getMessage());
            }
            client = start(m, lang, "client", plan, d, endpoint, setup.args(), 0);
            Child cl = client;
            for (;;) {
                String line = cl.nextLine(deadline);
                if (line == null || line.startsWith("ERROR")) {
                    String serverSays = errorLine(sl);
                    throw new ScenarioFailure("client: " + describe(line, cl)
                            + (serverSays != null ? "; server: " + serverSays : ""));
                }
                if (line.equals("DONE")) {
                    break;
                }
                if (line.startsWith("PHASE ")) {
                    String[] f = line.split(" ");
                    int size = Integer.parseInt(f[2]);
                    long[] ph = clientPhases.computeIfAbsent(size, k -> new long[6]);
                    int o = f[1].equals("lat") ? 0 : 3;
                    ph[o] = Long.parseLong(f[3]);
                    ph[o + 1] = Long.parseLong(f[4]);
                    ph[o + 2] = Long.parseLong(f[5]);
                    String sz = m.carriesBytes() ? size + " B" : "";
                    if (o == 0) {
                        Histogram h = readSamples(d.resolve("lat-" + size + ".bin"));
                        hist.put(size, h);
                        progress.step(String.format("%s %s %s round trips: p50 %s", m.id(), lang, sz,
                                Report.ns(h.getValueAtPercentile(50))));
                    } else {
                        double rate = ph[3] * 1e9 / Math.max(1, ph[4]);
                        progress.step(String.format("%s %s %s streaming: %s M msg/s", m.id(), lang, sz, Report.mega(rate)));
                    }
                }
            }
            // The server's CPU per phase: it prints its phases before the client can finish.
            for (;;) {
                String line = sl.nextLine(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                if (line == null || line.equals("DONE") || line.startsWith("ERROR")) {
                    break;
                }
                if (line.startsWith("PHASE ")) {
                    String[] f = line.split(" ");
                    long[] ph = serverPhases.computeIfAbsent(Integer.parseInt(f[2]), k -> new long[6]);
                    ph[f[1].equals("lat") ? 2 : 5] = Long.parseLong(f[5]);
                }
            }
            client.process().waitFor(10, TimeUnit.SECONDS);
            server.process().waitFor(10, TimeUnit.SECONDS);
            List<Row> rows = new ArrayList<>();
            for (Plan.Step st : plan.steps()) {
                long[] c = clientPhases.get(st.size());
                long[] sv = serverPhases.getOrDefault(st.size(), new long[6]);
                Histogram h = hist.get(st.size());
                if (c == null || h == null) {
                    rows.add(Row.failed(m, lang, st.size(), "no result for this size"));
                    continue;
                }
                double msgs = c[3] * 1e9 / Math.max(1, c[4]);
                rows.add(new Row(m.id(), m.label(), lang, st.size(),
                        h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                        h.getValueAtPercentile(99.9), h.getMaxValue(), h.getTotalCount(),
                        msgs, m.carriesBytes() ? msgs * st.size() : Double.NaN,
                        (double) (c[5] + sv[5]) / Math.max(1, c[3]),
                        (double) (c[2] + sv[2]) / Math.max(1, c[0]), c[3], c[1] / 1e9, c[4] / 1e9, null));
            }
            return rows;
        } catch (Exception e) {
            String why = e instanceof ScenarioFailure ? e.getMessage() : e.toString();
            progress.note("FAILED " + m.id() + " " + lang + ": " + why);
            List<Row> rows = new ArrayList<>();
            for (Plan.Step st : plan.steps()) {
                rows.add(Row.failed(m, lang, st.size(), why));
            }
            return rows;
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
            if (undo != null) {
                undo.run();
                ACTIVE.remove(undo);
            } else if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private Child start(Mechanism m, String lang, String role, Plan plan, Path dir, String endpoint,
                        List<String> args, int pinIndex) {
        Launch l;
        if (lang.equals("C")) {
            l = Launch.program(cProgram(m));
        } else {
            l = Launch.java(Peer.class).jvmArgs(PEER_FLAGS).jvmArgs(m.javaFlags()).args(m.id());
        }
        if (config.pin() != null) {
            l.prefix("taskset", "-c", Integer.toString(config.pin()[pinIndex]));
        }
        return l.args(role, plan.encode(), dir.toString(), endpoint).args(args)
                .name(m.id() + " " + lang + " " + role).stderrTo(dir.resolve(role + ".err")).start();
    }

    /** Flags of the Java peers beyond {@link Launch#JVM_FLAGS}: a small heap and the serial collector suit a 2-core machine. */
    private static final List<String> PEER_FLAGS = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");

    /** Every flag of the Java peers, as the report states them. */
    public static final List<String> JVM_FLAGS;

    static {
        List<String> f = new ArrayList<>(PEER_FLAGS);
        f.addAll(Launch.JVM_FLAGS);
        JVM_FLAGS = List.copyOf(f);
    }

    static Histogram readSamples(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        Histogram h = new Histogram(3);
        while (b.remaining() >= 8) {
            h.recordValue(Math.max(1, b.getLong()));
        }
        return h;
    }

    private static String describe(String line, Child c) {
        String err = c.stderrTail();
        String what = line == null ? "no answer (exited or timed out)" : line;
        return what + (err.isEmpty() ? "" : " [stderr: " + err + "]");
    }

    /** An ERROR line the child printed, if one is already there. */
    private static String errorLine(Child c) {
        return c.pending().stream().filter(s -> s.startsWith("ERROR")).findFirst().orElse(null);
    }

    static void deleteTree(Path d) {
        if (d == null || !Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** A scenario went wrong; the message says which peer and what it said. */
    static final class ScenarioFailure extends Exception {
        ScenarioFailure(String message) {
            super(message);
        }
    }
}
