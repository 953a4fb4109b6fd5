package dev.ipcj.internal;

/**
 * Compare-and-set on a word of shared memory (a raw address inside a live mapping), following
 * rule 2 of {@link Faults}: a guarded volatile load of the same word comes first, then
 * {@link FaultPoint#deliver()} (on JDK 17 the load's fault is only thrown at the next entry into
 * the VM, which must come before the CAS), so that a page
 * another process took away faults in the load, which the JVM reports, and not in the CAS, which
 * it does not guard while the caller is interpreted (SIGBUS in Unsafe_CompareAndSetInt kills the
 * JVM; measured, see MappingFaultTest).
 *
 * <p>Why raw {@link MemoryAccess} and not a ByteBuffer VarHandle: what remains unguarded is the
 * code between the load and the CAS. Through a ByteBuffer VarHandle that is a few hundred
 * bytecodes while interpreted (guards, ScopedMemoryAccess, bounds checks, each executed again for
 * the CAS); through MemoryAccess it is a handful on JDK 17 (Unsafe) and the segment VarHandle's
 * chain on JDK 22+ (one segment, no buffer checks), which MappingFaultTest's
 * {@code shared-atomics-cas} case runs interpreted and compiled on both JDKs.
 * Callers check bounds and that the mapping is open first, and keep the object that keeps the
 * mapping mapped reachable ({@link java.lang.ref.Reference#reachabilityFence}) until the CAS is
 * done.
 */
public final class SharedAtomics {
    private SharedAtomics() {
    }

    /** Probe, deliver a pending fault ({@link FaultPoint}), then CAS the int at {@code address}. */
    public static boolean casInt(long address, int expected, int value) {
        MemoryAccess.getIntVolatile(address);
        FaultPoint.deliver();
        return MemoryAccess.compareAndSetInt(address, expected, value);
    }

    /** Probe, deliver a pending fault ({@link FaultPoint}), then CAS the long at {@code address}. */
    public static boolean casLong(long address, long expected, long value) {
        MemoryAccess.getLongVolatile(address);
        FaultPoint.deliver();
        return MemoryAccess.compareAndSetLong(address, expected, value);
    }

    /** A guarded volatile load of the int at {@code address}. */
    public static int loadInt(long address) {
        return MemoryAccess.getIntVolatile(address);
    }

    /** A guarded volatile load of the long at {@code address}. */
    public static long loadLong(long address) {
        return MemoryAccess.getLongVolatile(address);
    }
}
