package dev.ipcj.cli.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * What both peers of a scenario do, passed to each as one argument so the Java and the C
 * peer run exactly the same loop: "SIZE:WARMUP:ROUNDTRIPS:MESSAGES[:NANOS],..." — per message
 * size, WARMUP unmeasured round trips, ROUNDTRIPS measured ones, then MESSAGES streamed one way
 * (twice: unmeasured, then measured).
 *
 * <p>With NANOS above 0 the step is timed ({@code --duration}): the measured round trips and the
 * measured stream each run for about NANOS (the warm-ups for a quarter of it), and the counts are
 * upper bounds. The client decides when a timed phase ends, after whole batches of
 * {@link #batch} messages, and tells the server through the file OUTDIR/{@value #CTL} (see
 * {@link Peer.Ctl} and bench_common.h).
 */
public record Plan(List<Step> steps) {
    /** The control file of timed plans, in the scenario's directory. */
    public static final String CTL = "ctl";

    /** One message size; {@code nanos} 0: counted, above 0: timed. */
    public record Step(int size, int warmup, int roundTrips, int messages, long nanos) {
        public Step(int size, int warmup, int roundTrips, int messages) {
            this(size, warmup, roundTrips, messages, 0);
        }

        public boolean timed() {
            return nanos > 0;
        }
    }

    /** Messages between two decisions of a timed phase whose count is at most {@code cap} (as bench_common.h). */
    static int batch(int cap) {
        return Math.max(1, Math.min(64, cap));
    }

    public boolean timed() {
        return steps.stream().anyMatch(Step::timed);
    }

    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s.size).append(':').append(s.warmup).append(':').append(s.roundTrips).append(':').append(s.messages);
            if (s.timed()) {
                sb.append(':').append(s.nanos);
            }
        }
        return sb.toString();
    }

    public static Plan decode(String s) {
        List<Step> steps = new ArrayList<>();
        for (String part : s.split(",")) {
            String[] f = part.split(":");
            if (f.length != 4 && f.length != 5) {
                throw new IllegalArgumentException("bad plan step '" + part + "': want SIZE:WARMUP:ROUNDTRIPS:MESSAGES[:NANOS]");
            }
            steps.add(new Step(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f.length == 5 ? Long.parseLong(f[4]) : 0));
        }
        return new Plan(steps);
    }

    /** The largest message of the plan (buffer size). */
    public int maxSize() {
        return steps.stream().mapToInt(Step::size).max().orElse(0);
    }
}
