package dev.ipcj.sysv;

import dev.ipcj.MappedRegion;
import dev.ipcj.RemovedException;
import java.time.Duration;

/**
 * The second JVM of the System V cross-process tests: the same modes as src/test/c/sysv_peer.c,
 * through ipcj's Java API.
 */
public final class SysvPeerMain {
    private SysvPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int id = Integer.decode(args[1]);
        switch (mode) {
            case "shm-rw": {
                try (SysvSharedMemory shm = SysvSharedMemory.ofId(id); MappedRegion r = shm.attach()) {
                    long v = r.getLong(0);
                    System.out.println(v);
                    r.putLong(8, v + 1);
                }
                break;
            }
            case "msg-echo": {
                long req = Long.parseLong(args[2]);
                long reply = Long.parseLong(args[3]);
                SysvMessage m = SysvMessage.allocate(8192);
                try (SysvMessageQueue q = SysvMessageQueue.ofId(id)) {
                    for (;;) {
                        q.receive(m, req);
                        m.type(reply);
                        q.send(m);
                    }
                } catch (RemovedException e) {
                    break; // the test removed the queue: done
                }
            }
            case "msg-send": {
                try (SysvMessageQueue q = SysvMessageQueue.ofId(id)) {
                    q.send(SysvMessage.allocate(256).set(Long.parseLong(args[2]), args[3].getBytes()));
                }
                break;
            }
            case "sem-hold": {
                SemaphoreSet s = SemaphoreSet.ofId(id);
                s.acquire(Integer.parseInt(args[2]));
                System.out.println("held");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
                break;
            }
            case "sem-race": {
                IpcKey key = IpcKey.of(id);
                int initial = Integer.parseInt(args[2]);
                SemaphoreSet gate = SemaphoreSet.ofId(Integer.parseInt(args[3]));
                gate.apply(0, 0, 0); // wait for zero: all racers start together
                SemaphoreSet s = SemaphoreSet.openOrCreate(key, new int[] {initial}, 0600, Duration.ofSeconds(10),
                        () -> sleep(30));
                if (!s.tryApply(0, -1, 0)) {
                    throw new AssertionError("no unit left to take");
                }
                System.out.println(s.created() ? "created" : "opened");
                break;
            }
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
