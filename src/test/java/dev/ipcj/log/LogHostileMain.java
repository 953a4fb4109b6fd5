package dev.ipcj.log;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.test.Adversarial;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The hostile-process scenarios of {@link SharedLogHostileTest}, run in a child JVM so that a
 * crash fails the test instead of killing it: this process damages the files of logs it has
 * open (scribbles over the state page and the segment headers, truncates the files) and then
 * uses them. It prints "FAIL ..." for an expectation not met, "UNTYPED ..." for an exception
 * that is not an IpcException, "LATE ..." for a call that overran its timeout by 2 s, and
 * "done" at the end. Args: a name prefix and the number of random trials.
 */
public final class LogHostileMain {
    private static final Path SHM = Path.of("/dev/shm");

    private LogHostileMain() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        int trials = Integer.parseInt(args[1]);
        expectCorrupted(prefix + "-trunc-state", log -> {
            truncate(state(log), 0);
            return null;
        }, "the state file truncated to 0");
        expectCorrupted(prefix + "-trunc-seg", log -> {
            truncate(segment(log, 0), 0);
            return null;
        }, "segment 0 truncated to 0 bytes");
        expectCorrupted(prefix + "-seg-magic", log -> {
            poke(segment(log, 0), LogLayout.SEG_OFF_MAGIC, 0x12345678, 4);
            return SharedLog.open(log.name()); // a new handle maps the segment anew
        }, "segment 0's magic scribbled");
        expectCorrupted(prefix + "-seg-id", log -> {
            poke(segment(log, 0), LogLayout.SEG_OFF_LOG_ID, 42, 8);
            return SharedLog.open(log.name());
        }, "segment 0's log id scribbled");
        expectCorrupted(prefix + "-slot", log -> {
            long g = peek(state(log), LogLayout.OFF_GENERATION);
            int slot = LogLayout.OFF_SLOTS + (int) (g & 1) * LogLayout.SLOT_STRIDE;
            poke(state(log), slot + LogLayout.SLOT_READ_OFFSET, 1L << 40, 8);
            return null;
        }, "the committed read offset scribbled");
        expectCorrupted(prefix + "-generation", log -> {
            long g = peek(state(log), LogLayout.OFF_GENERATION);
            int other = LogLayout.OFF_SLOTS + (int) ((g + 1) & 1) * LogLayout.SLOT_STRIDE;
            poke(state(log), other + LogLayout.SLOT_APPENDED, -5, 8); // the slot a bumped generation selects
            poke(state(log), LogLayout.OFF_GENERATION, g + 1, 8);
            return null;
        }, "the generation bumped to a half-written slot");
        expectCorrupted(prefix + "-record", log -> {
            poke(segment(log, 0), LogLayout.SEGMENT_HEADER + LogLayout.REC_OFF_CHECK, 0, 4);
            return null;
        }, "a record's check word scribbled");
        String magic = prefix + "-magic";
        try (SharedLog log = SharedLog.create(magic, 4, 64)) {
            poke(state(log), LogLayout.OFF_MAGIC, 0, 4);
            expect(() -> SharedLog.open(magic), "open of a log whose magic is gone");
            expect(() -> SharedLog.unlinkIfExists(magic), "unlink of a log whose magic is gone (left in place)");
            if (!Files.exists(SHM.resolve(magic.substring(1) + ".log"))) {
                System.out.println("FAIL unlink removed a state file that is not a log's");
            }
        }
        deleteAll(magic);

        Random rnd = Adversarial.random("log-hostile");
        for (int t = 0; t < trials; t++) {
            String n = prefix + "-r" + t;
            trial(n, rnd);
            deleteAll(n);
        }
        System.out.println("done");
    }

    interface Damage {
        SharedLog apply(SharedLog log) throws Exception;
    }

    /** A log with three records, damaged; then a take (on the handle damage returns, else the old one) must be CorruptedException. */
    private static void expectCorrupted(String n, Damage damage, String what) throws Exception {
        try (SharedLog log = SharedLog.create(n, 8, 64)) {
            for (int i = 0; i < 3; i++) {
                log.put(new byte[] {(byte) i, 1, 2, 3});
            }
            SharedLog other = null;
            try {
                other = damage.apply(log);
            } catch (CorruptedException e) {
                System.out.println("ok " + what + ": " + e.getMessage());
                return;
            }
            SharedLog use = other != null ? other : log;
            try {
                int r = use.poll(new byte[64]);
                System.out.println("FAIL " + what + ": poll returned " + r + " instead of CorruptedException");
            } catch (CorruptedException e) {
                System.out.println("ok " + what + ": " + e.getMessage());
            } catch (Throwable e) {
                System.out.println("UNTYPED " + what + ": " + e);
            } finally {
                if (other != null) {
                    other.close();
                }
            }
        } finally {
            deleteAll(n);
        }
    }

    private static void expect(Callable<?> call, String what) {
        try {
            Object r = call.call();
            System.out.println("FAIL " + what + ": returned " + r + " instead of CorruptedException");
        } catch (CorruptedException e) {
            System.out.println("ok " + what + ": " + e.getMessage());
        } catch (Throwable e) {
            System.out.println("UNTYPED " + what + ": " + e);
        }
    }

    /** Random damage to a live log with records in two segments, then every call: typed results only. */
    private static void trial(String n, Random rnd) throws Exception {
        boolean bounded = rnd.nextBoolean();
        try (SharedLog log = SharedLog.create(n, bounded ? 5000 : SharedLog.UNBOUNDED, 600)) {
            int count = 1500 + rnd.nextInt(1000); // over 1 MiB: two segments
            ByteBuffer b = ByteBuffer.allocate(600);
            for (int i = 0; i < count; i++) {
                b.clear().limit(rnd.nextInt(601));
                log.put(b);
            }
            for (int i = 0, k = rnd.nextInt(800); i < k; i++) {
                log.poll(b.clear());
            }
            int kinds = 1 + rnd.nextInt(3);
            StringBuilder what = new StringBuilder(n);
            for (int d = 0; d < kinds; d++) {
                what.append(' ').append(damage(log, rnd));
            }
            SharedLog fresh = null;
            try {
                fresh = SharedLog.open(n);
            } catch (IpcException e) {
                // refused: fine
            } catch (Throwable e) {
                System.out.println("UNTYPED open after " + what + ": " + e);
            }
            for (SharedLog h : new SharedLog[] {log, fresh}) {
                if (h == null) {
                    continue;
                }
                for (int i = 0; i < 30; i++) {
                    call(what + " poll", () -> h.poll(b.clear()));
                    call(what + " offer", () -> h.offer(b.clear().limit(rnd.nextInt(601))));
                    call(what + " size", h::size);
                    call(what + " timed poll", () -> h.poll(b.clear(), Duration.ofMillis(20)));
                }
            }
            if (fresh != null) {
                fresh.close();
            }
            call(what + " unlink", () -> SharedLog.unlinkIfExists(n));
        }
    }

    private static String damage(SharedLog log, Random rnd) throws IOException {
        Path state = state(log);
        switch (rnd.nextInt(6)) {
            case 0:
                for (int i = 0, k = 1 + rnd.nextInt(8); i < k; i++) {
                    poke(state, rnd.nextInt(LogLayout.STATE_SIZE / 8) * 8, rnd.nextLong(), 8);
                }
                return "state-bytes";
            case 1:
                poke(state, LogLayout.OFF_GENERATION + 8 * rnd.nextInt(25), rnd.nextLong(), 8);
                return "state-slots";
            case 2:
                for (Path p : segments(log)) {
                    poke(p, rnd.nextInt(LogLayout.SEGMENT_HEADER / 4) * 4, rnd.nextInt(), 4);
                }
                return "segment-headers";
            case 3:
                truncate(state, rnd.nextBoolean() ? 0 : rnd.nextInt(LogLayout.STATE_SIZE));
                return "truncate-state";
            case 4:
                for (Path p : segments(log)) {
                    truncate(p, rnd.nextBoolean() ? 0 : rnd.nextInt(1 << 20));
                }
                return "truncate-segments";
            default:
                for (Path p : segments(log)) {
                    for (int i = 0; i < 16; i++) {
                        poke(p, LogLayout.SEGMENT_HEADER + rnd.nextInt(4096) * 8, rnd.nextInt(), 4);
                    }
                }
                return "record-headers";
        }
    }

    private static void call(String what, Callable<?> c) {
        long t0 = System.nanoTime();
        try {
            c.call();
        } catch (IpcException e) {
            // typed: what a damaged log must give
        } catch (Throwable e) {
            System.out.println("UNTYPED " + what + ": " + e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ms > 2020) {
            System.out.println("LATE " + what + " " + ms);
        }
    }

    static Path state(SharedLog log) {
        return SHM.resolve(log.name().substring(1) + ".log");
    }

    static Path segment(SharedLog log, int k) {
        return SHM.resolve(log.name().substring(1) + ".log." + k);
    }

    private static java.util.List<Path> segments(SharedLog log) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(SHM)) {
            String base = log.name().substring(1) + ".log.";
            return s.filter(p -> p.getFileName().toString().startsWith(base)).collect(java.util.stream.Collectors.toList());
        }
    }

    static void poke(Path p, int off, long value, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(0, value);
        if (size == 4) {
            b.putInt(0, (int) value);
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            if (f.length() >= off + size) {
                f.seek(off);
                f.write(b.array(), 0, size);
            }
        }
    }

    static long peek(Path p, int off) throws IOException {
        byte[] b = new byte[8];
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            f.seek(off);
            f.readFully(b);
        }
        return ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getLong();
    }

    static void truncate(Path p, long size) throws IOException {
        if (Files.isRegularFile(p)) {
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(size);
            }
        }
    }

    static void deleteAll(String n) {
        SharedLogTest.deleteFiles(SHM, n);
    }
}
