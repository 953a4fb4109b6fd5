package dev.ipcj.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads live kernel limits from /proc: read at each call, never cached, so sysctl changes show. */
public final class SysFiles {
    private SysFiles() {
    }

    /** The first number in the file, or {@code fallback} when it cannot be read. */
    public static long readLong(String path, long fallback) {
        long[] v = readLongs(path);
        return v.length > 0 ? v[0] : fallback;
    }

    /** All whitespace-separated numbers in the file; empty when it cannot be read. */
    public static long[] readLongs(String path) {
        try {
            String s = Files.readString(Path.of(path)).trim();
            if (s.isEmpty()) {
                return new long[0];
            }
            String[] parts = s.split("\\s+");
            long[] out = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Long.parseLong(parts[i]);
            }
            return out;
        } catch (IOException | NumberFormatException e) {
            return new long[0];
        }
    }
}
