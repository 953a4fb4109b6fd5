package dev.ipcj;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.jni.SysvShm;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvSharedMemory;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MappedRegionTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** Issue 10, finding 1: the buffer was 8x the mapping (JavaCPP scaled it by sizeof). */
    @Test
    void bufferHasExactlyTheMappingsCapacity() {
        for (int size : new int[] {1, 100, 4096, 3 * 4096 + 5}) {
            String n = names.next("cap");
            try (SharedMemory shm = SharedMemory.create(n, size); MappedRegion r = shm.map()) {
                ByteBuffer b = r.buffer();
                assertEquals(size, b.capacity(), "buffer() of a " + size + "-byte region");
                assertEquals(size, b.limit());
                assertEquals(size, r.size());
                assertThrows(IndexOutOfBoundsException.class, () -> b.get(size));
                assertEquals(size, shm.mapReadOnly().buffer().capacity(), "read-only buffer");
            }
        }
        SysvSharedMemory seg = SysvSharedMemory.create(IpcKey.PRIVATE, 4096);
        names.onCleanup(() -> SysvShm.shmctlRmid(seg.id()));
        try (MappedRegion r = seg.attach()) {
            assertEquals(4096, r.buffer().capacity(), "buffer() of a System V attach");
        }
    }

    /**
     * Issue 10, finding 3: another process truncates the object under a live mapping. No access
     * of the region may crash the JVM (before: SIGBUS in Unsafe_CompareAndSetLong, interpreted),
     * and each ends in CorruptedException naming the access and the object, or, where the JVM
     * delivers its fault report outside the accessor (compiled code: at the next safepoint poll;
     * see Faults and the class comment of MappedRegion), in the JVM's InternalError.
     */
    @ParameterizedTest
    @ValueSource(strings = {"interpreted", "warm"})
    void truncationByAnotherProcessIsCorruptedNotACrash(String mode) throws Exception {
        String n = names.next("trunc");
        ChildJvm.Result r = ChildJvm.run(mode.equals("interpreted") ? List.of("-Xint") : List.of(),
                NativeScenarios.class, 120, "region-truncated", n, mode);
        assertFalse(r.crashed(), r.describe());
        assertTrue(r.output().contains("END"), r.describe());
        List<String> results = r.lines("RESULT ");
        assertEquals(11, results.size(), r.describe());
        int typed = 0;
        for (String line : results) {
            String access = line.substring(0, line.indexOf(':'));
            String call = access.equals("page0") ? "getLong" : access;
            if (line.startsWith(access + ": CorruptedException: ")) {
                assertTrue(line.startsWith(access + ": CorruptedException: " + call + "(\"" + n + "\"): the memory under"
                        + " the mapping is gone: another process truncated the object"), r.describe());
                typed++;
            } else {
                assertTrue(line.startsWith(access + ": InternalError: a fault occurred in a recent unsafe memory access"),
                        r.describe());
            }
        }
        assertTrue(typed > 0, "no access reported the truncation itself:\n" + r.describe());
    }
}
