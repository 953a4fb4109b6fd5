package dev.ipcj;

import dev.ipcj.posix.NamedSemaphore;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.posix.UnnamedSemaphore;
import dev.ipcj.sysv.IpcKey;
import dev.ipcj.sysv.SysvMessageQueue;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Scenarios that crashed (or could crash) the JVM before issue 10, run in a child JVM by
 * {@link dev.ipcj.test.ChildJvm}: {@code NativeScenarios SCENARIO ARGS...}. Each step prints
 * {@code RESULT step: ok ...} or {@code RESULT step: ExceptionClass: message}; the parent checks
 * the lines. An untyped exception is printed the same way and fails the parent's check; a crash
 * ends the child without its last lines.
 */
public final class NativeScenarios {
    private NativeScenarios() {
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
        System.out.flush();
    }

    /** Truncates /dev/shm/NAME to {@code size} bytes from another process (coreutils truncate). */
    static void truncateFromAnotherProcess(String file, long size) throws Exception {
        Process p = new ProcessBuilder("truncate", "-s", Long.toString(size), file).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("truncate " + file + " failed");
        }
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 1 ? args[1] : null;
        switch (args[0]) {
            case "sysv-send-truncated": {
                // A direct buffer over a mapping another process truncated, sent through System V.
                SharedMemory shm = SharedMemory.create(name, 8192);
                MappedRegion r = shm.map();
                ByteBuffer b = r.buffer();
                b.limit(64);
                truncateFromAnotherProcess("/dev/shm" + name, 0);
                SysvMessageQueue q = SysvMessageQueue.create(IpcKey.PRIVATE);
                try {
                    step("send", () -> {
                        q.send(1, b);
                        return null;
                    });
                } finally {
                    q.remove();
                }
                break;
            }
            case "sem-open": {
                // A named semaphore whose file holds whatever the parent put there.
                step("open+use", () -> {
                    try (NamedSemaphore s = NamedSemaphore.open(name)) {
                        int v = s.value();
                        s.release();
                        boolean got = s.tryAcquire(Duration.ofMillis(10));
                        return "value " + v + " acquired " + got;
                    }
                });
                break;
            }
            case "unnamed-attach": {
                // An unnamed semaphore attached over whatever bytes the shm object holds.
                try (SharedMemory shm = SharedMemory.open(name); MappedRegion r = shm.map()) {
                    step("attach+use", () -> {
                        UnnamedSemaphore s = UnnamedSemaphore.attach(r, 0);
                        int v = s.value();
                        s.release();
                        boolean got = s.tryAcquire(Duration.ofMillis(10));
                        return "value " + v + " acquired " + got;
                    });
                }
                break;
            }
            case "region-truncated": {
                // Every access to a region whose object another process truncated.
                boolean warm = args.length > 2 && args[2].equals("warm");
                SharedMemory shm = SharedMemory.create(name, 8192);
                MappedRegion r = shm.map();
                if (warm) {
                    for (int i = 0; i < 200_000; i++) {
                        accessAll(r, 4096 + (i & 7) * 8);
                    }
                }
                truncateFromAnotherProcess("/dev/shm" + name, 0);
                step("getLong", () -> r.getLong(4096));
                step("putLong", () -> {
                    r.putLong(4096, 1);
                    return null;
                });
                step("getBytes", () -> {
                    r.getBytes(4096, new byte[64]);
                    return null;
                });
                step("putBytes", () -> {
                    r.putBytes(4096, new byte[64]);
                    return null;
                });
                step("getIntVolatile", () -> r.getIntVolatile(4096));
                step("putLongVolatile", () -> {
                    r.putLongVolatile(4096, 1);
                    return null;
                });
                step("compareAndSetLong", () -> r.compareAndSetLong(4096, 0, 1));
                step("compareAndSetInt", () -> r.compareAndSetInt(4096, 0, 1));
                step("getAndAddLong", () -> r.getAndAddLong(4096, 1));
                step("getAndAddInt", () -> r.getAndAddInt(4096, 1));
                step("page0", () -> r.getLong(0));
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("END");
    }

    private static void accessAll(MappedRegion r, long off) {
        r.putLong(off, r.getLong(off) + 1);
        r.compareAndSetLong(off, 0, 1);
        r.getAndAddLong(off, 1);
        r.getAndAddInt(off, 1);
        r.compareAndSetInt(off, 0, 1);
        r.putLongVolatile(off, r.getIntVolatile(off));
    }
}
