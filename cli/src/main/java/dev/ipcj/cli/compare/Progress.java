package dev.ipcj.cli.compare;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a bench run: on a terminal, a bar redrawn in place (me.tongfei:progressbar, with
 * the phase just finished as its message); otherwise (pipes, CI logs, tests) one plain line per
 * phase, so logs stay readable.
 */
public final class Progress {
    private final PrintWriter out;
    private final int total;
    private final long start = System.nanoTime();
    private final ProgressBar bar;
    private int done;

    public Progress(PrintWriter out, boolean tty, int total) {
        this.out = out;
        this.total = Math.max(1, total);
        this.bar = tty ? new ProgressBarBuilder().setTaskName("bench").setInitialMax(this.total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(Report.WIDTH)
                .setConsumer(new Line(out)).build() : null;
    }

    /** One phase finished. */
    public synchronized void step(String what) {
        done = Math.min(total, done + 1);
        if (bar != null) {
            bar.setExtraMessage(what);
            bar.stepTo(done);
        } else {
            out.printf("[%3d/%d %3ds] %s%n", done, total, (System.nanoTime() - start) / 1_000_000_000L, what);
            out.flush();
        }
    }

    /** A note (failure, skip) that must not be overwritten by the bar. */
    public synchronized void note(String text) {
        if (bar != null) {
            synchronized (out) {
                out.print("\r\u001b[K");
                out.println(text);
                out.flush();
            }
            bar.refresh();
        } else {
            out.println(text);
            out.flush();
        }
    }

    public synchronized void finish() {
        if (bar != null) {
            bar.close();
        }
        out.flush();
    }

    /** Draws the bar on this command's output, in place: carriage return, the bar, erase to the end of the line. */
    private record Line(PrintWriter out) implements ProgressBarConsumer {
        @Override
        public int getMaxRenderedLength() {
            return Report.WIDTH;
        }

        @Override
        public void accept(String rendered) {
            synchronized (out) {
                out.print("\r" + rendered + "\u001b[K");
                out.flush();
            }
        }

        @Override
        public void clear() {
            synchronized (out) {
                out.print("\r\u001b[K");
                out.flush();
            }
        }

        @Override
        public void close() {
            synchronized (out) {
                out.println();
                out.flush();
            }
        }
    }
}
