package dev.ipcj.internal;

import dev.ipcj.CorruptedException;

/**
 * What to do when the memory under a shared mapping disappears: another process truncated the
 * object (ftruncate) while it was mapped here.
 *
 * <p>Touching a page past the end of a truncated object raises SIGBUS. HotSpot turns that
 * signal into {@link InternalError} ("a fault occurred in ... unsafe memory access") for the
 * accesses it guards, and lets it kill the process for the others. Measured on JDK 17 and 25
 * ({@code MappingFaultTest} keeps the measurement): guarded are Unsafe and ByteBuffer/VarHandle
 * plain, volatile, acquire and release loads and stores and bulk copies, in interpreted and in
 * compiled code, and every access in compiled code; <em>not</em> guarded are compare-and-set
 * (and, on JDK 17, get-and-add) while the calling method is still interpreted, and any native
 * code (glibc, the shims) that dereferences the mapping.
 *
 * <p>ipcj's first defence is the fault guard ({@link FaultGuards}, {@code ipcj_fault.h}): every
 * mapping ipcj makes is registered with a SIGBUS handler that turns a vanished page into a
 * private zero page and a flag the accessors check, so none of the cases above reaches the JVM
 * and the call that touched the page throws CorruptedException itself. The rules below are the
 * second defence, for when the guard is off or has no slot left; they hold everywhere:
 * <ol>
 * <li>native code never dereferences memory another process can truncate; only the kernel does
 *     (a system call on such memory fails with EFAULT), or Java does;
 * <li>every compare-and-set or get-and-add on shared memory is preceded by a guarded volatile
 *     load of the same word and then {@link FaultPoint#deliver()} ({@link SharedAtomics} does
 *     both), so a vanished page faults in the guarded load and its error is thrown before the
 *     CAS runs; what remains is a truncation landing in the few instructions between the
 *     delivery point and the CAS, in interpreted code only (JDK 17-24);
 * <li>an {@code InternalError} from a mapping fault is caught where ipcj's call can name the
 *     object and turned into {@link CorruptedException} by {@link #truncated}.
 * </ol>
 * In compiled code the JVM raises the error at the next safepoint poll after the faulting access,
 * not at the access itself; when ipcj's method was inlined into a caller's loop that poll may lie
 * outside ipcj's catch, and the caller sees the {@code InternalError} itself. The process lives
 * on, and the handle's next call reports the truncation.
 *
 * <p>Measured since (issue 10): the report is asynchronous in the interpreter too. After a fault
 * a second report can still be pending and is delivered at the thread's next call from the VM
 * into Java: class loading, lambda linkage, or the {@code String.getBytes} that JavaCPP calls to
 * pass a String to a shim. There the conversion fails and JavaCPP hands the shim NULL, so every
 * shim that takes a string refuses NULL with EFAULT ({@code ipcj_common.h}) instead of letting
 * libc dereference it; the Java call then ends in the pending InternalError.
 */
public final class Faults {
    private Faults() {
    }

    /** Whether {@code t} is the JVM's report of a fault on mapped memory (see the class comment). */
    public static boolean isMappingFault(Throwable t) {
        if (!(t instanceof InternalError)) {
            return false;
        }
        String m = t.getMessage();
        return m != null && m.contains("unsafe memory access");
    }

    /**
     * The exception to throw for a mapping fault during {@code call} on {@code object}; rethrows
     * {@code e} when it is some other InternalError.
     *
     * @param size the object's size as the caller now finds it (fstat), or -1 if unknown
     */
    public static CorruptedException truncated(String call, String object, InternalError e, long size) {
        if (!isMappingFault(e)) {
            throw e;
        }
        CorruptedException c = new CorruptedException(call, object, 0, "the memory under the mapping is gone:"
                + " another process truncated the object" + (size >= 0 ? " (now " + size + " bytes)" : ""));
        c.initCause(e);
        return c;
    }
}
