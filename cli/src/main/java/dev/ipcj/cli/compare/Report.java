package dev.ipcj.cli.compare;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipcj.cli.sys.Machine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;

/**
 * The results of a bench run, and the ways they are written: the terminal table (picocli's
 * TextTable, at most {@link #WIDTH} columns), results.csv (commons-csv), results.json (Jackson);
 * the charts are {@link Charts}.
 */
public record Report(Machine machine, String command, String started, double seconds, List<Row> rows, List<String> notes,
                     Map<String, Rounds.Spread> spreads) {
    /** The table's width: every line of it fits. */
    public static final int WIDTH = 100;
    /** The mechanism the ring rows are also divided by: Agrona's ring, the peer to beat. */
    public static final String PEER = "agrona";

    /** A report of one round (no spreads). */
    public Report(Machine machine, String command, String started, double seconds, List<Row> rows, List<String> notes) {
        this(machine, command, started, seconds, rows, notes, Map.of());
    }

    /** How many rounds each figure is the median of (1 without --rounds). */
    public int rounds() {
        return spreads.values().stream().mapToInt(Rounds.Spread::rounds).max().orElse(1);
    }

    /** The Java row of {@link #PEER} at the size of {@code r}, for the Java rows of ipcj's ring. */
    public Optional<Row> peer(Row r) {
        // The spinning rings only: Agrona spins, so a blocking ring divided by it says nothing.
        if (!r.ok() || !r.lang().equals("Java") || !r.mechanism().startsWith("ring") || r.mechanism().equals("ring-block")) {
            return Optional.empty();
        }
        return rows.stream().filter(p -> p.ok() && p.lang().equals("Java") && p.mechanism().equals(PEER)
                && p.size() == r.size()).findFirst();
    }

    /** p50 / the peer's p50 (below 1: ipcj is faster), NaN without one. */
    public double peerP50(Row r) {
        return peer(r).map(p -> (double) r.p50() / p.p50()).orElse(Double.NaN);
    }

    /** msg/s / the peer's msg/s (above 1: ipcj is faster). */
    public double peerMsgs(Row r) {
        return peer(r).map(p -> r.msgsPerSec() / p.msgsPerSec()).orElse(Double.NaN);
    }

    /** The spread of {@code r} over the rounds, or null for a single round. */
    public Rounds.Spread spread(Row r) {
        return spreads.get(Rounds.key(r));
    }

    /** The C row beside a Java row (same mechanism and size). */
    public Optional<Row> twin(Row java) {
        return rows.stream().filter(r -> r.lang().equals("C") && r.mechanism().equals(java.mechanism())
                && r.size() == java.size() && r.ok()).findFirst();
    }

    /** Java p50 / C p50 (above 1: Java is slower), NaN without a C twin. */
    public double ratioP50(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> (double) r.p50() / c.p50()).orElse(Double.NaN) : Double.NaN;
    }

    /** Java p99 / C p99. */
    public double ratioP99(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> (double) r.p99() / c.p99()).orElse(Double.NaN) : Double.NaN;
    }

    /** Java msg/s / C msg/s (below 1: Java is slower). */
    public double ratioMsgs(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> r.msgsPerSec() / c.msgsPerSec()).orElse(Double.NaN) : Double.NaN;
    }

    /** Java CPU/msg / C CPU/msg. */
    public double ratioCpu(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> r.cpuPerMsg() / c.cpuPerMsg()).orElse(Double.NaN) : Double.NaN;
    }

    // ---- the terminal table ----

    /** Column widths (each includes the space before the next column); they add up to {@link #WIDTH}. */
    private static final int[] COLS = {7, 7, 8, 8, 8, 8, 9, 8, 8, 8, 7, 7, 7};
    private static final String[] HEAD = {"LANG", "SIZE", "p50", "p90", "p99", "p99.9", "max", "stream", "stream", "CPU", "J/C", "J/C", "J/C"};
    private static final String[] UNIT = {"", "", "µs", "µs", "µs", "µs", "µs", "M msg/s", "MB/s", "µs/msg", "p50", "msg/s", "CPU"};

    public void printTable(PrintWriter out) {
        TextTable t = table();
        row(t, HEAD);
        row(t, UNIT);
        String last = null;
        for (Row r : rows) {
            if (!r.mechanism().equals(last)) {
                t.addRowValues(wide(r.label() + "  [" + r.mechanism() + "]"));
                last = r.mechanism();
            }
            String size = r.size() == 0 ? "-" : size(r.size());
            if (!r.ok()) {
                t.addRowValues(wide("  " + r.lang() + " " + size + " FAILED: " + r.error()));
                continue;
            }
            row(t, "  " + r.lang(), size, us(r.p50()), us(r.p90()), us(r.p99()), us(r.p999()), us(r.max()),
                    mega(r.msgsPerSec()), Double.isNaN(r.bytesPerSec()) ? "-" : mbs(r.bytesPerSec()), us(r.cpuPerMsg()),
                    ratio(ratioP50(r)), ratio(ratioMsgs(r)), ratio(ratioCpu(r)));
        }
        print(out, t);
        out.println();
        TextTable notesTable = table(WIDTH);
        notesTable.addRowValues("Round trip: send + echo, client's clock, HdrHistogram. Stream: one way, messages/s until "
                + "the receiver acknowledged the last. CPU: user+sys of both processes per streamed message. "
                + "J/C: the Java figure divided by its C twin's (p50 and CPU above 1, msg/s below 1: Java is slower).");
        for (String n : notes) {
            notesTable.addRowValues("note: " + n);
        }
        print(out, notesTable);
        if (!spreads.isEmpty() || rows.stream().anyMatch(r -> peer(r).isPresent())) {
            out.println();
            printRatios(out);
        }
    }

    /** Widths of the rounds-and-peers table; they add up to {@link #WIDTH} at most. */
    private static final int[] RCOLS = {22, 7, 21, 21, 10, 10, 8};

    /** Each figure's spread over the rounds and, for ipcj's ring, its ratios to Agrona and C in this run. */
    private void printRatios(PrintWriter out) {
        int n = rounds();
        printWrapped(out, (n > 1 ? n + " rounds, one after the other, each running every scenario once: every figure above "
                + "is the median of its rounds; [least-most] below. " : "One round. ")
                + "vs " + PEER + ": the figure divided by Agrona's (Java, same size, same run): p50 below 1 and msg/s "
                + "above 1 mean ipcj is faster. vs C: divided by the C twin's.");
        Column[] cols = new Column[RCOLS.length];
        for (int i = 0; i < RCOLS.length; i++) {
            cols[i] = new Column(RCOLS[i], 0, Overflow.SPAN);
        }
        TextTable t = TextTable.forColumns(new ColorScheme.Builder(Ansi.OFF).build(), cols);
        t.addRowValues("MECHANISM LANG", "SIZE", "p50 µs [range]", "M msg/s [range]", "p50", "msg/s", "p50");
        t.addRowValues("", "", "", "", "vs " + PEER, "vs " + PEER, "vs C");
        for (Row r : rows) {
            if (!r.ok()) {
                continue;
            }
            Rounds.Spread sp = spread(r);
            String p50 = us(r.p50()) + (sp == null ? "" : " [" + us(sp.p50Min()) + "-" + us(sp.p50Max()) + "]");
            String msgs = mega(r.msgsPerSec()) + (sp == null || Double.isNaN(sp.msgsMin()) ? ""
                    : " [" + mega(sp.msgsMin()) + "-" + mega(sp.msgsMax()) + "]");
            t.addRowValues(r.mechanism() + " " + r.lang(), r.size() == 0 ? "-" : size(r.size()), p50, msgs,
                    ratio(peerP50(r)), ratio(peerMsgs(r)), ratio(ratioP50(r)));
        }
        print(out, t);
    }

    /** {@code text} wrapped at word boundaries to lines of at most {@link #WIDTH} columns (the later ones indented). */
    public static void printWrapped(PrintWriter out, String text) {
        TextTable t = table(WIDTH);
        t.addRowValues(text);
        print(out, t);
    }

    private static TextTable table(int... widths) {
        int[] w = widths.length == 0 ? COLS : widths;
        Column[] cols = new Column[w.length];
        for (int i = 0; i < w.length; i++) {
            cols[i] = new Column(w[i], 0, widths.length == 0 ? Overflow.SPAN : Overflow.WRAP);
        }
        return TextTable.forColumns(new ColorScheme.Builder(Ansi.OFF).build(), cols);
    }

    /** One row: LANG left-aligned, everything else right-aligned in its column. */
    private static void row(TextTable t, String... v) {
        String[] cells = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            cells[i] = i == 0 ? v[i] : String.format("%" + (COLS[i] - 1) + "s", v[i]);
        }
        t.addRowValues(cells);
    }

    /** A row of one cell that runs across the columns. */
    private static String[] wide(String text) {
        String[] cells = new String[COLS.length];
        java.util.Arrays.fill(cells, "");
        cells[0] = text;
        return cells;
    }

    private static void print(PrintWriter out, TextTable t) {
        for (String line : t.toString().split("\n", -1)) {
            String l = line.stripTrailing();
            if (!l.isEmpty() || !line.isEmpty()) {
                out.println(l);
            }
        }
    }

    // ---- CSV ----

    static final String[] CSV_HEADER = {"mechanism", "label", "lang", "size_bytes", "p50_ns", "p90_ns", "p99_ns", "p999_ns",
        "max_ns", "round_trips", "msgs_per_s", "bytes_per_s", "cpu_ns_per_msg", "cpu_ns_per_round_trip", "java_c_p50",
        "java_c_msgs", "java_c_cpu", "messages", "round_trip_s", "stream_s", "rounds", "p50_min_ns",
        "p50_max_ns", "msgs_per_s_min", "msgs_per_s_max", "p50_vs_agrona", "msgs_vs_agrona", "error"};

    public void writeCsv(Path file) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).setRecordSeparator('\n').get();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); CSVPrinter p = new CSVPrinter(w, format)) {
            for (Row r : rows) {
                p.printRecord(r.mechanism(), r.label(), r.lang(), r.size(), num(r.p50()), num(r.p90()), num(r.p99()),
                        num(r.p999()), num(r.max()), r.rtts(), dbl(r.msgsPerSec()), dbl(r.bytesPerSec()), dbl(r.cpuPerMsg()),
                        dbl(r.cpuPerRtt()), dbl(ratioP50(r)), dbl(ratioMsgs(r)), dbl(ratioCpu(r)), r.messages(),
                        dbl(r.rttSeconds()), dbl(r.streamSeconds()),
                        sp(r) == null ? 1 : sp(r).rounds(), sp(r) == null ? "" : num(sp(r).p50Min()),
                        sp(r) == null ? "" : num(sp(r).p50Max()), sp(r) == null ? "" : dbl(sp(r).msgsMin()),
                        sp(r) == null ? "" : dbl(sp(r).msgsMax()), dbl(peerP50(r)), dbl(peerMsgs(r)),
                        r.error() == null ? "" : r.error());
            }
        }
    }

    private Rounds.Spread sp(Row r) {
        return r.ok() ? spread(r) : null;
    }

    // ---- JSON ----

    /** results.json as Jackson writes and reads it. */
    public record Json(String command, String started, double seconds, JsonMachine machine, List<String> notes,
                       List<Result> results) {
    }

    public record JsonMachine(String cpu, int cores, String kernel, String os, String jdk,
                              @JsonProperty("jvm_flags") String jvmFlags, Map<String, String> limits) {
    }

    /** One row in results.json; a failed row has only its names and its error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(String mechanism, String label, String lang, @JsonProperty("size_bytes") int sizeBytes,
                         @JsonProperty("p50_ns") Long p50, @JsonProperty("p90_ns") Long p90,
                         @JsonProperty("p99_ns") Long p99, @JsonProperty("p999_ns") Long p999,
                         @JsonProperty("max_ns") Long max, @JsonProperty("round_trips") Long roundTrips,
                         @JsonProperty("msgs_per_s") Double msgsPerSec, @JsonProperty("bytes_per_s") Double bytesPerSec,
                         @JsonProperty("cpu_ns_per_msg") Double cpuPerMsg,
                         @JsonProperty("cpu_ns_per_round_trip") Double cpuPerRtt,
                         Long messages, @JsonProperty("round_trip_s") Double rttSeconds,
                         @JsonProperty("stream_s") Double streamSeconds,
                         @JsonProperty("java_c_p50") Double javaCP50, @JsonProperty("java_c_p99") Double javaCP99,
                         @JsonProperty("java_c_msgs") Double javaCMsgs, @JsonProperty("java_c_cpu") Double javaCCpu,
                         Integer rounds, @JsonProperty("p50_min_ns") Long p50Min, @JsonProperty("p50_max_ns") Long p50Max,
                         @JsonProperty("msgs_per_s_min") Double msgsMin, @JsonProperty("msgs_per_s_max") Double msgsMax,
                         @JsonProperty("p50_vs_agrona") Double p50VsAgrona, @JsonProperty("msgs_vs_agrona") Double msgsVsAgrona,
                         String error) {
    }

    /** The JSON form of one row. */
    public Result result(Row r) {
        if (!r.ok()) {
            return new Result(r.mechanism(), r.label(), r.lang(), r.size(), null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    r.error());
        }
        return new Result(r.mechanism(), r.label(), r.lang(), r.size(), r.p50(), r.p90(), r.p99(), r.p999(), r.max(),
                r.rtts(), box(r.msgsPerSec()), box(r.bytesPerSec()), box(r.cpuPerMsg()), box(r.cpuPerRtt()),
                r.messages(), box(r.rttSeconds()), box(r.streamSeconds()), box(ratioP50(r)), box(ratioP99(r)),
                box(ratioMsgs(r)), box(ratioCpu(r)), sp(r) == null ? 1 : sp(r).rounds(),
                sp(r) == null ? null : sp(r).p50Min(), sp(r) == null ? null : sp(r).p50Max(),
                sp(r) == null ? null : box(sp(r).msgsMin()), sp(r) == null ? null : box(sp(r).msgsMax()),
                box(peerP50(r)), box(peerMsgs(r)), null);
    }

    public Json json() {
        return new Json(command, started, seconds, new JsonMachine(machine.cpu(), machine.cores(), machine.kernel(),
                machine.os(), machine.jdk(), String.join(" ", Runner.JVM_FLAGS), machine.limits()),
                notes, rows.stream().map(this::result).toList());
    }

    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void writeJson(Path file) throws IOException {
        JSON.writeValue(file.toFile(), json());
    }

    // ---- formatting ----

    /** 1234 -> "1.2 µs" style, for progress lines. */
    public static String ns(double v) {
        if (v < 1000) {
            return fixed(v, 0) + " ns";
        }
        if (v < 1_000_000) {
            return fixed(v / 1000, 1) + " µs";
        }
        return fixed(v / 1_000_000, 1) + " ms";
    }

    public static String size(long b) {
        if (b >= 1024 && b % 1024 == 0) {
            return (b / 1024) + " KiB";
        }
        return b + " B";
    }

    /** ns as µs with three significant digits or more: 0.924, 12.3, 14729. */
    static String us(double ns) {
        return Double.isNaN(ns) ? "-" : sig(ns / 1000);
    }

    /** msg/s as millions: 0.736, 15.0. */
    static String mega(double v) {
        return Double.isNaN(v) ? "-" : sig(v / 1e6);
    }

    /** bytes/s as MB/s (10^6). */
    static String mbs(double v) {
        return sig(v / 1e6);
    }

    /** Three significant digits below 1000, the integer above. */
    static String sig(double v) {
        double a = Math.abs(v);
        int digits = a < 0.01 ? 4 : a < 1 ? 3 : a < 10 ? 2 : a < 100 ? 1 : 0;
        return fixed(v, digits);
    }

    static String fixed(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "-" : fixed(v, 2);
    }

    private static String num(long v) {
        return v < 0 ? "" : Long.toString(v);
    }

    private static String dbl(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static Double box(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
