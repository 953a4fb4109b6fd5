package dev.ipcj.launch;

/**
 * The one ready handshake of ipcj's programs: a child that has set up what its parent waits for
 * prints one line, {@code ready} or {@code ready DETAIL} (an endpoint, an id), on its standard
 * output, and then goes on. The C peers and twins print the same line with {@code printf}.
 *
 * <p>Why a line on stdout and not a file or a signal: every child already has the pipe, a C
 * program needs nothing but {@code printf} and {@code fflush}, and a child that dies before
 * it is ready closes the pipe, so the parent learns of it at once instead of at a timeout.
 */
public final class Ready {
    /** The word that starts the ready line. */
    public static final String WORD = "ready";

    private Ready() {
    }

    /** Prints {@code ready} and flushes: the parent's {@link Child#awaitReady} returns "". */
    public static void signal() {
        System.out.println(WORD);
        System.out.flush();
    }

    /** Prints {@code ready DETAIL} and flushes: the parent's {@link Child#awaitReady} returns DETAIL. */
    public static void signal(String detail) {
        if (detail == null || detail.isEmpty() || detail.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("ready detail must be one non-empty line: " + detail);
        }
        System.out.println(WORD + " " + detail);
        System.out.flush();
    }

    /** DETAIL of a ready line ("" for a bare {@code ready}), or null when {@code line} is not one. */
    public static String detail(String line) {
        if (line == null) {
            return null;
        }
        if (line.equals(WORD)) {
            return "";
        }
        return line.startsWith(WORD + " ") ? line.substring(WORD.length() + 1).trim() : null;
    }
}
