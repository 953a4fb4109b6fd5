package dev.ipcj.internal;

/**
 * Where a fault of a guarded access becomes an exception, in interpreted code on JDK 17.
 *
 * <p>When a guarded access (see {@link Faults}) touches a vanished page, HotSpot skips the
 * instruction (a load returns garbage) and marks an InternalError pending; the error is thrown at
 * the thread's next transition from the VM back to Java code that checks for it, not at the
 * access. Measured on JDK 17 with {@code -Xint} (FaultPointTest keeps the measurement): after the
 * call sites are resolved, a probe load followed by a compare-and-set on the same vanished page
 * still dies of SIGBUS in the CAS, because nothing between them enters the VM; with this method
 * between them, the probe's InternalError is thrown here and the CAS never runs. On JDK 25 the
 * error is delivered at the access itself (a handshake), and this method does nothing.
 *
 * <p>The interpreter enters the VM for every array allocation; compiled code does not need that
 * (every access of a method that uses Unsafe is guarded, the CAS included) and C2 removes the
 * unused allocation, so the steady-state cost is nil. C1 code (warm-up, or
 * {@code -XX:TieredStopAtLevel=1}) on JDK 17 allocates 16 bytes per call.
 */
public final class FaultPoint {
    /**
     * JDK 25 was measured to throw at the access; older releases are treated as JDK 17 was
     * measured. With the fault guard installed ({@link FaultGuards}) no SIGBUS on ipcj's mappings
     * reaches the JVM, so nothing is ever pending: no delivery point is needed either.
     */
    private static final boolean LAZY = Runtime.version().feature() < 25 && !FaultGuards.enabled();

    private FaultPoint() {
    }

    /**
     * Throws here the InternalError of a fault that an earlier guarded access left pending (in
     * interpreted code on JDK 17..24): call it after the probe and before the CAS it protects, and
     * at the end of a call that must report a fault as its own.
     */
    public static void deliver() {
        if (LAZY) {
            byte[] enterTheVm = new byte[0]; // the interpreter allocates arrays in the VM
        }
    }
}
