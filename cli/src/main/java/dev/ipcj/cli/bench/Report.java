package dev.ipcj.cli.bench;

import dev.ipcj.cli.sys.Machine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The results of a bench run, and the ways they are written: terminal table, CSV, JSON, SVG. */
public record Report(Machine machine, String command, String started, double seconds, List<Row> rows, List<String> notes) {

    /** The C row beside a Java row (same mechanism and size). */
    public Optional<Row> twin(Row java) {
        return rows.stream().filter(r -> r.lang().equals("C") && r.mechanism().equals(java.mechanism())
                && r.size() == java.size() && r.ok()).findFirst();
    }

    /** Java p50 / C p50 (above 1: Java is slower), NaN without a C twin. */
    public double ratioP50(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> (double) r.p50() / c.p50()).orElse(Double.NaN) : Double.NaN;
    }

    /** Java msg/s / C msg/s (below 1: Java is slower). */
    public double ratioMsgs(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> r.msgsPerSec() / c.msgsPerSec()).orElse(Double.NaN) : Double.NaN;
    }

    /** Java CPU/msg / C CPU/msg. */
    public double ratioCpu(Row r) {
        return r.lang().equals("Java") && r.ok() ? twin(r).map(c -> r.cpuPerMsg() / c.cpuPerMsg()).orElse(Double.NaN) : Double.NaN;
    }

    public void printTable(PrintWriter out) {
        String fmt = "%-26s %-4s %7s %8s %8s %8s %8s %9s %9s %9s %9s %8s %8s%n";
        out.printf(fmt, "MECHANISM", "LANG", "SIZE", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns", "max ns",
                "msg/s", "MB/s", "CPU ns/msg", "J/C p50", "J/C msg/s");
        String last = null;
        for (Row r : rows) {
            if (last != null && !last.equals(r.mechanism())) {
                out.println();
            }
            last = r.mechanism();
            String size = r.size() == 0 ? "-" : size(r.size());
            if (!r.ok()) {
                out.printf("%-26s %-4s %7s FAILED: %s%n", r.label(), r.lang(), size, r.error());
                continue;
            }
            out.printf(fmt, r.label(), r.lang(), size, r.p50(), r.p90(), r.p99(), r.p999(), r.max(),
                    count(r.msgsPerSec()), Double.isNaN(r.bytesPerSec()) ? "-" : fixed(r.bytesPerSec() / 1e6, 1),
                    fixed(r.cpuPerMsg(), 0), ratio(ratioP50(r)), ratio(ratioMsgs(r)));
        }
        out.println();
        out.println("Latency: round trip (send + echo), HdrHistogram. Streaming: one way, messages/s until the receiver "
                + "acknowledged the last. CPU: user+sys of both processes per streamed message. "
                + "J/C: the Java figure divided by its C twin's (p50 above 1 and msg/s below 1 mean Java is slower).");
        for (String n : notes) {
            out.println("note: " + n);
        }
    }

    public void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("mechanism,label,lang,size_bytes,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,round_trips,msgs_per_s,bytes_per_s,"
                + "cpu_ns_per_msg,cpu_ns_per_round_trip,java_c_p50,java_c_msgs,java_c_cpu,error");
        for (Row r : rows) {
            lines.add(String.join(",", r.mechanism(), csv(r.label()), r.lang(), Integer.toString(r.size()),
                    num(r.p50()), num(r.p90()), num(r.p99()), num(r.p999()), num(r.max()), Long.toString(r.rtts()),
                    dbl(r.msgsPerSec()), dbl(r.bytesPerSec()), dbl(r.cpuPerMsg()), dbl(r.cpuPerRtt()),
                    dbl(ratioP50(r)), dbl(ratioMsgs(r)), dbl(ratioCpu(r)), r.error() == null ? "" : csv(r.error())));
        }
        Files.write(file, lines);
    }

    public void writeJson(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"command\": ").append(str(command)).append(",\n");
        sb.append("  \"started\": ").append(str(started)).append(",\n");
        sb.append("  \"seconds\": ").append(dbl(seconds)).append(",\n");
        sb.append("  \"machine\": {\n");
        sb.append("    \"cpu\": ").append(str(machine.cpu())).append(",\n");
        sb.append("    \"cores\": ").append(machine.cores()).append(",\n");
        sb.append("    \"kernel\": ").append(str(machine.kernel())).append(",\n");
        sb.append("    \"os\": ").append(str(machine.os())).append(",\n");
        sb.append("    \"jdk\": ").append(str(machine.jdk())).append(",\n");
        sb.append("    \"jvm_flags\": ").append(str(String.join(" ", Runner.JVM_FLAGS))).append(",\n");
        sb.append("    \"limits\": {");
        int i = 0;
        for (Map.Entry<String, String> e : machine.limits().entrySet()) {
            sb.append(i++ == 0 ? "\n" : ",\n").append("      ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        }
        sb.append("\n    }\n  },\n  \"notes\": [");
        for (int j = 0; j < notes.size(); j++) {
            sb.append(j == 0 ? "\n    " : ",\n    ").append(str(notes.get(j)));
        }
        sb.append(notes.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"results\": [");
        for (int j = 0; j < rows.size(); j++) {
            Row r = rows.get(j);
            sb.append(j == 0 ? "\n" : ",\n").append("    {\"mechanism\": ").append(str(r.mechanism()))
                    .append(", \"label\": ").append(str(r.label()))
                    .append(", \"lang\": ").append(str(r.lang()))
                    .append(", \"size_bytes\": ").append(r.size());
            if (r.ok()) {
                sb.append(", \"p50_ns\": ").append(r.p50()).append(", \"p90_ns\": ").append(r.p90())
                        .append(", \"p99_ns\": ").append(r.p99()).append(", \"p999_ns\": ").append(r.p999())
                        .append(", \"max_ns\": ").append(r.max()).append(", \"round_trips\": ").append(r.rtts())
                        .append(", \"msgs_per_s\": ").append(jdbl(r.msgsPerSec()))
                        .append(", \"bytes_per_s\": ").append(jdbl(r.bytesPerSec()))
                        .append(", \"cpu_ns_per_msg\": ").append(jdbl(r.cpuPerMsg()))
                        .append(", \"cpu_ns_per_round_trip\": ").append(jdbl(r.cpuPerRtt()))
                        .append(", \"java_c_p50\": ").append(jdbl(ratioP50(r)))
                        .append(", \"java_c_msgs\": ").append(jdbl(ratioMsgs(r)))
                        .append(", \"java_c_cpu\": ").append(jdbl(ratioCpu(r)));
            } else {
                sb.append(", \"error\": ").append(str(r.error()));
            }
            sb.append('}');
        }
        sb.append(rows.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        Files.writeString(file, sb);
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

    /** 1234567 -> "1.23M". */
    public static String count(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v < 10_000) {
            return fixed(v, 0);
        }
        if (v < 10_000_000) {
            return fixed(v / 1000, 1) + "k";
        }
        return fixed(v / 1_000_000, 2) + "M";
    }

    public static String size(long b) {
        if (b >= 1024 && b % 1024 == 0) {
            return (b / 1024) + " KiB";
        }
        return b + " B";
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

    private static String jdbl(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
