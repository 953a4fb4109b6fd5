package dev.ipcj.cli;

import dev.ipcj.cli.compare.Mechanism;
import dev.ipcj.cli.compare.Mechanisms;
import dev.ipcj.cli.compare.Plan;
import dev.ipcj.cli.compare.Progress;
import dev.ipcj.cli.compare.Report;
import dev.ipcj.cli.compare.Rounds;
import dev.ipcj.cli.compare.Row;
import dev.ipcj.cli.compare.Runner;
import dev.ipcj.cli.compare.SizeCap;
import dev.ipcj.cli.compare.Charts;
import dev.ipcj.cli.sys.Machine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ipcj bench}: every mechanism, Java beside C, two real processes per scenario.
 *
 * <p>Default budget: 5 sizes, 10000 measured round trips (+5000 warm-up) and up to 100000
 * streamed messages (at most 64 MiB) per size. All 19 scenarios (ipcj ring spinning + blocking,
 * POSIX mq, System V msg + sem, POSIX sem, pipe, Unix socket, TCP, Agrona; Java and C) measured
 * on a 2-core VM: 38 s idle; 17 of them took 56 s with other builds running (about 3 s per
 * scenario), so the full set stays well within two minutes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks every IPC mechanism: round-trip latency (p50..max) and streaming throughput, "
                + "Java beside the same work in C, each scenario two real processes.",
                "Writes a table to the terminal and results.csv, results.json, chart.svg and chart.png to --out."})
final class BenchCommand implements Callable<Integer>, Checked {
    static final String DEFAULT_SIZES = "8,64,512,4096,65536";
    /** The most round trips of a timed phase (their samples are kept: 8 bytes each). */
    static final int TIMED_ROUND_TRIPS = 4_000_000;
    /** The most messages of a timed stream. */
    static final int TIMED_MESSAGES = 1_000_000_000;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--mechanisms"}, split = ",", paramLabel = "ID",
            description = "Mechanisms to run (default: all): ${COMPLETION-CANDIDATES}.",
            completionCandidates = Ids.class)
    List<String> mechanisms = new ArrayList<>();

    @Option(names = {"-s", "--sizes"}, split = ",", paramLabel = "SIZE",
            description = "Message sizes: bytes, or with K/KiB or M/MiB (default: " + DEFAULT_SIZES + "). "
                    + "Each mechanism skips sizes above its live limit, and the report says so.")
    List<String> sizes = new ArrayList<>(List.of(DEFAULT_SIZES.split(",")));

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", defaultValue = "10000",
            description = "Measured round trips per size (default: ${DEFAULT-VALUE}); warm-up is half as many.")
    int iterations;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "100000",
            description = "Messages streamed per size (default: ${DEFAULT-VALUE}), at most --stream-bytes of payload.")
    int messages;

    @Option(names = "--stream-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Payload streamed per size at most (default: ${DEFAULT-VALUE} = 64 MiB), at least 256 messages.")
    long streamBytes;

    @Option(names = "--duration", paramLabel = "TIME",
            description = "Time-bounded phases: the measured round trips and the measured stream of each size run "
                    + "for about TIME each (e.g. 2s, 500ms, 1m; warm-ups a quarter of it) instead of -n and --messages, "
                    + "at most " + TIMED_ROUND_TRIPS + " round trips per size; Java and C peers stop the same way.")
    String duration;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Run every scenario N times, round after round (default: ${DEFAULT-VALUE}); each figure is "
                    + "the median of the rounds, and the report gives the spread of p50 and msg/s.")
    int rounds;

    @Option(names = "--lang", split = ",", paramLabel = "LANG", description = "java, c or both (default: both).")
    List<String> langs = new ArrayList<>(List.of("java", "c"));

    @Option(names = "--pin", arity = "0..1", fallbackValue = "0,1", paramLabel = "CLIENT,SERVER",
            description = "Pin the client and the server to these CPUs with taskset (default when given: 0,1).")
    String pin;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the report (default: ipcj-bench-DATE-TIME in the current directory).")
    Path out;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
            description = "Give up on a scenario after this long (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "${COMPLETION-CANDIDATES}: a bar redrawn in place, a line per phase, or auto "
                    + "(a bar on a terminal; default: ${DEFAULT-VALUE}).")
    ProgressMode progressMode;

    @Option(names = "--dry-run", description = "Check the options and print the scenarios that would run; run nothing.")
    boolean dryRun;

    /** How progress is shown. */
    enum ProgressMode { auto, bar, lines }

    /** What the options ask for, checked: {@link #check()} builds it, {@link #call()} runs it. */
    private record Setup(List<Mechanism> mechanisms, List<Integer> sizes, boolean java, boolean c, int[] pins, long nanos) {
    }

    /** The ids for --help and completion. */
    static final class Ids extends ArrayList<String> {
        Ids() {
            super(Mechanisms.ALL.stream().map(Mechanism::id).toList());
        }
    }

    @Override
    public void check() {
        setup();
    }

    private Setup setup() {
        List<Mechanism> chosen = chooseMechanisms();
        List<Integer> sizeList = parseSizes();
        boolean java = langs.stream().anyMatch(l -> l.trim().equalsIgnoreCase("java"));
        boolean c = langs.stream().anyMatch(l -> l.trim().equalsIgnoreCase("c"));
        if (!java && !c || langs.stream().anyMatch(l -> !l.trim().equalsIgnoreCase("java") && !l.trim().equalsIgnoreCase("c"))) {
            throw new ParameterException(spec.commandLine(), "--lang takes java, c or java,c, not '" + String.join(",", langs) + "'");
        }
        if (iterations < 1 || messages < 1) {
            throw new ParameterException(spec.commandLine(), "--iterations and --messages must be at least 1, not "
                    + iterations + " and " + messages);
        }
        if (streamBytes < 1) {
            throw new ParameterException(spec.commandLine(), "--stream-bytes must be at least 1, not " + streamBytes);
        }
        if (rounds < 1 || rounds > 1000) {
            throw new ParameterException(spec.commandLine(), "--rounds must be 1 to 1000, not " + rounds);
        }
        if (timeout < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second, not " + timeout);
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " exists and is not a directory");
        }
        return new Setup(chosen, sizeList, java, c, parsePin(), parseDuration());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Setup setup = setup();
        List<Mechanism> chosen = setup.mechanisms();
        List<Integer> sizeList = setup.sizes();
        boolean java = setup.java();
        boolean c = setup.c();
        int[] pins = setup.pins();
        long nanos = setup.nanos();
        Path cbin = Path.of(System.getProperty("ipcj.cbin", "target/cmake"));
        Runner runner = new Runner(new Runner.Config(cbin, pins, timeout));

        List<String> notes = new ArrayList<>();
        record Scenario(Mechanism m, String lang, Plan plan) {
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (Mechanism m : chosen) {
            List<Plan.Step> steps = new ArrayList<>();
            if (!m.carriesBytes()) {
                steps.add(step(0, m, nanos));
            } else {
                SizeCap cap = m.sizeCap();
                List<Integer> skipped = new ArrayList<>();
                for (int s : sizeList) {
                    if (s <= cap.maxBytes()) {
                        steps.add(step(s, m, nanos));
                    } else {
                        skipped.add(s);
                    }
                }
                if (!skipped.isEmpty()) {
                    notes.add(m.id() + ": sizes " + skipped.stream().map(Report::size).collect(Collectors.joining(", "))
                            + " skipped: above " + Report.size(cap.maxBytes()) + " (" + cap.reason() + ")");
                }
            }
            if (steps.isEmpty()) {
                continue;
            }
            if (nanos == 0 && steps.stream().anyMatch(st -> st.messages() == m.maxStreamMessages())) {
                notes.add(m.id() + ": at most " + m.maxStreamMessages() + " messages streamed per size "
                        + "(the most the sender may be ahead of the receiver)");
            }
            if (m.note() != null) {
                notes.add(m.id() + ": " + m.note());
            }
            if (java && !m.javaFlags().isEmpty()) {
                notes.add(m.id() + ": Java peers also run with " + String.join(" ", m.javaFlags()));
            }
            Plan plan = new Plan(steps);
            if (java) {
                scenarios.add(new Scenario(m, "Java", plan));
            }
            if (c) {
                if (m.cProgram() == null) {
                    notes.add(m.id() + ": no C twin (Java-only peer)");
                } else if (runner.cProgram(m) == null) {
                    notes.add(m.id() + ": C twin " + cbin.resolve(m.cProgram()) + " is not built: run ./ipcj once, "
                            + "or mvn -f apps/pom.xml install at the repository root (cli/CMakeLists.txt builds "
                            + "cli/src/main/c into cli/target/cmake), or pass -Dipcj.cbin=DIR");
                } else {
                    scenarios.add(new Scenario(m, "C", plan));
                }
            }
        }
        if (nanos > 0) {
            notes.add("--duration " + duration + ": each measured round-trip phase and stream ran for about that long "
                    + "(whole batches of 64, the warm-ups a quarter of it), at most " + TIMED_ROUND_TRIPS
                    + " round trips; the times taken are round_trip_s and stream_s in results.csv"
                    + chosen.stream().filter(m -> m.maxStreamMessages() < TIMED_MESSAGES)
                            .map(m -> "; " + m.id() + " streams at most " + m.maxStreamMessages() + " messages")
                            .collect(Collectors.joining()));
        }
        if (pins != null) {
            notes.add("client pinned to CPU " + pins[0] + ", server to CPU " + pins[1] + " (taskset)");
        }
        notes.add("Java peers: " + String.join(" ", Runner.JVM_FLAGS) + "; their CPU time is the JVM's process CPU time "
                + "(all threads, in clock ticks: CPU per message is within 10 ms / messages), C's is getrusage");

        int phases = rounds * scenarios.stream().mapToInt(s -> 2 * s.plan().steps().size()).sum();
        if (dryRun) {
            o.println("ipcj bench --dry-run: " + scenarios.size() + " scenarios (each a server and a client process)"
                    + (rounds > 1 ? " x " + rounds + " rounds" : "") + ", " + phases + " phases; " + perSize(nanos));
            for (Scenario s : scenarios) {
                o.println("  " + s.m().id() + " " + s.lang() + ": sizes " + (s.m().carriesBytes()
                        ? s.plan().steps().stream().map(st -> Report.size(st.size())).collect(Collectors.joining(", "))
                        : "none (no bytes carried)"));
            }
            notes.forEach(n -> o.println("note: " + n));
            o.flush();
            return 0;
        }
        Path dir = out != null ? out
                : Path.of("ipcj-bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir); // now, so that a directory it cannot write is said before the run, not after

        Machine machine = Machine.current();
        Report.printWrapped(o, "ipcj bench on " + machine.summary());
        o.println(scenarios.size() + " scenarios (each a server and a client process)"
                + (rounds > 1 ? " x " + rounds + " rounds" : "") + ", " + phases + " phases; " + perSize(nanos));
        o.flush();
        boolean tty = progressMode == ProgressMode.bar || (progressMode == ProgressMode.auto && System.console() != null);
        Progress progress = new Progress(o, tty, phases);
        String started = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        long t0 = System.nanoTime();
        List<List<Row>> each = new ArrayList<>();
        for (int k = 0; k < rounds; k++) { // round after round: load from elsewhere falls on every scenario alike
            List<Row> round = new ArrayList<>();
            for (Scenario s : scenarios) {
                round.addAll(runner.run(s.m(), s.lang(), s.plan(), progress));
            }
            each.add(round);
        }
        progress.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Rounds.Spread> spreads = new HashMap<>();
        List<Row> rows = rounds == 1 ? each.get(0) : Rounds.combine(each, spreads);
        long partly = each.stream().flatMap(List::stream).filter(r -> !r.ok()).map(Rounds::key).distinct()
                .filter(k -> spreads.containsKey(k)).count();
        if (partly > 0) {
            notes.add(partly + " figures failed in some rounds: their medians are of the rounds that succeeded");
        }

        Report report = new Report(machine, "ipcj " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                started, seconds, rows, notes, spreads);
        o.println();
        report.printTable(o);
        report.writeCsv(dir.resolve("results.csv"));
        report.writeJson(dir.resolve("results.json"));
        Charts.write(report, dir.resolve("chart.svg"), dir.resolve("chart.png"));
        o.printf("%nfinished in %.0f s; wrote results.csv, results.json, chart.svg and chart.png in %s%n", seconds, dir);
        o.flush();
        return rows.stream().allMatch(Row::ok) ? 0 : 1;
    }

    private String perSize(long nanos) {
        return nanos > 0 ? "each phase about " + duration + " per size" : iterations + " round trips per size";
    }

    private Plan.Step step(int size, Mechanism m, long nanos) {
        if (nanos > 0) {
            int msgs = Math.min(TIMED_MESSAGES, m.maxStreamMessages());
            return new Plan.Step(size, TIMED_ROUND_TRIPS, TIMED_ROUND_TRIPS, msgs, nanos);
        }
        long scaled = (long) messages * m.streamScale();
        long bytes = streamBytes * m.streamScale();
        int msgs = (int) Math.min(Integer.MAX_VALUE, scaled);
        if (size > 0) {
            msgs = (int) Math.max(Math.min(256, scaled), Math.min(scaled, bytes / size));
        }
        msgs = Math.min(msgs, m.maxStreamMessages());
        return new Plan.Step(size, Math.max(1, iterations / 2), iterations, msgs);
    }

    private List<Mechanism> chooseMechanisms() {
        if (mechanisms.isEmpty()) {
            return Mechanisms.ALL;
        }
        List<Mechanism> l = new ArrayList<>();
        for (String id : mechanisms) {
            Mechanism m = Mechanisms.byId(id.trim()).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "Unknown mechanism '" + id + "'" + Mechanisms.suggestion(id.trim()) + "; known: "
                            + String.join(", ", new Ids())));
            if (!l.contains(m)) {
                l.add(m);
            }
        }
        return l;
    }

    private List<Integer> parseSizes() {
        List<Integer> l = new ArrayList<>();
        for (String s : sizes) {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
            long mult = 1;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,12}) *(b|k|kb|kib|m|mb|mib)?").matcher(t);
            if (!m.matches()) {
                throw new ParameterException(spec.commandLine(), "Bad size '" + s + "': want bytes, e.g. 64, 4K or 1M");
            }
            String unit = m.group(2) == null ? "b" : m.group(2);
            if (unit.startsWith("k")) {
                mult = 1024;
            } else if (unit.startsWith("m")) {
                mult = 1024 * 1024;
            }
            long v = Long.parseLong(m.group(1)) * mult; // at most 10^12 * 2^20: no overflow
            if (v < 8 || v > (1 << 24)) {
                throw new ParameterException(spec.commandLine(), "Size " + s + " out of range: 8 B .. 16 MiB");
            }
            l.add((int) v);
        }
        if (l.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--sizes needs at least one size");
        }
        return l.stream().distinct().sorted().toList();
    }

    /** --duration as nanoseconds, 0 when not given. */
    private long parseDuration() {
        if (duration == null) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,7}(?:\\.[0-9]{1,3})?) *(ms|s|m|min)?")
                .matcher(duration.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new ParameterException(spec.commandLine(), "Bad duration '" + duration + "': want e.g. 2s, 500ms or 1m");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        double scale = switch (unit) {
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> 60e9;
        };
        double v = Double.parseDouble(m.group(1)) * scale;
        if (v < 10e6 || v > 3600e9) {
            throw new ParameterException(spec.commandLine(), "Duration " + duration + " out of range: 10ms .. 1h");
        }
        return (long) v;
    }

    private int[] parsePin() {
        if (pin == null) {
            return null;
        }
        String[] f = pin.split(",", -1);
        try {
            int[] p = {Integer.parseInt(f[0].trim()), Integer.parseInt(f[f.length > 1 ? 1 : 0].trim())};
            int n = Runtime.getRuntime().availableProcessors();
            if (f.length > 2 || p[0] < 0 || p[1] < 0 || p[0] >= n || p[1] >= n) {
                throw new NumberFormatException();
            }
            if (!onPath("taskset")) {
                throw new ParameterException(spec.commandLine(), "--pin needs taskset (util-linux), which is not on the PATH");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--pin takes CLIENT,SERVER CPU numbers below "
                    + Runtime.getRuntime().availableProcessors() + ", not '" + pin + "'");
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
