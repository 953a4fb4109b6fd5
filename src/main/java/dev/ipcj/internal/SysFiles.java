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
            // Not Files.readString/readAllBytes: they trust the file's size, and some /proc/sys
            // files report a size of 1 on recent kernels, so only the first digit was read.
            String s;
            try (java.io.InputStream in = Files.newInputStream(Path.of(path))) {
                s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
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
