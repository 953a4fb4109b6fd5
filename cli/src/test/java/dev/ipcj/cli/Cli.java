package dev.ipcj.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the ipcj command in this JVM and keeps what it printed. */
record Cli(int status, String out, String err) {
    static Cli run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int s = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Cli(s, o.toString(), e.toString());
    }

    /** Parses and checks {@code args} as running would, but runs nothing ({@link Main#check}). */
    static Cli check(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int s = Main.check(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Cli(s, o.toString(), e.toString());
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
}
