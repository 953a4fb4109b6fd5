package dev.ipcj.cli.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * One IPC mechanism of {@code ipcj bench}. A mechanism is one class: it names itself, says its
 * live size limit, prepares what both peers share (and how to remove it), and makes the Java
 * peer's {@link Link}. Its C twin is the program {@link #cProgram()} built from
 * cli/src/main/c/NAME.c, which takes the same arguments (see bench_common.h).
 *
 * <p>To add a mechanism: write the class, add it to {@link Mechanisms#ALL}, and (for a C floor)
 * write cli/src/main/c/bench_X.c on top of bench_common.h.
 */
public interface Mechanism {
    /** Name on the command line and in reports: "pipe", "posix-sem". */
    String id();

    /** What the table says: "pipe (FIFO)". */
    String label();

    /** The C twin's program name in target/cmake, or null when there is none (Java-only peers). */
    String cProgram();

    /** False for mechanisms that carry no bytes (semaphores): run once, at size 0. */
    default boolean carriesBytes() {
        return true;
    }

    /** The largest message this machine allows now (read live), or {@link SizeCap#NONE}. */
    default SizeCap sizeCap() {
        return SizeCap.NONE;
    }

    /**
     * The most messages one streaming phase may send without the receiver keeping up, or
     * {@link Integer#MAX_VALUE}: a System V semaphore holds at most SEMVMX (32767) posts.
     */
    default int maxStreamMessages() {
        return Integer.MAX_VALUE;
    }

    /**
     * How many times the default message count and stream bytes this mechanism streams: a
     * shared-memory ring moves tens of millions of messages a second, so the default budget
     * would time only a few milliseconds of it.
     */
    default int streamScale() {
        return 1;
    }

    /** A remark for the report's notes (how the mechanism is set up), or null. */
    default String note() {
        return null;
    }

    /** JVM flags the Java peers of this mechanism need beyond {@link Runner#JVM_FLAGS} (the report shows them). */
    default List<String> javaFlags() {
        return List.of();
    }

    /**
     * Creates what both peers need (FIFOs, names, files) for one scenario and returns the
     * arguments both get. Everything made must be undone by {@link Setup#cleanup()}, which the
     * runner calls whatever happens (also on Ctrl-C).
     */
    Setup prepare(ScenarioContext ctx) throws Exception;

    /** The Java server peer (child JVM). */
    Link server(List<String> args, int maxSize) throws Exception;

    /** The Java client peer (child JVM); {@code endpoint} is what the server printed. */
    Link client(List<String> args, String endpoint, int maxSize) throws Exception;

    /** Arguments for both peers, and the undo of what {@link #prepare} made. */
    record Setup(List<String> args, Runnable cleanup) {
    }

    /** Per-scenario resources: a private temporary directory and ipcj-marked object names. */
    interface ScenarioContext {
        Path dir();

        /** "/ipcj-bench-PID-SEQ-what": a POSIX name ls recognises as ipcj's, with this process as creator. */
        String ipcName(String what);
    }
}
