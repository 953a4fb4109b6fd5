package dev.ipcj.cli.bench;

import java.io.PrintWriter;

/**
 * Progress of a bench run: a bar redrawn in place on a terminal, one plain line per phase
 * otherwise (pipes, CI logs), so logs stay readable.
 */
public final class Progress {
    private final PrintWriter out;
    private final boolean tty;
    private final int total;
    private final long start = System.nanoTime();
    private int done;

    public Progress(PrintWriter out, boolean tty, int total) {
        this.out = out;
        this.tty = tty;
        this.total = Math.max(1, total);
    }

    /** One phase finished. */
    public synchronized void step(String what) {
        done = Math.min(total, done + 1);
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        if (tty) {
            int width = 30;
            int fill = done * width / total;
            String bar = "#".repeat(fill) + "-".repeat(width - fill);
            String line = String.format("\r[%s] %3d%% %3ds  %s", bar, done * 100 / total, s, what);
            out.print(line.length() > 110 ? line.substring(0, 110) : line);
            out.print("\u001b[K"); // clear what a longer previous line left
        } else {
            out.printf("[%3d/%d %3ds] %s%n", done, total, s, what);
        }
        out.flush();
    }

    /** A note (failure, skip) that must not be overwritten by the bar. */
    public synchronized void note(String text) {
        if (tty) {
            out.print("\r\u001b[K");
        }
        out.println(text);
        out.flush();
    }

    public synchronized void finish() {
        if (tty) {
            out.println();
        }
        out.flush();
    }
}
