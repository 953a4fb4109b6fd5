package dev.ipcj.cli.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What both peers of a scenario do, passed to each as one argument so the Java and the C
 * peer run exactly the same loop: "SIZE:WARMUP:ROUNDTRIPS:MESSAGES,..." — per message size,
 * WARMUP unmeasured round trips, ROUNDTRIPS measured ones, then MESSAGES streamed one way.
 */
public record Plan(List<Step> steps) {
    /** One message size. */
    public record Step(int size, int warmup, int roundTrips, int messages) {
    }

    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s.size).append(':').append(s.warmup).append(':').append(s.roundTrips).append(':').append(s.messages);
        }
        return sb.toString();
    }

    public static Plan decode(String s) {
        List<Step> steps = new ArrayList<>();
        for (String part : s.split(",")) {
            String[] f = part.split(":");
            if (f.length != 4) {
                throw new IllegalArgumentException("bad plan step '" + part + "': want SIZE:WARMUP:ROUNDTRIPS:MESSAGES");
            }
            steps.add(new Step(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
        return new Plan(steps);
    }

    /** The largest message of the plan (buffer size). */
    public int maxSize() {
        return steps.stream().mapToInt(Step::size).max().orElse(0);
    }
}
