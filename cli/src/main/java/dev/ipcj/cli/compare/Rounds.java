package dev.ipcj.cli.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Rounds of one bench run combined: {@code ipcj bench --rounds N} runs every scenario once per
 * round, the rounds one after the other (so load from elsewhere on the machine falls on every
 * mechanism alike), and each figure of the report is the median of its rounds, with the spread
 * (least and most) of the round-trip p50 and the streaming rate kept beside it.
 */
public final class Rounds {
    private Rounds() {
    }

    /**
     * How far one figure moved between rounds.
     *
     * @param rounds  rounds that measured it (failed rounds do not count)
     * @param p50Min  the least round-trip p50 of the rounds, ns
     * @param p50Max  the most, ns
     * @param msgsMin the least streaming rate, messages/s
     * @param msgsMax the most
     */
    public record Spread(int rounds, long p50Min, long p50Max, double msgsMin, double msgsMax) {
        /** (most - least) / median of the p50s, as a fraction. */
        public double p50Relative(long median) {
            return median > 0 ? (double) (p50Max - p50Min) / median : Double.NaN;
        }

        /** (most - least) / median of the rates. */
        public double msgsRelative(double median) {
            return median > 0 ? (msgsMax - msgsMin) / median : Double.NaN;
        }
    }

    /** The key of a row across rounds: mechanism, language, size. */
    public static String key(Row r) {
        return r.mechanism() + "|" + r.lang() + "|" + r.size();
    }

    /**
     * One row per mechanism, language and size, in the order of the first round: the medians of
     * the rounds that succeeded (a row fails only when every round failed).
     *
     * @param rounds each round's rows
     * @param spreads receives each combined row's spread, by {@link #key(Row)}
     * @return the combined rows
     */
    public static List<Row> combine(List<List<Row>> rounds, Map<String, Spread> spreads) {
        Map<String, List<Row>> byKey = new LinkedHashMap<>();
        for (List<Row> round : rounds) {
            for (Row r : round) {
                byKey.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
            }
        }
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : byKey.entrySet()) {
            List<Row> ok = e.getValue().stream().filter(Row::ok).toList();
            if (ok.isEmpty()) {
                out.add(e.getValue().get(0));
                continue;
            }
            Row f = ok.get(0);
            Row m = new Row(f.mechanism(), f.label(), f.lang(), f.size(), lmed(ok, Row::p50), lmed(ok, Row::p90),
                    lmed(ok, Row::p99), lmed(ok, Row::p999), lmed(ok, Row::max), lmed(ok, Row::rtts),
                    dmed(ok, Row::msgsPerSec), dmed(ok, Row::bytesPerSec), dmed(ok, Row::cpuPerMsg),
                    dmed(ok, Row::cpuPerRtt), lmed(ok, Row::messages), dmed(ok, Row::rttSeconds),
                    dmed(ok, Row::streamSeconds), null);
            out.add(m);
            spreads.put(e.getKey(), new Spread(ok.size(),
                    ok.stream().mapToLong(Row::p50).min().orElse(-1), ok.stream().mapToLong(Row::p50).max().orElse(-1),
                    ok.stream().mapToDouble(Row::msgsPerSec).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN),
                    ok.stream().mapToDouble(Row::msgsPerSec).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN)));
        }
        return out;
    }

    /** The median (the lower middle of an even count). */
    static long lmed(List<Row> rows, ToLongFunction<Row> f) {
        long[] v = rows.stream().mapToLong(f).sorted().toArray();
        return v[(v.length - 1) / 2];
    }

    /** The median of the values that are numbers, NaN when none is. */
    static double dmed(List<Row> rows, ToDoubleFunction<Row> f) {
        double[] v = rows.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v[(v.length - 1) / 2];
    }
}
