package dev.ipcj.posix;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.MappedRegion;
import dev.ipcj.internal.Check;

/**
 * An unnamed process-shared POSIX semaphore ({@code sem_init(pshared=1)}) placed at an offset
 * of a shared mapping: every process that maps the same object and {@link #attach}es at the
 * same offset uses the same semaphore. It occupies {@link #SIZE} bytes, 8-byte aligned, laid out
 * as glibc's {@code sem_t} (see {@link PosixSemaphore}), so C programs using {@code sem_init},
 * {@code sem_post} and {@code sem_wait} on the same bytes interoperate.
 *
 * <p>{@link #attach} checks the bytes a process-shared semaphore can hold and throws
 * {@link dev.ipcj.CorruptedException} otherwise; every later operation checks them again.
 *
 * <p>The semaphore lives as long as the shared memory does; closing this handle only stops
 * this process from using it. Keep the region open while the semaphore is in use: closing it
 * makes this handle's calls throw {@link dev.ipcj.ClosedException}.
 */
public final class UnnamedSemaphore extends PosixSemaphore {
    /** sizeof(sem_t) on this platform. */
    public static final int SIZE = SEM_SIZE;

    private UnnamedSemaphore(MappedRegion region, long offset) {
        super(region.name() + "@" + offset, region, offset, () -> { });
    }

    /**
     * Initialises a semaphore with {@code value} permits at {@code offset} of {@code region}, as
     * {@code sem_init(sem, 1, value)} does.
     *
     * @param region the shared memory that holds the semaphore
     * @param offset where in the region it goes; the address must be 8-byte aligned
     * @param value  the permits it starts with
     * @return the semaphore
     * @throws IndexOutOfBoundsException if {@code [offset, offset + SIZE)} is not inside the region
     */
    public static UnnamedSemaphore init(MappedRegion region, long offset, int value) {
        place("sem_init", region, offset);
        checkValue("sem_init", region.name() + "@" + offset, value);
        initialise(region, offset, value);
        return new UnnamedSemaphore(region, offset);
    }

    /**
     * Uses the semaphore another process initialised at {@code offset} of {@code region}.
     *
     * @param region the shared memory that holds the semaphore
     * @param offset where in the region it is
     * @return the semaphore
     * @throws dev.ipcj.CorruptedException if the bytes there are not a process-shared semaphore's
     * @throws IndexOutOfBoundsException if {@code [offset, offset + SIZE)} is not inside the region
     */
    public static UnnamedSemaphore attach(MappedRegion region, long offset) {
        place("sem_attach", region, offset);
        validate("sem_attach", region.name() + "@" + offset, region, offset);
        return new UnnamedSemaphore(region, offset);
    }

    /**
     * The region the semaphore lives in.
     *
     * @return the region
     */
    public MappedRegion region() {
        return region;
    }

    private static void place(String call, MappedRegion region, long offset) {
        Check.notNull(call, null, region, "region");
        if (region.isReadOnly()) {
            throw new InvalidArgumentException(call, region.name(), 0, "a semaphore needs a read-write mapping");
        }
        if (offset % 8 != 0) {
            throw new InvalidArgumentException(call, region.name(), 0,
                    "offset " + offset + " is not 8-byte aligned, as sem_t needs");
        }
        region.address(offset, SIZE); // bounds and open: IndexOutOfBoundsException, ClosedException
    }
}
