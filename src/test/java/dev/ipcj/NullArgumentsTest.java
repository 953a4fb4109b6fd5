package dev.ipcj;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.jni.SysvMsg;
import dev.ipcj.posix.MessageQueue;
import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.posix.UnnamedSemaphore;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SemaphoreSet;
import dev.ipcj.sysv.SysvMessage;
import dev.ipcj.sysv.SysvMessageQueue;
import dev.ipcj.sysv.SysvSharedMemory;
import dev.ipcj.test.IpcNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 10, findings 4 and 13: a null reference argument is InvalidArgumentException naming the
 * parameter, thrown by the public method before any work (these were NullPointerExceptions from
 * inside helpers); huge Durations saturate. NativeFuzzTest sweeps every public method the same
 * way; these are the cases as a reader meets them.
 */
class NullArgumentsTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static void refused(String param, Executable call) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, call);
        assertTrue(e.getMessage().endsWith(param + " is null"), e.getMessage());
    }

    @Test
    void nullArgumentsNameTheParameter() throws Exception {
        try (SharedMemory shm = SharedMemory.create(names.next("nulls"), 4096);
             MappedRegion r = shm.map();
             NamedSemaphore s = NamedSemaphore.create(names.next("nullsem"), 1);
             MessageQueue q = MessageQueue.create(names.next("nullmq"), 4, 64);
             WaitSet ws = new WaitSet()) {
            refused("name", () -> SharedMemory.unlinkIfExists(null));
            refused("name", () -> NamedSemaphore.unlinkIfExists(null));
            refused("name", () -> MessageQueue.unlinkIfExists(null));
            refused("region", () -> UnnamedSemaphore.init(null, 0, 1));
            refused("region", () -> UnnamedSemaphore.attach(null, 0));
            refused("timeout", () -> s.tryAcquire(null));
            refused("timeout", () -> ws.await(null));
            refused("dst", () -> r.getBytes(0, null));
            refused("src", () -> r.putBytes(0, null));
            refused("payload", () -> q.send((byte[]) null, 0));
            refused("payload", () -> q.trySend((byte[]) null, 0));
            refused("timeout", () -> q.tryReceive((Duration) null));
            SysvMessageQueue mq = SysvMessageQueue.create(IpcKey.PRIVATE);
            names.onCleanup(() -> SysvMsg.msgctlRmid(mq.id()));
            refused("message", () -> mq.send((SysvMessage) null));
            refused("payload", () -> mq.send(1, null));
            refused("into", () -> mq.receive(null));
            refused("data", () -> SysvMessage.allocate(8).set(1, (byte[]) null));
            refused("key", () -> SemaphoreSet.create(null, 1));
            refused("initial", () -> SemaphoreSet.create(IpcKey.PRIVATE, null, 0600));
            refused("key", () -> SysvSharedMemory.create(null, 4096));
            refused("key", () -> SysvMessageQueue.open(null));
            refused("path", () -> IpcKey.ftok(null, 1));
        }
    }

    @Test
    void hugeDurationsSaturate() throws Exception {
        try (NamedSemaphore s = NamedSemaphore.create(names.next("hugesem"), 2);
             MessageQueue q = MessageQueue.create(names.next("hugemq"), 4, 64);
             WaitSet ws = new WaitSet()) {
            assertTrue(s.tryAcquire(Duration.ofSeconds(Long.MAX_VALUE)));
            assertTrue(s.tryAcquire(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
            assertFalse(s.tryAcquire(Duration.ofSeconds(Long.MIN_VALUE)), "negative: do not wait");
            assertTrue(q.trySend(new byte[1], 0, Duration.ofSeconds(Long.MAX_VALUE)));
            ws.add(q, WaitSet.READABLE);
            assertEquals(1, ws.await(Duration.ofSeconds(Long.MAX_VALUE)));
            assertNotNull(q.tryReceive(Duration.ofSeconds(Long.MAX_VALUE)));
        }
    }
}
