package dev.ipcj.sysv;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipcj.MappedRegion;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.jni.SysvSem;
import dev.ipcj.jni.SysvShm;
import dev.ipcj.test.AsNobody;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, finding 15: as another user, SysvSharedMemory.open and SysvMessageQueue.open
 * succeeded (a get with flag 0 asks for no access) and failed only at the first use. Now the open
 * asks the kernel for the access the handle needs, and the opens by id check it from IPC_STAT.
 */
class SysvPermissionTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void anotherUsersOpenIsRefusedAtOpen() throws Exception {
        assumeTrue(AsNobody.available(), "needs root and setpriv to run a JVM as nobody");
        SysvSharedMemory shm = SysvSharedMemory.create(TestKeys.next(), 4096, 0600);
        names.onCleanup(() -> SysvShm.shmctlRmid(shm.id()));
        SysvMessageQueue msg = SysvMessageQueue.create(TestKeys.next(), 0600);
        names.onCleanup(() -> SysvMsg.msgctlRmid(msg.id()));
        SemaphoreSet sem = SemaphoreSet.create(TestKeys.next(), new int[] {1}, 0600);
        names.onCleanup(() -> SysvSem.semctlRmid(sem.id()));
        SysvSharedMemory readable = SysvSharedMemory.create(TestKeys.next(), 4096, 0644);
        names.onCleanup(() -> SysvShm.shmctlRmid(readable.id()));
        try (MappedRegion r = readable.attach()) {
            r.putLong(0, 4242);
        }
        ChildJvm.Result r = AsNobody.run(SysvAccessMain.class, 60, "" + shm.key().value(), "" + msg.key().value(),
                "" + sem.key().value(), "" + shm.id(), "" + msg.id(), "" + sem.id(), "" + readable.key().value(),
                "" + readable.id());
        assertEquals(0, r.exit(), r.describe());
        Map<String, String> by = new HashMap<>();
        for (String line : r.lines("RESULT ")) {
            by.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 2));
        }
        for (String step : new String[] {"shm-open", "msg-open", "sem-open", "shm-ofid", "msg-ofid", "sem-ofid",
                "shm-open-or-create", "msg-open-or-create", "readable-open", "readable-ofid"}) {
            assertTrue(by.get(step) != null && by.get(step).startsWith("PermissionDeniedException: "),
                    step + " was not refused at open:\n" + r.describe());
            assertTrue(by.get(step).contains("EACCES"), step + ": " + by.get(step));
        }
        assertTrue(by.get("shm-open").startsWith("PermissionDeniedException: shmget(key " + shm.key() + "): EACCES: "),
                by.get("shm-open"));
        assertEquals("PermissionDeniedException: shmat(id " + readable.id() + "): EACCES: the shared memory segment's"
                + " mode 0644 (owner uid 0, gid 0) does not let uid 65534 read and write it", by.get("readable-ofid"));
        assertEquals("ok 4242", by.get("readable-ofid-read-only"), r.describe());
        assertEquals("ok 4242", by.get("readable-open-read-only"), r.describe());
    }
}
