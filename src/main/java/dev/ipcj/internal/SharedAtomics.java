package dev.ipcj.internal;

import java.lang.reflect.Field;

/**
 * Compare-and-set on a word of shared memory (a raw address inside a live mapping), following
 * rule 2 of {@link Faults}: a guarded volatile load of the same word comes first, then
 * {@link FaultPoint#deliver()} (on JDK 17 the load's fault is only thrown at the next entry into
 * the VM, which must come before the CAS), so that a page
 * another process took away faults in the load, which the JVM reports, and not in the CAS, which
 * it does not guard while the caller is interpreted (SIGBUS in Unsafe_CompareAndSetInt kills the
 * JVM; measured, see MappingFaultTest).
 *
 * <p>Why {@code sun.misc.Unsafe} and not a ByteBuffer VarHandle: what remains unguarded is the
 * code between the load and the CAS. Through a VarHandle that is a few hundred bytecodes while
 * interpreted (guards, ScopedMemoryAccess, bounds checks, each executed again for the CAS); here
 * it is a handful, so a truncation must land in well under a microsecond of interpreted code.
 * Callers check bounds and that the mapping is open first, and keep the object that keeps the
 * mapping mapped reachable ({@link java.lang.ref.Reference#reachabilityFence}) until the CAS is
 * done.
 */
public final class SharedAtomics {
    private static final sun.misc.Unsafe U;

    static {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SharedAtomics() {
    }

    /** Probe, deliver a pending fault ({@link FaultPoint}), then CAS the int at {@code address}. */
    public static boolean casInt(long address, int expected, int value) {
        U.getIntVolatile(null, address);
        FaultPoint.deliver();
        return U.compareAndSwapInt(null, address, expected, value);
    }

    /** Probe, deliver a pending fault ({@link FaultPoint}), then CAS the long at {@code address}. */
    public static boolean casLong(long address, long expected, long value) {
        U.getLongVolatile(null, address);
        FaultPoint.deliver();
        return U.compareAndSwapLong(null, address, expected, value);
    }

    /** A guarded volatile load of the int at {@code address}. */
    public static int loadInt(long address) {
        return U.getIntVolatile(null, address);
    }

    /** A guarded volatile load of the long at {@code address}. */
    public static long loadLong(long address) {
        return U.getLongVolatile(null, address);
    }
}
