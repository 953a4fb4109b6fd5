package dev.ipcj.posix;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.CorruptedException;
import dev.ipcj.NativeScenarios;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.util.List;
import java.util.Random;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NamedSemaphoreTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void createAcquireReleaseValue() throws Exception {
        String n = names.next("sem");
        try (NamedSemaphore s = NamedSemaphore.create(n, 2)) {
            assertTrue(Files.exists(Path.of("/dev/shm/sem." + n.substring(1))));
            assertEquals(2, s.value());
            s.acquire();
            assertTrue(s.tryAcquire());
            assertFalse(s.tryAcquire());
            assertFalse(s.tryAcquire(Duration.ofMillis(20)));
            s.release();
            assertTrue(s.tryAcquire(Duration.ofSeconds(1)));
            assertEquals(0, s.value());
            try (NamedSemaphore t = NamedSemaphore.open(n)) {
                t.release();
            }
            assertEquals(1, s.value());
        }
        NamedSemaphore.unlink(n);
        assertThrows(NotFoundException.class, () -> NamedSemaphore.open(n));
    }

    @Test
    void exclusiveCreateAndBadArguments() {
        String n = names.next("semx");
        try (NamedSemaphore s = NamedSemaphore.create(n, 0)) {
            AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> NamedSemaphore.create(n, 0));
            assertTrue(e.getMessage().startsWith("sem_open(\"" + n + "\"): EEXIST"), e.getMessage());
        }
        assertThrows(InvalidArgumentException.class, () -> NamedSemaphore.create(names.next("neg"), -1));
        assertThrows(InvalidArgumentException.class, () -> NamedSemaphore.create("noslash", 0));
        assertThrows(InvalidArgumentException.class, () -> NamedSemaphore.create("/" + "s".repeat(252), 0));
    }

    @Test
    void valueOverflowIsAnException() {
        String n = names.next("semmax");
        try (NamedSemaphore s = NamedSemaphore.create(n, PosixSemaphore.VALUE_MAX)) {
            LimitExceededException e = assertThrows(LimitExceededException.class, s::release);
            assertTrue(e.getMessage().contains("EOVERFLOW"), e.getMessage());
            assertTrue(e.getMessage().contains("SEM_VALUE_MAX 2147483647"), e.getMessage());
        }
    }

    @Test
    void closedHandleThrows() {
        String n = names.next("semclosed");
        NamedSemaphore s = NamedSemaphore.create(n, 1);
        s.close();
        s.close();
        assertThrows(ClosedException.class, s::release);
        assertThrows(ClosedException.class, s::acquire);
        assertThrows(ClosedException.class, s::value);
    }

    @Test
    void interruptWakesABlockedAcquireWithoutLosingAPermit() throws Exception {
        String n = names.next("semint");
        try (NamedSemaphore s = NamedSemaphore.create(n, 0)) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    s.acquire();
                    outcome.set(new AssertionError("acquired without a permit"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            t.start();
            started.await();
            Thread.sleep(100); // let it sleep in sem_wait
            t.interrupt();
            t.join(5000);
            assertFalse(t.isAlive(), "interrupt did not wake sem_wait");
            assertInstanceOf(InterruptedException.class, outcome.get());
            // No permit was consumed by the interrupted wait: one release gives exactly one.
            s.release();
            assertEquals(1, s.value());
            // The interrupted thread's Waiter works again for the next call.
            assertTrue(s.tryAcquire(Duration.ofSeconds(1)));
        }
    }

    @Test
    void interruptBeforeTheCallThrowsAtOnce() {
        String n = names.next("semint2");
        try (NamedSemaphore s = NamedSemaphore.create(n, 1)) {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> s.tryAcquire(Duration.ofSeconds(5)));
            assertFalse(Thread.currentThread().isInterrupted());
            assertEquals(1, s.value());
        }
    }

    @Test
    void repeatedInterruptsNeverLoseOrInventPermits() throws Exception {
        String n = names.next("semrace");
        int rounds = 200;
        try (NamedSemaphore s = NamedSemaphore.create(n, 0)) {
            int acquired = 0;
            for (int i = 0; i < rounds; i++) {
                AtomicReference<Boolean> got = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        s.acquire();
                        got.set(true);
                    } catch (InterruptedException e) {
                        got.set(false);
                    }
                });
                t.start();
                if (i % 2 == 0) {
                    s.release();
                }
                t.interrupt();
                t.join(5000);
                assertFalse(t.isAlive(), "round " + i + ": thread still blocked");
                if (got.get()) {
                    acquired++;
                }
            }
            // Every release either went to the thread or is still in the semaphore.
            assertEquals(rounds / 2, acquired + s.value());
        }
    }

    @Test
    void closeWhileAnotherThreadWaitsIsSafe() throws Exception {
        String n = names.next("semclosewait");
        NamedSemaphore s = NamedSemaphore.create(n, 0);
        Thread t = new Thread(() -> {
            try {
                s.acquire();
            } catch (InterruptedException ignored) {
                // expected
            }
        });
        t.start();
        Thread.sleep(50);
        s.close(); // must not free the sem_t under the waiter
        assertThrows(ClosedException.class, s::release);
        try (NamedSemaphore other = NamedSemaphore.open(n)) {
            other.release(); // wakes the waiter, which then releases the closed handle
        }
        t.join(5000);
        assertFalse(t.isAlive());
    }

    @Test
    void unnamedSemaphoreInSharedMemory() throws Exception {
        String n = names.next("unnamed");
        try (SharedMemory shm = SharedMemory.create(n, 4096); MappedRegion r = shm.map()) {
            UnnamedSemaphore a = UnnamedSemaphore.init(r, 64, 1);
            UnnamedSemaphore b = UnnamedSemaphore.attach(r, 64);
            assertTrue(b.tryAcquire());
            assertFalse(a.tryAcquire());
            a.release();
            assertEquals(1, b.value());
            assertThrows(InvalidArgumentException.class, () -> UnnamedSemaphore.init(r, 3, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> UnnamedSemaphore.init(r, 4096 - 8, 0));
            r.close();
            assertThrows(ClosedException.class, a::release);
        }
    }

    // ---- issue 10, finding 2: the bytes of a semaphore are another process's ----------------

    private static Path semFile(String name) {
        return Path.of("/dev/shm/sem." + name.substring(1));
    }

    /** Runs a scenario in a child JVM: it must neither crash nor hang, and each step must be typed. */
    private static List<String> child(String... args) throws Exception {
        ChildJvm.Result r = ChildJvm.run(NativeScenarios.class, 60, args);
        assertFalse(r.crashed(), r.describe());
        assertFalse(r.timedOut(), r.describe());
        assertTrue(r.output().contains("END"), r.describe());
        return r.lines("RESULT ");
    }

    @Test
    void anEmptySemaphoreFileIsCorruptedNotSigbus() throws Exception {
        String n = names.next("semempty");
        Files.write(semFile(n), new byte[0]);
        List<String> out = child("sem-open", n);
        assertEquals(List.of("open+use: CorruptedException: sem_open(\"" + n + "\"): " + semFile(n)
                + " has 0 bytes, fewer than the 32 of a sem_t: it is not a semaphore (or another process truncated it)"),
                out);
    }

    @Test
    void randomBytesInASemaphoreFileAreCorruptedNotAnAbort() throws Exception {
        Random random = new Random(10);
        for (int i = 0; i < 5; i++) {
            String n = names.next("semrandom");
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            Files.write(semFile(n), bytes);
            List<String> out = child("sem-open", n);
            assertEquals(1, out.size(), out.toString());
            assertTrue(out.get(0).startsWith("open+use: CorruptedException: sem_open(\"" + n + "\"): "), out.get(0));
        }
    }

    /** Mailbox.create("/sem.x") made /dev/shm/sem.x, which NamedSemaphore.open("/x") then trusted. */
    @Test
    void sharedMemoryCannotTakeASemaphoresFileName() throws Exception {
        String n = names.next("semclash");
        String clash = "/sem." + n.substring(1);
        names.onCleanup(() -> dev.ipcj.jni.PosixShm.shmUnlink(clash));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> SharedMemory.create(clash, 4096));
        assertEquals("shm_open(\"" + clash + "\"): name may not start with \"sem.\": /dev/shm" + clash
                + " is the file of the named semaphore \"/" + clash.substring(5) + "\"", e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> SharedMemory.open(clash));
        assertThrows(InvalidArgumentException.class, () -> SharedMemory.unlinkIfExists(clash));
        // A shared memory object made there anyway (by another program) is not taken for a semaphore.
        byte[] header = new byte[4096];
        new Random(3).nextBytes(header);
        Files.write(semFile(n), header);
        List<String> out = child("sem-open", n);
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("open+use: CorruptedException: sem_open(\"" + n + "\"): "), out.get(0));
    }

    @Test
    void unnamedAttachOverGarbageIsCorruptedNotAnAbort() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 5; i++) {
            String n = names.next("unnamedgarbage");
            byte[] bytes = new byte[4096];
            random.nextBytes(bytes);
            Files.write(Path.of("/dev/shm" + n), bytes);
            List<String> out = child("unnamed-attach", n);
            assertEquals(1, out.size(), out.toString());
            assertTrue(out.get(0).startsWith("attach+use: CorruptedException: sem_attach(\"" + n + "@0\"): "), out.get(0));
        }
    }
}
