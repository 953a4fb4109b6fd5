package dev.ipcj.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report's chart, as plain SVG (no chart library): three panels of horizontal bars, each
 * mechanism with its Java bar beside its C bar — round-trip p50 and streaming msg/s at a small
 * message size, and streaming MB/s at the largest size each mechanism allows.
 */
public final class SvgChart {
    private static final String JAVA = "#e76f00";
    private static final String C = "#5382a1";
    private static final int WIDTH = 960;
    private static final int LABEL = 250;
    private static final int BAR = 13;

    private SvgChart() {
    }

    public static void write(Report report, Path file) throws IOException {
        Files.writeString(file, render(report));
    }

    static String render(Report report) {
        List<Row> ok = report.rows().stream().filter(Row::ok).toList();
        int small = ok.stream().filter(r -> r.size() > 0).mapToInt(Row::size)
                .filter(s -> s >= 64).min().orElse(ok.stream().mapToInt(Row::size).filter(s -> s > 0).min().orElse(0));
        StringBuilder body = new StringBuilder();
        int y = 70;
        y = panel(body, y, "Round-trip latency, p50 (µs, shorter is better), " + Report.size(small) + " messages",
                pick(ok, small, false), r -> r.p50() / 1000.0, v -> Report.fixed(v, v < 10 ? 2 : 1));
        y = panel(body, y, "Streaming, messages/s (longer is better), " + Report.size(small) + " messages",
                pick(ok, small, false), Row::msgsPerSec, Report::count);
        y = panel(body, y, "Streaming, MB/s (longer is better), largest size each mechanism allows",
                pick(ok, Integer.MAX_VALUE, true), r -> r.bytesPerSec() / 1e6, v -> Report.fixed(v, 0));
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(y + 60)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(y + 60)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(20, 28, "ipcj bench: Java beside its C floor, each pair two processes", "font-size=\"18\" font-weight=\"bold\""));
        svg.append(rect(20, 42, 12, 12, JAVA)).append(text(38, 53, "Java (ipcj / JDK / Agrona)", ""));
        svg.append(rect(230, 42, 12, 12, C)).append(text(248, 53, "C (same loop, built by the project)", ""));
        svg.append(body);
        svg.append(text(20, y + 20, report.machine().summary(), "fill=\"#444\""));
        svg.append(text(20, y + 38, "run " + report.started() + ", " + Report.fixed(report.seconds(), 0) + " s: " + report.command(), "fill=\"#444\""));
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** mechanism label -> [java row, c row] at {@code size} (byte-less mechanisms: their only row). */
    private static Map<String, Row[]> pick(List<Row> ok, int size, boolean largest) {
        Map<String, Row[]> m = new LinkedHashMap<>();
        for (Row r : ok) {
            boolean bytes = !Double.isNaN(r.bytesPerSec());
            if (largest && !bytes) {
                continue;
            }
            Row[] pair = m.computeIfAbsent(r.label(), k -> new Row[2]);
            int i = r.lang().equals("Java") ? 0 : 1;
            if (pair[i] == null || (largest ? r.size() > pair[i].size() : distance(r, size) < distance(pair[i], size))) {
                pair[i] = r;
            }
        }
        return m;
    }

    /** How far a row's size is from the wanted one (log scale); byte-less rows fit every size. */
    private static double distance(Row r, int size) {
        return r.size() == 0 ? 0 : Math.abs(Math.log(r.size()) - Math.log(size));
    }

    private static int panel(StringBuilder sb, int y, String title, Map<String, Row[]> data,
                             ToDoubleFunction<Row> value, java.util.function.DoubleFunction<String> fmt) {
        sb.append(text(20, y + 14, title, "font-size=\"14\" font-weight=\"bold\""));
        y += 26;
        double max = 0;
        for (Row[] p : data.values()) {
            for (Row r : p) {
                if (r != null) {
                    max = Math.max(max, value.applyAsDouble(r));
                }
            }
        }
        int plot = WIDTH - LABEL - 110;
        List<String> labels = new ArrayList<>(data.keySet());
        for (String label : labels) {
            Row[] p = data.get(label);
            Row any = p[0] != null ? p[0] : p[1];
            String shown = label + (any.size() > 0 ? " @ " + Report.size(any.size()) : "");
            sb.append(text(20, y + BAR + 4, shown, ""));
            for (int i = 0; i < 2; i++) {
                int by = y + i * (BAR + 2);
                Row r = p[i];
                if (r == null) {
                    sb.append(text(LABEL, by + BAR - 2, i == 0 ? "Java: not run" : "C: no twin", "fill=\"#888\" font-size=\"10\""));
                    continue;
                }
                double v = value.applyAsDouble(r);
                int w = max > 0 ? (int) Math.max(1, Math.round(v / max * plot)) : 1;
                sb.append(rect(LABEL, by, w, BAR, i == 0 ? JAVA : C));
                sb.append(text(LABEL + w + 5, by + BAR - 2, fmt.apply(v), "font-size=\"11\""));
            }
            y += 2 * BAR + 12;
        }
        sb.append("<line x1=\"").append(LABEL).append("\" y1=\"").append(y - 2 * BAR * labels.size() - 12 * labels.size() - 4)
                .append("\" x2=\"").append(LABEL).append("\" y2=\"").append(y - 8).append("\" stroke=\"#333\"/>\n");
        return y + 16;
    }

    private static String rect(int x, int y, int w, int h, String fill) {
        return "<rect x=\"" + x + "\" y=\"" + y + "\" width=\"" + w + "\" height=\"" + h + "\" fill=\"" + fill + "\"/>\n";
    }

    private static String text(int x, int y, String s, String attrs) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" " + attrs + ">" + esc(s) + "</text>\n";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
