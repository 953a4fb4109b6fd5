package dev.ipcj.test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;

/**
 * Seeded generators for the property-based (fuzz) suites: each draws ordinary values most of the
 * time and, often enough to matter, the values misuse is made of: null, zero, negative, the
 * extremes of the type, names that are malformed or collide with ipcj's own suffixes, buffers that
 * are read-only or positioned. One {@code Gen} per suite, from {@link Adversarial#random}, so a run
 * is repeated exactly with its seed.
 */
public final class Gen {
    private final Random r;

    public Gen(Random r) {
        this.r = r;
    }

    /** A generator for {@code suite} seeded from the run's seed. */
    public static Gen of(String suite) {
        return new Gen(Adversarial.random(suite));
    }

    public Random random() {
        return r;
    }

    public boolean chance(double p) {
        return r.nextDouble() < p;
    }

    @SafeVarargs
    public final <T> T oneOf(T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** Ordinary ints in [lo, hi] mostly; sometimes 0, -1, 1, MIN_VALUE, MAX_VALUE, lo-1, hi+1. */
    public int anyInt(int lo, int hi) {
        if (chance(0.3)) {
            long[] edges = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, (long) lo - 1, (long) hi + 1, lo, hi};
            long e = edges[r.nextInt(edges.length)];
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, e));
        }
        return lo + (int) (Math.floorMod(r.nextLong(), (long) hi - lo + 1));
    }

    /** As {@link #anyInt} for longs. */
    public long anyLong(long lo, long hi) {
        if (chance(0.3)) {
            long[] edges = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, lo, hi, lo == Long.MIN_VALUE ? lo : lo - 1,
                    hi == Long.MAX_VALUE ? hi : hi + 1};
            return edges[r.nextInt(edges.length)];
        }
        long span = hi - lo + 1;
        return span <= 0 ? r.nextLong() : lo + Math.floorMod(r.nextLong(), span);
    }

    /** A timeout: null, negative, zero, tiny, a few ms, or huge (up to Duration's maximum). */
    public Duration anyDuration() {
        switch (r.nextInt(9)) {
            case 0: return null;
            case 1: return Duration.ofNanos(-1 - r.nextInt(1000));
            case 2: return Duration.ZERO;
            case 3: return Duration.ofNanos(1 + r.nextInt(1000));
            case 4: return Duration.ofSeconds(Long.MAX_VALUE);
            case 5: return Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
            case 6: return Duration.ofSeconds(Long.MIN_VALUE);
            case 7: return Duration.ofDays(365L * 1000);
            default: return Duration.ofMillis(r.nextInt(5));
        }
    }

    /**
     * An IPC name: null, empty, missing '/', an inner '/', NUL, "." and "..", too long, a glob,
     * one ending in a suffix ipcj uses for its own objects, a "sem." prefix, or {@code valid}.
     */
    public String anyName(String valid) {
        switch (r.nextInt(14)) {
            case 0: return null;
            case 1: return "";
            case 2: return "/";
            case 3: return valid.substring(1);
            case 4: return valid + "/x";
            case 5: return valid + "\0x";
            case 6: return oneOf("/.", "/..");
            case 7: return "/" + "n".repeat(250 + r.nextInt(20));
            case 8: return valid + oneOf("*", "?", "[a]", "-*");
            case 9: return valid + oneOf(".turn", ".ack", ".ring", ".log", ".log.0", ".sysv-space", ".ring-space");
            case 10: return "/sem." + valid.substring(1);
            case 11: return valid + "\u00e9\u4e2d";
            default: return valid;
        }
    }

    /**
     * As {@link #anyName(String)}, but every variant that could be a valid name keeps
     * {@code valid} as its prefix, so that whatever a suite creates under it is the suite's own
     * (and another suite running at the same time never meets it): the too-long variant is
     * {@code valid} padded past 255 bytes, and the variants that must be refused (null, no '/',
     * an inner '/', NUL, "." and "..", a "sem." prefix) are as in anyName.
     */
    public String anyNameUnder(String valid) {
        switch (r.nextInt(14)) {
            case 0: return null;
            case 1: return "";
            case 2: return "/";
            case 3: return valid.substring(1);
            case 4: return valid + "/x";
            case 5: return valid + "\0x";
            case 6: return oneOf("/.", "/..");
            case 7: return valid + "n".repeat(Math.max(0, 250 - valid.length() + r.nextInt(12)));
            case 8: return valid + oneOf("*", "?", "[a]", "-*");
            case 9: return valid + oneOf(".turn", ".ack", ".ring", ".log", ".log.0", ".sysv-space", ".ring-space");
            case 10: return "/sem." + valid.substring(1);
            case 11: return valid + "\u00e9\u4e2d";
            default: return valid;
        }
    }

    /** A permission mode: mostly 0600 or 0644, sometimes 0, 0777, bits outside 0777, or negative. */
    public int anyMode() {
        return chance(0.7) ? oneOf(0600, 0644, 0660) : oneOf(0, 0777, 01777, 04600, -1, Integer.MIN_VALUE, 0100000);
    }

    /** An offset into something of {@code size} bytes: inside mostly, else at, just past or far past its ends. */
    public long anyOffset(long size) {
        if (chance(0.6)) {
            return Math.floorMod(r.nextLong(), Math.max(1, size));
        }
        return oneOf(-1L, 0L, size - 1, size, size + 1, size - 7, Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE,
                1L << 32);
    }

    /** null, empty, or random bytes of up to {@code max} bytes (sometimes exactly max or max + 1). */
    public byte[] anyBytes(int max) {
        if (chance(0.1)) {
            return null;
        }
        int n = chance(0.2) ? oneOf(0, max, max + 1) : r.nextInt(Math.max(1, max));
        byte[] b = new byte[Math.max(0, n)];
        r.nextBytes(b);
        return b;
    }

    /** null, heap, direct, read-only or positioned/limited slices, holding up to {@code max} bytes. */
    public ByteBuffer anyBuffer(int max) {
        if (chance(0.1)) {
            return null;
        }
        byte[] bytes = anyBytes(max);
        int n = bytes == null ? 0 : bytes.length;
        ByteBuffer b = chance(0.5) ? ByteBuffer.allocateDirect(n + 16) : ByteBuffer.allocate(n + 16);
        b.position(chance(0.5) ? 0 : r.nextInt(16));
        b.put(bytes == null ? new byte[0] : bytes);
        b.flip();
        if (chance(0.2)) {
            b.position(b.limit()); // nothing remaining
        }
        return chance(0.15) ? b.asReadOnlyBuffer() : b;
    }

    /** One constant of {@code type}, or null. */
    public <E extends Enum<E>> E anyEnum(Class<E> type) {
        E[] all = type.getEnumConstants();
        return chance(0.15) ? null : all[r.nextInt(all.length)];
    }
}
