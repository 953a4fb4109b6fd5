package dev.ipcj.posix;

import dev.ipcj.MappedRegion;
import java.nio.charset.StandardCharsets;

/**
 * The second JVM of the POSIX cross-process tests: the same modes, arguments, byte layouts and
 * output as the C peer {@code src/test/c/posix_peer.c} (read its header comment), written with
 * ipcj's public API. A test can therefore run one scenario against either peer.
 *
 * <p>Exit status: 0 on success, 2 on wrong usage, 3 when data is wrong; an exception exits 1.
 * When the parent closes our stdin or dies, this JVM exits (in write-shm that is the signal
 * that the parent has read), so a crashed test leaves no blocked JVM behind.
 */
public final class PosixPeerMain {
    static final int SLOTS = 16;
    static final long RECORD_MIX = 0x9E3779B97F4A7C15L;
    static final int TEXT_MAX = 248;
    static final int PATTERN_AT = 256;

    private PosixPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.out.println("usage: PosixPeerMain MODE ARGS... (see posix_peer.c)");
            System.exit(2);
        }
        boolean eofIsDone = args[0].equals("write-shm");
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // drain until the parent closes the pipe (or dies)
                }
            } catch (java.io.IOException ignored) {
                // same as EOF
            }
            if (!eofIsDone) {
                Runtime.getRuntime().halt(4);
            }
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        int status = run(args, watcher);
        System.out.flush();
        System.exit(status);
    }

    private static int run(String[] a, Thread watcher) throws Exception {
        switch (a[0] + "/" + a.length) {
            case "write-shm/5":
                return writeShm(a[1], Long.decode(a[2]), Long.decode(a[3]), a[4], watcher);
            case "read-shm/2":
                return readShm(a[1]);
            case "sem-echo/4":
                return semEcho(a[1], a[2], Long.decode(a[3]));
            case "unnamed/4":
                return unnamed(a[1], a[2], Long.decode(a[3]));
            case "produce/5":
                return bounded(true, a[1], a[2], a[3], Long.decode(a[4]));
            case "consume/5":
                return bounded(false, a[1], a[2], a[3], Long.decode(a[4]));
            default:
                System.out.println("PosixPeerMain: bad mode or argument count: " + String.join(" ", a));
                return 2;
        }
    }

    private static void ready() {
        System.out.println("ready");
        System.out.flush();
    }

    static int pattern(long i) {
        return (int) ((i * 31) & 0xff);
    }

    private static int writeShm(String name, long size, long value, String text, Thread watcher)
            throws InterruptedException {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        if (size < PATTERN_AT || t.length >= TEXT_MAX) {
            return 2;
        }
        try (SharedMemory shm = SharedMemory.create(name, size); MappedRegion r = shm.map()) {
            r.putLong(0, value);
            r.putBytes(8, t);
            for (long i = PATTERN_AT; i < size; i++) {
                r.putByte(i, (byte) pattern(i));
            }
            ready();
            watcher.join(); // keep the mapping until the parent has read
        }
        return 0;
    }

    private static int readShm(String name) {
        try (SharedMemory shm = SharedMemory.open(name); MappedRegion r = shm.map()) {
            if (r.size() < PATTERN_AT) {
                System.out.println("PosixPeerMain: " + name + " has " + r.size() + " bytes, fewer than " + PATTERN_AT);
                return 3;
            }
            long value = r.getLong(0);
            int len = 0;
            while (len < TEXT_MAX && r.getByte(8 + len) != 0) {
                len++;
            }
            if (len == TEXT_MAX) {
                System.out.println("PosixPeerMain: " + name + ": the text at offset 8 is not NUL-terminated");
                return 3;
            }
            byte[] text = new byte[len];
            r.getBytes(8, text);
            long sum = 0;
            for (long i = PATTERN_AT; i < r.size(); i++) {
                int b = r.getByte(i) & 0xff;
                if (b != pattern(i)) {
                    System.out.println("PosixPeerMain: " + name + ": byte " + i + " is " + b + ", expected " + pattern(i));
                    return 3;
                }
                sum += b;
            }
            System.out.println(value + " " + new String(text, StandardCharsets.UTF_8) + " " + sum);
        }
        return 0;
    }

    private static int semEcho(String pingName, String pongName, long n) throws InterruptedException {
        try (NamedSemaphore ping = NamedSemaphore.open(pingName); NamedSemaphore pong = NamedSemaphore.open(pongName)) {
            ready();
            for (long i = 0; n == 0 || i < n; i++) {
                ping.acquire();
                pong.release();
            }
        }
        return 0;
    }

    private static int unnamed(String name, String how, long n) throws InterruptedException {
        try (SharedMemory shm = SharedMemory.open(name); MappedRegion r = shm.map()) {
            UnnamedSemaphore req;
            UnnamedSemaphore resp;
            if (how.equals("init")) {
                req = UnnamedSemaphore.init(r, 0, 0);
                resp = UnnamedSemaphore.init(r, 64, 0);
            } else if (how.equals("attach")) {
                req = UnnamedSemaphore.attach(r, 0);
                resp = UnnamedSemaphore.attach(r, 64);
            } else {
                return 2;
            }
            ready();
            for (long i = 0; n == 0 || i < n; i++) {
                req.acquire();
                r.putLong(136, r.getLong(128) * 2 + 1);
                resp.release();
            }
        }
        return 0;
    }

    private static int bounded(boolean produce, String name, String emptyName, String fullName, long n)
            throws InterruptedException {
        try (SharedMemory shm = SharedMemory.open(name);
             MappedRegion r = shm.map();
             NamedSemaphore empty = NamedSemaphore.open(emptyName);
             NamedSemaphore full = NamedSemaphore.open(fullName)) {
            if (r.size() < SLOTS * 16) {
                System.out.println("PosixPeerMain: " + name + " has " + r.size() + " bytes, fewer than " + SLOTS * 16);
                return 3;
            }
            ready();
            long sum = 0;
            for (long i = 0; i < n; i++) {
                long slot = (i % SLOTS) * 16;
                if (produce) {
                    empty.acquire();
                    r.putLong(slot, i);
                    r.putLong(slot + 8, i * RECORD_MIX);
                    full.release();
                } else {
                    full.acquire();
                    long seq = r.getLong(slot);
                    long check = r.getLong(slot + 8);
                    if (seq != i || check != i * RECORD_MIX) {
                        System.out.println("PosixPeerMain: record " + i + ": seq " + seq + " check " + Long.toHexString(check));
                        return 3;
                    }
                    sum += seq;
                    empty.release();
                }
            }
            System.out.println(produce ? "produced " + n : "consumed " + n + " " + Long.toUnsignedString(sum));
        }
        return 0;
    }
}
