package dev.ipcj.sysv;

import dev.ipcj.MappedRegion;

/**
 * The other user's side of {@link SysvPermissionTest}: opens System V objects this user may not
 * use and prints {@code RESULT what: outcome} per step.
 *
 * <pre>  SysvAccessMain SHM_KEY MSG_KEY SEM_KEY SHM_ID MSG_ID SEM_ID READABLE_SHM_KEY READABLE_SHM_ID</pre>
 */
public final class SysvAccessMain {
    private SysvAccessMain() {
    }

    interface Step {
        Object run() throws Exception;
    }

    static void step(String what, Step s) {
        String outcome;
        try {
            Object r = s.run();
            outcome = "ok" + (r == null ? "" : " " + r);
        } catch (Throwable t) {
            outcome = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        System.out.println("RESULT " + what + ": " + outcome);
    }

    public static void main(String[] a) {
        IpcKey shm = IpcKey.of((int) Long.parseLong(a[0]));
        IpcKey msg = IpcKey.of((int) Long.parseLong(a[1]));
        IpcKey sem = IpcKey.of((int) Long.parseLong(a[2]));
        int shmId = Integer.parseInt(a[3]);
        int msgId = Integer.parseInt(a[4]);
        int semId = Integer.parseInt(a[5]);
        IpcKey readable = IpcKey.of((int) Long.parseLong(a[6]));
        int readableId = Integer.parseInt(a[7]);
        step("shm-open", () -> SysvSharedMemory.open(shm).attach());
        step("msg-open", () -> SysvMessageQueue.open(msg));
        step("sem-open", () -> SemaphoreSet.open(sem));
        step("shm-ofid", () -> SysvSharedMemory.ofId(shmId));
        step("msg-ofid", () -> SysvMessageQueue.ofId(msgId));
        step("sem-ofid", () -> SemaphoreSet.ofId(semId));
        step("shm-open-or-create", () -> SysvSharedMemory.openOrCreate(shm, 4096, 0600));
        step("msg-open-or-create", () -> SysvMessageQueue.openOrCreate(msg, 0600));
        step("readable-open", () -> SysvSharedMemory.open(readable));
        step("readable-ofid", () -> SysvSharedMemory.ofId(readableId));
        step("readable-ofid-read-only", () -> SysvSharedMemory.ofIdReadOnly(readableId).attachReadOnly().getLong(0));
        step("readable-open-read-only", () -> {
            try (MappedRegion r = SysvSharedMemory.openReadOnly(readable).attachReadOnly()) {
                return r.getLong(0);
            }
        });
        System.out.println("END");
    }
}
