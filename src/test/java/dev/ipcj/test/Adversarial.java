package dev.ipcj.test;

import java.util.Random;

/**
 * Size and seed of the adversarial suites (fuzzing, hostile processes, kill -9 campaigns), so that
 * CI runs a small, reproducible form and a long form is one command away:
 * <pre>
 *   ./run-tests                                   scale 1, a fresh seed per run (printed)
 *   ./run-tests --long                            scale 20
 *   mvn test -Dipcj.adversarial.scale=50 -Dipcj.adversarial.seed=1234 -Dtest=RingHostileTest
 * </pre>
 * Each suite multiplies its trial count by {@link #scale()}, draws every random choice from
 * {@link #random(String)}, and names the seed in its failure messages ({@link #describe}), so a
 * failure is re-run exactly with {@code -Dipcj.adversarial.seed=}.
 */
public final class Adversarial {
    private static final long SEED = seed0();

    private Adversarial() {
    }

    /** The multiplier of every adversarial trial count: 1 in CI. */
    public static int scale() {
        String s = System.getProperty("ipcj.adversarial.scale", "");
        try {
            return s.isBlank() ? 1 : Math.max(1, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ipcj.adversarial.scale \"" + s + "\" is not a number", e);
        }
    }

    /** {@code base * scale()}. */
    public static int trials(int base) {
        return Math.multiplyExact(base, scale());
    }

    /** The run's seed: {@code -Dipcj.adversarial.seed}, or one drawn at start and printed. */
    public static long seed() {
        return SEED;
    }

    /** A generator for one suite, derived from the run's seed and the suite's name. */
    public static Random random(String suite) {
        return new Random(SEED * 31 + suite.hashCode());
    }

    /** "what (seed S, scale N)": for assertion messages. */
    public static String describe(String what) {
        return what + " (seed " + SEED + ", scale " + scale() + "; re-run with -Dipcj.adversarial.seed=" + SEED + ")";
    }

    private static long seed0() {
        String s = System.getProperty("ipcj.adversarial.seed", "");
        long seed = s.isBlank() ? new Random().nextLong() : Long.parseLong(s.trim());
        System.out.println("ipcj adversarial suites: seed " + seed + ", scale " + scale());
        return seed;
    }
}
