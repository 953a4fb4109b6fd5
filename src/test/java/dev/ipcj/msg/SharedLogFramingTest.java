package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.CorruptedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.log.SharedLog;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared log's API for framing layers, used from outside dev.ipcj.log as the SHM_LOG
 * transport uses it (no bridge): owner tags, records from and into two buffers, the pending
 * count after close, and the layer's own call names in errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedLogFramingTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final Path SHM = Path.of("/dev/shm");

    private String logName(String what) {
        String n = names.next(what);
        names.onCleanup(() -> SharedLog.unlinkIfExists(n, SHM, 0));
        return n;
    }

    @Test
    void anOwnersLogIsRefusedToAnotherOwnerAndKeptFromItsRemove() throws Exception {
        String n = logName("owned");
        try (SharedLog log = SharedLog.create(n, SHM, 4, 64, 42)) {
            assertTrue(log.logId() != 0);
            CorruptedException e = assertThrows(CorruptedException.class, () -> SharedLog.open(n, SHM, 43));
            assertTrue(e.getMessage().contains(n), e.getMessage());
            assertThrows(CorruptedException.class, () -> SharedLog.unlinkIfExists(n, SHM, 43),
                    "another owner's remove leaves the log");
            try (SharedLog again = SharedLog.open(n, SHM, 42)) {
                assertEquals(log.logId(), again.logId());
            }
            SharedLog.open(n, SHM, 0).close(); // 0 accepts any owner
            assertTrue(SharedLog.unlinkIfExists(n, SHM, 42));
        }
    }

    @Test
    void aRecordGoesInFromTwoBuffersAndComesOutIntoTwo() throws Exception {
        String n = logName("framed");
        try (SharedLog log = SharedLog.create(n, SHM, 4, 16, 0)) {
            ByteBuffer head = ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer body = ByteBuffer.wrap("payload".getBytes(StandardCharsets.US_ASCII));
            assertTrue(log.putFramed(head, body, 0, "send"));
            assertEquals(0, head.position(), "positions stay");
            assertEquals(0, body.position(), "positions stay");
            assertEquals(1, log.pending());
            ByteBuffer h = ByteBuffer.allocate(4);
            ByteBuffer b = ByteBuffer.allocate(16);
            assertEquals(11, log.takeFramed(h, b, 0, "receive"));
            log.checkTaken("receive");
            assertEquals("head", new String(h.array(), StandardCharsets.US_ASCII));
            assertEquals(7, b.position());
            assertEquals("payload", new String(b.array(), 0, 7, StandardCharsets.US_ASCII));
            assertEquals(-1, log.takeFramed(h, b.clear(), 0, "receive"), "nothing waits");
            assertTrue(log.putFramed(null, ByteBuffer.allocate(3), 0, "send"));
            log.close();
            assertEquals(1, log.pending(), "the pending count is read also after close");
        }
    }

    @Test
    void badFramesAreRefusedInTheLayersOwnWords() {
        String n = logName("refused");
        try (SharedLog log = SharedLog.create(n, SHM, 4, 16, 0)) {
            InvalidArgumentException tooLong = assertThrows(InvalidArgumentException.class,
                    () -> log.putFramed(ByteBuffer.allocate(10), ByteBuffer.allocate(7), 0, "send"));
            assertTrue(tooLong.getMessage().contains("send") && tooLong.getMessage().contains("17"),
                    tooLong.getMessage());
            assertThrows(InvalidArgumentException.class, () -> log.putFramed(null, null, 0, "send"));
            assertThrows(InvalidArgumentException.class, () -> log.takeFramed(null, null, 0, "receive"));
            assertThrows(InvalidArgumentException.class,
                    () -> log.takeFramed(null, ByteBuffer.allocate(4).asReadOnlyBuffer(), 0, "receive"));
            assertEquals(0, log.pending(), "nothing refused was appended");
        }
        assertThrows(InvalidArgumentException.class, () -> SharedLog.create(n, null, 4, 16, 0));
        assertThrows(InvalidArgumentException.class, () -> SharedLog.open(n, null, 0));
    }
}
