package dev.ipcj.cli.compare;

import dev.ipcj.jni.SysvSem;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SemaphoreSet;
import dev.ipcj.sysv.SysvLimits;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * System V semaphore ping-pong through ipcj's {@link SemaphoreSet}: one set of two, made by the
 * ipcj process (key in ipcj's range) and removed with IPC_RMID at the end; the client adds 1 to
 * semaphore 0 and waits to take 1 from semaphore 1, the server the other way round. No bytes
 * move; a "message" is one semop. Without SEM_UNDO: the undo count of a process that only
 * posts would run past SEMVMX. The C twin bench_sysvsem makes the same semop calls.
 */
final class SysvSemMechanism implements Mechanism {
    @Override
    public String id() {
        return "sysv-sem";
    }

    @Override
    public String label() {
        return "System V sem ping-pong";
    }

    @Override
    public String cProgram() {
        return "bench_sysvsem";
    }

    @Override
    public boolean carriesBytes() {
        return false;
    }

    /** A semaphore's value stops at SEMVMX: a sender further ahead than that gets ERANGE. */
    @Override
    public int maxStreamMessages() {
        return SysvLimits.SEMVMX;
    }

    @Override
    public Setup prepare(ScenarioContext ctx) {
        int id = SysvKeys.createFree(SysvSemMechanism::create);
        return new Setup(List.of(Integer.toString(id)), () -> SysvSem.semctlRmid(id));
    }

    /** A new set of two semaphores at 0 under {@code key}: its id. */
    private static int create(IpcKey key) {
        try (SemaphoreSet s = SemaphoreSet.create(key, 2)) {
            return s.id();
        }
    }

    @Override
    public Link server(List<String> args, int maxSize) {
        return new Sems(SemaphoreSet.ofId(Integer.parseInt(args.get(0))), 1, 0);
    }

    @Override
    public Link client(List<String> args, String endpoint, int maxSize) {
        return new Sems(SemaphoreSet.ofId(Integer.parseInt(args.get(0))), 0, 1);
    }

    private record Sems(SemaphoreSet set, int out, int in) implements Link {
        @Override
        public void send(ByteBuffer buf, int size) throws InterruptedException {
            set.apply(out, 1, 0);
        }

        @Override
        public void recv(ByteBuffer buf, int size) throws InterruptedException {
            set.apply(in, -1, 0);
        }

        @Override
        public void close() {
            set.close();
        }
    }
}
