package dev.ipcj.sysv;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.MappedRegion;
import dev.ipcj.NotFoundException;
import dev.ipcj.PermissionDeniedException;
import dev.ipcj.RemovedException;
import dev.ipcj.jni.SysvShm;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SysvSharedMemoryTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private SysvSharedMemory track(SysvSharedMemory s) {
        int id = s.id();
        names.onCleanup(() -> SysvShm.shmctlRmid(id));
        return s;
    }

    @Test
    void attachWriteStatAndDetach() {
        SysvSharedMemory shm = track(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
        ShmStat st = shm.stat();
        assertEquals(4096, st.size());
        assertEquals(0, st.attachCount());
        assertEquals(ProcessHandle.current().pid(), st.creatorPid());
        assertEquals(0600, st.permissions().mode());
        assertEquals(IpcKey.PRIVATE, st.permissions().key());
        MappedRegion r = shm.attach();
        assertEquals(4096, r.size());
        r.putLong(0, 42);
        assertEquals(42, r.getLong(0));
        assertEquals(1, shm.stat().attachCount());
        assertEquals(ProcessHandle.current().pid(), shm.stat().lastPid());
        assertTrue(shm.stat().lastAttach().getEpochSecond() > 0);
        assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(4090));
        r.close();
        assertEquals(0, shm.stat().attachCount(), "closing the region must drop the attach");
        assertThrows(ClosedException.class, () -> r.getLong(0));
        try (MappedRegion again = shm.attach()) {
            assertEquals(42, again.getLong(0), "the segment keeps its bytes between attaches");
        }
    }

    @Test
    void readOnlyAttachRefusesWrites() {
        SysvSharedMemory shm = track(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
        try (MappedRegion rw = shm.attach(); MappedRegion ro = shm.attachReadOnly()) {
            rw.putInt(0, 7);
            assertTrue(ro.isReadOnly());
            assertEquals(7, ro.getInt(0));
            assertThrows(PermissionDeniedException.class, () -> ro.putInt(0, 1));
            assertEquals(2, shm.stat().attachCount());
        }
    }

    @Test
    void keysExclusiveCreateOpenAndFtok(@TempDir Path dir) throws Exception {
        IpcKey key = TestKeys.next();
        SysvSharedMemory a = track(SysvSharedMemory.create(key, 8192, 0640));
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> SysvSharedMemory.create(key, 8192));
        assertTrue(e.getMessage().startsWith("shmget(key " + key + "): EEXIST"), e.getMessage());
        try (SysvSharedMemory b = SysvSharedMemory.open(key)) {
            assertEquals(a.id(), b.id());
            assertEquals(0640, b.stat().permissions().mode());
            assertEquals(key, b.stat().permissions().key());
        }
        try (SysvSharedMemory c = SysvSharedMemory.openOrCreate(key, 4096, 0600)) {
            assertEquals(a.id(), c.id());
        }
        InvalidArgumentException small = assertThrows(InvalidArgumentException.class,
                () -> SysvSharedMemory.openOrCreate(key, 1 << 20, 0600));
        assertTrue(small.getMessage().contains("smaller than the 1048576 bytes"), small.getMessage());

        Path f = Files.createFile(dir.resolve("keyfile"));
        IpcKey k1 = IpcKey.ftok(f, 'j');
        assertEquals(k1, IpcKey.ftok(f, 'j'));
        assertNotEquals(k1, IpcKey.ftok(f, 'k'));
        assertThrows(NotFoundException.class, () -> IpcKey.ftok(dir.resolve("missing"), 1));
        assertThrows(InvalidArgumentException.class, () -> IpcKey.ftok(f, 0));
        assertEquals("0x1ec00000", IpcKey.of(0x1ec00000).toString());
    }

    @Test
    void setPermissions() {
        SysvSharedMemory shm = track(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
        IpcPermissions p = shm.stat().permissions();
        shm.setPermissions(p.uid(), p.gid(), 0644);
        assertEquals(0644, shm.stat().permissions().mode());
        assertThrows(InvalidArgumentException.class, () -> shm.setPermissions(p.uid(), p.gid(), 01777));
    }

    @Test
    void javaAndCAndSecondJvmShareTheBytes() throws Exception {
        SysvSharedMemory shm = track(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
        try (MappedRegion r = shm.attach()) {
            r.putLong(0, 1234);
            String out = Processes.finish(Processes.startC("sysv_peer", "shm-rw", "" + shm.id()), 10);
            assertEquals("1234", out.trim());
            assertEquals(1235, r.getLong(8), "C wrote, Java reads");
            r.putLong(0, 5000);
            out = Processes.finish(Processes.startJava(SysvPeerMain.class, "shm-rw", "" + shm.id()), 30);
            assertEquals("5000", out.trim());
            assertEquals(5001, r.getLong(8), "second JVM wrote, Java reads");
            assertNotEquals(ProcessHandle.current().pid(), shm.stat().lastPid());
        }
    }

    @Test
    void removeWhileAttachedKeepsTheMemoryUntilTheLastDetach() throws Exception {
        IpcKey key = TestKeys.next();
        SysvSharedMemory shm = track(SysvSharedMemory.create(key, 4096));
        MappedRegion r = shm.attach();
        Process peer = Processes.startC("sysv_peer", "shm-hold", "" + shm.id());
        try {
            assertEquals("attached", Processes.readLine(peer));
            assertEquals(2, shm.stat().attachCount());
            shm.remove();

            ShmStat st = shm.stat();
            assertTrue(st.removed(), "marked SHM_DEST");
            assertEquals(IpcKey.PRIVATE, st.permissions().key(), "the key is released at once");
            assertThrows(NotFoundException.class, () -> SysvSharedMemory.open(key));

            // Both attached processes keep sharing the same memory.
            r.putLong(0, 99);
            OutputStream in = peer.getOutputStream();
            in.write('\n');
            in.flush();
            assertEquals("99", Processes.readLine(peer));
            assertEquals(77, r.getLong(8));

            // The key is free: a create makes a new, unrelated segment.
            SysvSharedMemory fresh = track(SysvSharedMemory.create(key, 4096));
            assertNotEquals(shm.id(), fresh.id());
            try (MappedRegion fr = fresh.attach()) {
                assertEquals(0, fr.getLong(0));
            }

            in.close(); // the peer detaches and exits
            Processes.finish(peer, 10);
            assertEquals(1, shm.stat().attachCount());
        } finally {
            peer.destroyForcibly();
        }
        r.close(); // the last detach frees it
        RemovedException e = assertThrows(RemovedException.class, shm::stat);
        assertTrue(e.getMessage().contains("no shared memory segment has id " + shm.id()), e.getMessage());
        assertThrows(RemovedException.class, shm::attach);
    }

    @Test
    void misuseIsAnException() {
        assertThrows(NotFoundException.class, () -> SysvSharedMemory.open(TestKeys.next()));
        assertThrows(InvalidArgumentException.class, () -> SysvSharedMemory.open(IpcKey.PRIVATE));
        assertThrows(InvalidArgumentException.class, () -> SysvSharedMemory.create(IpcKey.PRIVATE, 0));
        assertThrows(InvalidArgumentException.class, () -> SysvSharedMemory.create(IpcKey.PRIVATE, 4096, 0x10000));
        assertThrows(RemovedException.class, () -> SysvSharedMemory.ofId(Integer.MAX_VALUE - 1));
        SysvSharedMemory shm = track(SysvSharedMemory.create(IpcKey.PRIVATE, 4096));
        shm.close();
        shm.close();
        ClosedException c = assertThrows(ClosedException.class, shm::attach);
        assertTrue(c.getMessage().contains("handle is closed"), c.getMessage());
        assertThrows(ClosedException.class, shm::remove);
    }

    @Test
    void limitsAreLiveAndNamed() {
        assertTrue(SysvLimits.shmmni() > 0);
        assertTrue(SysvLimits.shmmax() > 0, "shmmax near 2^64 must read as Long.MAX_VALUE, not fail");
        assertTrue(SysvLimits.msgmax() > 0);
        assertTrue(SysvLimits.semmsl() > 0 && SysvLimits.semopm() > 0 && SysvLimits.semmni() > 0);
        long max = SysvLimits.shmmax();
        if (max < Long.MAX_VALUE / 2) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> SysvSharedMemory.create(IpcKey.PRIVATE, max + 1));
            assertTrue(e.getMessage().contains("/proc/sys/kernel/shmmax " + max), e.getMessage());
        }
    }
}
