package dev.ipcj.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads live kernel limits from /proc: read at each call, never cached, so sysctl changes show.
 *
 * <p>Through a stream, not {@code Files.readString}: /proc/sys files report a size (0 or 1) that
 * the size-guided read trusts, so on this kernel only the first digit came back ("8" for 8192).
 */
public final class SysFiles {
    private SysFiles() {
    }

    /** The file's text, or {@code null} when it cannot be read. */
    public static String readString(String path) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    /** The first number in the file, or {@code fallback} when it cannot be read. */
    public static long readLong(String path, long fallback) {
        long[] v = readLongs(path);
        return v.length > 0 ? v[0] : fallback;
    }

    /**
     * All whitespace-separated numbers in the file; empty when it cannot be read. Numbers are
     * unsigned: one too large for a long (shmmax and shmall default to nearly 2^64) reads as
     * {@link Long#MAX_VALUE}.
     */
    public static long[] readLongs(String path) {
        String s = readString(path);
        if (s == null || s.isBlank()) {
            return new long[0];
        }
        String[] parts = s.trim().split("\\s+");
        long[] out = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                long v = Long.parseUnsignedLong(parts[i]);
                out[i] = v < 0 ? Long.MAX_VALUE : v;
            }
        } catch (NumberFormatException e) {
            return new long[0];
        }
        return out;
    }
}
