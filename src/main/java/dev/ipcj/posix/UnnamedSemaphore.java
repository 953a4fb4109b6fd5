package dev.ipcj.posix;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.jni.PosixSem;

/**
 * An unnamed process-shared POSIX semaphore ({@code sem_init(pshared=1)}) placed at an offset
 * of a shared mapping: every process that maps the same object and {@link #attach}es at the
 * same offset uses the same semaphore. It occupies {@link #SIZE} bytes, 8-byte aligned.
 *
 * <p>The semaphore lives as long as the shared memory does; closing this handle only stops
 * this process from using it. Keep the region open while the semaphore is in use.
 */
public final class UnnamedSemaphore extends PosixSemaphore {
    /** sizeof(sem_t) on this platform. */
    public static final int SIZE = PosixSem.semSize();

    private final MappedRegion region;

    private UnnamedSemaphore(MappedRegion region, long offset, long sem) {
        super(region.name() + "@" + offset, sem, () -> { });
        this.region = region;
    }

    /** Initialises a semaphore with {@code value} permits at {@code offset} of {@code region}. */
    public static UnnamedSemaphore init(MappedRegion region, long offset, int value) {
        long sem = place(region, offset);
        checkValue("sem_init", region.name() + "@" + offset, value);
        int r = PosixSem.semInit(sem, 1, value);
        if (r < 0) {
            throw IpcException.of("sem_init", region.name() + "@" + offset, r);
        }
        return new UnnamedSemaphore(region, offset, sem);
    }

    /** Uses the semaphore another process initialised at {@code offset} of {@code region}. */
    public static UnnamedSemaphore attach(MappedRegion region, long offset) {
        return new UnnamedSemaphore(region, offset, place(region, offset));
    }

    /** The region the semaphore lives in. */
    public MappedRegion region() {
        return region;
    }

    private static long place(MappedRegion region, long offset) {
        if (region.isReadOnly()) {
            throw new InvalidArgumentException("sem_init", region.name(), 0,
                    "a semaphore needs a read-write mapping");
        }
        if (offset % 8 != 0) {
            throw new InvalidArgumentException("sem_init", region.name(), 0,
                    "offset " + offset + " is not 8-byte aligned, as sem_t needs");
        }
        return region.address(offset, SIZE);
    }

    @Override
    public void acquire() throws InterruptedException {
        checkRegion();
        super.acquire();
    }

    @Override
    public boolean tryAcquire() {
        checkRegion();
        return super.tryAcquire();
    }

    @Override
    public boolean tryAcquire(java.time.Duration timeout) throws InterruptedException {
        checkRegion();
        return super.tryAcquire(timeout);
    }

    @Override
    public void release() {
        checkRegion();
        super.release();
    }

    @Override
    public int value() {
        checkRegion();
        return super.value();
    }

    private void checkRegion() {
        if (!region.isOpen()) {
            throw new dev.ipcj.ClosedException("sem", name, 0, "the region holding the semaphore was closed");
        }
    }
}
