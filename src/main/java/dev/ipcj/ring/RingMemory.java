package dev.ipcj.ring;

import dev.ipcj.internal.MemoryAccess;

/**
 * Raw loads, stores, CASes and copies at absolute addresses inside one ring's mapping, through
 * {@link MemoryAccess} (sun.misc.Unsafe on JDK 17 to 21, java.lang.foreign on JDK 22+, from the
 * multi-release jar). The ring's data path uses these instead of ByteBuffer VarHandles and bulk copies,
 * which re-check the buffer's bounds, alignment, read-only flag and memory session on every
 * access: measurable when a whole message costs tens of nanoseconds.
 *
 * <h2>Why no access can leave the mapping</h2>
 * Every address is {@code base + o}, where {@code base} is the mapping's start (obtained from
 * {@link dev.ipcj.MappedRegion#address}, which checked the whole ring lies inside it) and
 * {@code o} is one of:
 * <ul>
 * <li>a header constant of {@link RingLayout} (below {@code HEADER_SIZE});
 * <li>{@code DATA_OFFSET + (position & mask)}, with {@code mask = capacity - 1} taken from this
 *     process's own validated copy of the capacity, never re-read from shared memory: always
 *     within the data area, and 8-aligned because positions are checked to be multiples of 8
 *     (or are this process's own sums of record sizes, which are multiples of 8);
 * <li>a payload range {@code [DATA_OFFSET + index + 8, ... + length)} whose record size was
 *     checked to fit in {@code capacity - index} (the bytes before the end of the data area):
 *     by the producer when it claimed (it chose the index so the record fits), by the consumer
 *     in {@code checkData} before it touches the payload (a length field scribbled by another
 *     process is rejected there with CorruptedException).
 * </ul>
 *
 * <h2>Why the address stays mapped</h2>
 * {@link dev.ipcj.MappedRegion} never unmaps a range while a Java object can reach it: close()
 * swaps the shared pages for private zero pages (readable and writable) in one mmap(MAP_FIXED),
 * and the real munmap runs from a Cleaner once the region's buffer is unreachable. The ring
 * holds the region (and a duplicate of its buffer), and every producer and consumer holds the
 * ring, so while a data-path method runs, the address is mapped: to the shared object, or after
 * a racing close() to zeros (which the position checks turn into ClosedException). The methods
 * that use raw addresses end with {@code Reference.reachabilityFence(ring)} so that the JIT
 * cannot consider the ring unreachable half-way through a call, as the JDK's own
 * ByteBuffer methods do.
 *
 * <h2>When the pages vanish</h2>
 * If another process truncates the object, these accesses fault. The JVM turns the fault of a
 * load, store or copy into an InternalError (not at once: see {@link dev.ipcj.internal.FaultPoint})
 * and skips the access (a load returns garbage, which the ring's checks then see as any other
 * garbage); it does not guard a CAS in interpreted code, so each CAS comes after a probe of its
 * word and a FaultPoint. The public methods translate the InternalError into CorruptedException.
 *
 * <h2>Memory ordering</h2>
 * {@code getLongVolatile}/{@code putLongVolatile}/CAS are the Java volatile (sequentially
 * consistent) accesses; {@code putLongRelease} is a release store. HotSpot brackets every
 * Unsafe access with a non-plain mode by compiler barriers (MemBarCPUOrder), so a release
 * store followed by a volatile load is never reordered by the compiler: what the asymmetric
 * wake-up protocol needs (see {@link SharedRing}). The JDK 22+ MemoryAccess reaches the same
 * intrinsics: a memory segment's VarHandle {@code setRelease}/{@code getVolatile} runs
 * jdk.internal.misc.Unsafe's {@code putLongRelease}/{@code getLongVolatile} (through
 * ScopedMemoryAccess), which are what sun.misc.Unsafe's {@code putOrderedLong} and
 * {@code getLongVolatile} call too.
 */
final class RingMemory {
    private RingMemory() {
    }

    /**
     * Copies {@code length} bytes from {@code src[offset..]} to the absolute {@code address}
     * (small payloads inline, a long at a time: see {@link MemoryAccess#copyFromArray}).
     * The caller checked {@code [offset, offset + length)} lies in {@code src}.
     */
    static void copyIn(byte[] src, int offset, long address, int length) {
        MemoryAccess.copyFromArray(src, offset, address, length);
    }
}
