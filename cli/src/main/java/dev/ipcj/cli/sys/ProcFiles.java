package dev.ipcj.cli.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads /proc files correctly. {@code Files.readString} does not: /proc files report size 0,
 * so the JDK reads one byte, then reads on at offset 1, where a sysctl file (e.g.
 * /proc/sys/fs/mqueue/msgsize_max) answers end-of-file: "8192" comes back as "8". Reading from
 * offset 0 with a large buffer gets the whole value in the first read.
 *
 * <p>Not the library's {@code dev.ipcj.internal.SysFiles}: that one reads numbers only, and as
 * signed longs, so shmmax and shmall (near 2^64 by default) would read as unknown; the CLI also
 * needs whole files and lines (/proc/self/mounts, maps, status, /proc/sysvipc/*).
 */
public final class ProcFiles {
    private ProcFiles() {
    }

    public static String read(Path p) throws IOException {
        try (FileInputStream in = new FileInputStream(p.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static String read(String p) throws IOException {
        return read(Path.of(p));
    }

    public static List<String> lines(Path p) throws IOException {
        return read(p).lines().toList();
    }

    public static List<String> lines(String p) throws IOException {
        return lines(Path.of(p));
    }
}
