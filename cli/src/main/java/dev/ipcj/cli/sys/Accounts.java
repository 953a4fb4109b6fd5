package dev.ipcj.cli.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Uids: this process's effective uid, and user names from /etc/passwd. */
public final class Accounts {
    private Accounts() {
    }

    /** The effective uid of this process (the one the kernel checks), from /proc/self/status. */
    public static int euid() {
        try {
            for (String line : ProcFiles.lines("/proc/self/status")) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        throw new IllegalStateException("cannot read the effective uid from /proc/self/status");
    }

    /** "alice" for a uid, or the number when /etc/passwd does not know it. */
    public static String userName(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].equals(Integer.toString(uid))) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return Integer.toString(uid);
    }
}
