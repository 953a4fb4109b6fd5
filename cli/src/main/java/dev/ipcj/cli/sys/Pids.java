package dev.ipcj.cli.sys;

/** Whether a process lives, as {@code ls} and {@code rm --dead} ask it. */
public final class Pids {
    private Pids() {
    }

    /** True when process {@code pid} exists now (a zombie counts as dead: it runs nothing). */
    public static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** "alive" or "dead". */
    public static String state(long pid) {
        return alive(pid) ? "alive" : "dead";
    }
}
