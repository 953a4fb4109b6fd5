package dev.ipcj.posix;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.CorruptedException;
import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.PermissionDeniedException;
import dev.ipcj.test.IpcNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SharedMemoryTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void createMapWriteReopenRead() {
        String n = names.next("rw");
        try (SharedMemory shm = SharedMemory.create(n, 8192); MappedRegion r = shm.map()) {
            assertEquals(8192, shm.size());
            assertEquals(0600, shm.mode());
            r.putLong(0, 0x1122334455667788L);
            r.putBytes(100, new byte[] {1, 2, 3});
            try (SharedMemory again = SharedMemory.open(n); MappedRegion r2 = again.mapReadOnly()) {
                assertEquals(0x1122334455667788L, r2.getLong(0));
                byte[] b = new byte[3];
                r2.getBytes(100, b);
                assertArrayEquals(new byte[] {1, 2, 3}, b);
            }
        }
        assertTrue(Files.exists(Path.of("/dev/shm" + n)));
        SharedMemory.unlink(n);
        assertFalse(Files.exists(Path.of("/dev/shm" + n)));
    }

    @Test
    void createIsExclusiveAndOpenNeedsExisting() {
        String n = names.next("excl");
        try (SharedMemory shm = SharedMemory.create(n, 4096)) {
            AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> SharedMemory.create(n, 4096));
            assertEquals("shm_open(\"" + n + "\"): EEXIST: File exists", e.getMessage());
            assertEquals("EEXIST", e.errnoName());
        }
        SharedMemory.unlink(n);
        NotFoundException e = assertThrows(NotFoundException.class, () -> SharedMemory.open(n));
        assertTrue(e.getMessage().startsWith("shm_open(\"" + n + "\"): ENOENT"), e.getMessage());
    }

    @Test
    void openOrCreateCreatesThenOpens() {
        String n = names.next("ooc");
        try (SharedMemory a = SharedMemory.openOrCreate(n, 4096, 0640);
             SharedMemory b = SharedMemory.openOrCreate(n, 100, 0600)) {
            assertEquals(4096, b.size());
            assertEquals(0640, a.mode());
        }
    }

    @Test
    void resizeBeforeMapping() {
        String n = names.next("resize");
        try (SharedMemory shm = SharedMemory.create(n, 4096)) {
            shm.resize(3 * 4096);
            assertEquals(3 * 4096, shm.size());
            try (MappedRegion r = shm.map()) {
                assertEquals(3 * 4096, r.size());
                r.putInt(3 * 4096 - 4, 7);
            }
        }
    }

    @Test
    void badNamesSayWhatIsWrong() {
        assertMessage("must start with '/'", () -> SharedMemory.create("orders", 10));
        assertMessage("nothing after the leading '/'", () -> SharedMemory.create("/", 10));
        assertMessage("no '/' after the first", () -> SharedMemory.create("/a/b", 10));
        assertMessage("limit is 255", () -> SharedMemory.create("/" + "x".repeat(300), 10));
        assertMessage("NUL", () -> SharedMemory.open("/a\0b"));
        assertMessage("name is null", () -> SharedMemory.open(null));
    }

    @Test
    void zeroNegativeAndOversizedSizesAreRefused() {
        String n = names.next("size");
        assertMessage("size 0 must be positive", () -> SharedMemory.create(n, 0));
        assertMessage("size -5 must be positive", () -> SharedMemory.create(n, -5));
        assertMessage("mode 01777 has bits outside 0777", () -> SharedMemory.create(n, 10, 01777));
        try (SharedMemory shm = SharedMemory.create(n, 4096)) {
            assertMessage("exceeds the object's size 4096", () -> shm.map(0, 8192, false));
            assertMessage("not a non-negative multiple of the page size", () -> shm.map(10, 100, false));
        }
    }

    @Test
    void foreignEmptyOrTruncatedFileIsRefusedNotABusError() throws Exception {
        // A file someone else left in /dev/shm: size 0, then 100 bytes. Touching a page past
        // the end of a mapping would be SIGBUS, so map() must refuse before mmap.
        String n = names.next("foreign");
        Path file = Path.of("/dev/shm" + n);
        Files.createFile(file);
        try (SharedMemory shm = SharedMemory.open(n)) {
            assertMessage("the object is empty (size 0)", shm::map);
            Files.write(file, new byte[100]);
            assertEquals(100, shm.size());
            assertMessage("offset 0 + length 4096 exceeds the object's size 100", () -> shm.map(0, 4096, false));
            try (MappedRegion r = shm.map()) {
                assertEquals(100, r.size());
                assertThrows(IndexOutOfBoundsException.class, () -> r.getByte(100));
            }
        }
    }

    @Test
    void accessAfterCloseThrowsAndNeverFaults() {
        String n = names.next("closed");
        try (SharedMemory shm = SharedMemory.create(n, 4096)) {
            MappedRegion r = shm.map();
            java.nio.ByteBuffer raw = r.buffer();
            r.putInt(0, 99);
            assertEquals(99, raw.getInt(0));
            r.close();
            r.close(); // idempotent
            assertFalse(r.isOpen());
            assertThrows(ClosedException.class, () -> r.getInt(0));
            assertThrows(ClosedException.class, () -> r.putInt(0, 1));
            assertThrows(ClosedException.class, () -> r.address(0, 4));
            assertThrows(ClosedException.class, r::buffer);
            // A buffer handed out before close reads the zero placeholder, never freed memory...
            assertEquals(0, raw.getInt(0));
            raw.putInt(0, 1);
            // ...and writes to it do not reach the shared object.
            try (MappedRegion again = shm.map()) {
                assertEquals(99, again.getInt(0));
            }
        }
    }

    @Test
    void objectShrunkUnderAMappingGivesAnErrorNotACrash() {
        // Another process may ftruncate the object below what we mapped; touching the cut-off
        // page raises SIGBUS, which the fault guard turns into a private zero page and the
        // access's CorruptedException. The region is then no longer the object's: every later
        // access says so too, even to a page that is still inside the object.
        String n = names.next("shrunk");
        try (SharedMemory shm = SharedMemory.create(n, 8192); MappedRegion r = shm.map()) {
            try (SharedMemory other = SharedMemory.open(n)) {
                other.resize(1);
            }
            assertFalse(r.isTruncated());
            assertThrows(CorruptedException.class, () -> r.getLong(4096));
            assertTrue(r.isTruncated());
            assertThrows(CorruptedException.class, () -> r.getLong(0));
        }
    }

    @Test
    void boundsAreChecked() {
        String n = names.next("bounds");
        try (SharedMemory shm = SharedMemory.create(n, 4096); MappedRegion r = shm.map()) {
            assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(4090));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getByte(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putBytes(4000, new byte[200]));
            assertThrows(IndexOutOfBoundsException.class, () -> r.address(4096, 1));
            assertThrows(InvalidArgumentException.class, () -> r.compareAndSetLong(4, 0, 1));
        }
    }

    @Test
    void readOnlyMappingRefusesWrites() {
        String n = names.next("ro");
        try (SharedMemory shm = SharedMemory.create(n, 4096); MappedRegion r = shm.mapReadOnly()) {
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class, () -> r.putInt(0, 1));
            assertTrue(e.getMessage().contains("mapped read-only"), e.getMessage());
            assertThrows(PermissionDeniedException.class, () -> r.compareAndSetInt(0, 0, 1));
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> r.buffer().putInt(0, 1));
        }
        try (SharedMemory shm = SharedMemory.openReadOnly(n)) {
            assertThrows(InvalidArgumentException.class, () -> shm.map(0, 4096, false));
            assertThrows(InvalidArgumentException.class, () -> shm.resize(8192));
        }
    }

    @Test
    void closedHandleThrows() {
        String n = names.next("closedfd");
        SharedMemory shm = SharedMemory.create(n, 4096);
        MappedRegion r = shm.map();
        shm.close();
        shm.close();
        assertThrows(ClosedException.class, shm::size);
        assertThrows(ClosedException.class, shm::map);
        r.putInt(0, 5); // a mapping outlives the descriptor, as in POSIX
        assertEquals(5, r.getInt(0));
        r.close();
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, ex);
        assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' lacks '" + part + "'");
    }
}
