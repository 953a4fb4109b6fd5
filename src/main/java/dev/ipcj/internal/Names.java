package dev.ipcj.internal;

import dev.ipcj.InvalidArgumentException;

/** Validation of POSIX IPC names ("/name"), with messages that say what is wrong. */
public final class Names {
    /** NAME_MAX: the longest file name component on Linux. */
    public static final int NAME_MAX = 255;
    /** What glibc puts before a named semaphore's name in /dev/shm. */
    public static final String SEM_PREFIX = "sem.";

    private Names() {
    }

    /**
     * Checks a POSIX IPC name: a leading '/', at least one more character, no other '/', no NUL,
     * not "." or "..", not beginning with "sem." (the prefix of named semaphores' files in
     * /dev/shm, which every shared-memory-backed name would collide with), and at most
     * {@code maxLength} characters after the '/', counted in UTF-8 bytes.
     */
    public static String check(String call, String name, int maxLength) {
        if (name == null) {
            throw new InvalidArgumentException(call, null, 0, "name is null");
        }
        String why = null;
        if (name.isEmpty() || name.charAt(0) != '/') {
            why = "name must start with '/', as in \"/orders\"";
        } else if (name.length() == 1) {
            why = "name has nothing after the leading '/'";
        } else if (name.indexOf('/', 1) >= 0) {
            why = "name may hold no '/' after the first (at index " + name.indexOf('/', 1) + ")";
        } else if (name.indexOf('\0') >= 0) {
            why = "name may hold no NUL character (at index " + name.indexOf('\0') + ")";
        } else if (name.equals("/.") || name.equals("/..")) {
            why = "name may not be \".\" or \"..\"";
        } else if (name.startsWith(SEM_PREFIX, 1)) {
            // glibc keeps the named semaphore "/x" in /dev/shm/sem.x: a shared memory object (or a
            // ring, a mailbox's file) called "/sem.x" would be that semaphore's file.
            why = "name may not start with \"sem.\": /dev/shm" + name + " is the file of the named semaphore \"/"
                    + name.substring(1 + SEM_PREFIX.length()) + "\"";
        } else {
            int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - 1;
            if (bytes > maxLength) {
                why = "name is " + bytes + " bytes long after the '/', the limit is " + maxLength;
            }
        }
        if (why != null) {
            throw new InvalidArgumentException(call, name, 0, why);
        }
        return name;
    }
}
