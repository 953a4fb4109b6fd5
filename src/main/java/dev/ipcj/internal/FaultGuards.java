package dev.ipcj.internal;

import dev.ipcj.jni.FaultGuard;

/**
 * The Java side of the fault guard ({@code ipcj_fault.h}): ipcj's mappings are registered with a
 * SIGBUS handler that, when another process truncates an object under a live mapping, puts a
 * private zero page where the vanished page was and raises the mapping's flag, instead of letting
 * the fault kill the JVM (native code, an interpreted compare-and-set) or come back as the JVM's
 * asynchronous {@code InternalError} at some later point of the thread. ipcj's accessors check
 * the flag after each access ({@link dev.ipcj.MappedRegion#checkIntact}) and throw
 * CorruptedException there, in the call that touched the page.
 *
 * <p>On by default; {@code -Dipcj.faultGuard=false} leaves SIGBUS to the JVM alone (ipcj then
 * falls back to the rules of {@link Faults}). A mapping the table has no room for (65536 at once)
 * is not guarded and falls back the same way.
 */
public final class FaultGuards {
    private static final boolean ON = install();

    private FaultGuards() {
    }

    /** Whether the handler is installed in this process. */
    public static boolean enabled() {
        return ON;
    }

    /** Registers a mapping: its flag's address, or 0 when it stays unguarded. */
    public static long register(long address, long length, boolean writable) {
        if (!ON) {
            return 0;
        }
        long flag = FaultGuard.register(address, length, writable ? 1 : 0);
        return flag < 0 ? 0 : flag;
    }

    /** Returns the mapping's slot (no-op for 0); call before the range is unmapped or reused. */
    public static void unregister(long flag) {
        if (flag != 0) {
            FaultGuard.unregister(flag);
        }
    }

    /**
     * Whether the guard found a page of the mapping gone. The handler runs on the thread that
     * touched the page; a volatile load (a plain load on x86, of a word no other process writes)
     * lets other threads of the process see it too, and keeps the JIT from hoisting it out of a loop.
     */
    public static boolean faulted(long flag) {
        return MemoryAccess.getIntVolatile(flag) != 0;
    }

    private static boolean install() {
        if ("false".equals(System.getProperty("ipcj.faultGuard"))) {
            return false;
        }
        return FaultGuard.install() == 0;
    }

}
