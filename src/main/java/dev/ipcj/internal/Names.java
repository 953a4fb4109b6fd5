package dev.ipcj.internal;

import dev.ipcj.InvalidArgumentException;

/** Validation of POSIX IPC names ("/name"), with messages that say what is wrong. */
public final class Names {
    /** NAME_MAX: the longest file name component on Linux. */
    public static final int NAME_MAX = 255;

    private Names() {
    }

    /**
     * Checks a POSIX IPC name: a leading '/', at least one more character, no other '/', no NUL,
     * and at most {@code maxLength} characters after the '/', counted in UTF-8 bytes.
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
