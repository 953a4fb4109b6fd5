package dev.ipcj.it;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.SharedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Uses ipcj from nothing but the ipcj-platform dependency: the first call loads
 * libjniIpcj.so out of the linux-x86_64 jar (a missing or broken native jar fails here with
 * UnsatisfiedLinkError), then shared memory and a named semaphore are created, used and removed.
 */
class ConsumerTest {
    private static final String PREFIX = "/ipcj-test-consumer-" + ProcessHandle.current().pid();

    @Test
    void sharedMemoryAndNamedSemaphoreFromThePlatformJar() throws Exception {
        String shmName = PREFIX + "-shm";
        String semName = PREFIX + "-sem";
        try {
            try (SharedMemory shm = SharedMemory.create(shmName, 4096);
                 MappedRegion r = shm.map();
                 NamedSemaphore sem = NamedSemaphore.create(semName, 0)) {
                r.putLong(0, 0x1ec0ffeeL);
                r.putBytes(8, new byte[] {'i', 'p', 'c', 'j'});
                sem.release();

                try (SharedMemory again = SharedMemory.open(shmName);
                     MappedRegion view = again.mapReadOnly();
                     NamedSemaphore other = NamedSemaphore.open(semName)) {
                    assertTrue(other.tryAcquire(Duration.ofSeconds(5)));
                    assertEquals(0x1ec0ffeeL, view.getLong(0));
                    byte[] b = new byte[4];
                    view.getBytes(8, b);
                    assertEquals("ipcj", new String(b, java.nio.charset.StandardCharsets.US_ASCII));
                    assertEquals(4096, again.size());
                }
                assertEquals(0, sem.value());
            }
            SharedMemory.unlink(shmName);
            NamedSemaphore.unlink(semName);
            assertFalse(Files.exists(Path.of("/dev/shm" + shmName)));
            assertThrows(NotFoundException.class, () -> NamedSemaphore.open(semName));
        } finally {
            SharedMemory.unlinkIfExists(shmName);
            NamedSemaphore.unlinkIfExists(semName);
        }
    }
}
