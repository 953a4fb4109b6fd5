package dev.ipcj.broadcast;

import dev.ipcj.ClosedException;
import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link BroadcastHostileTest}: the side that may crash, so it runs apart.
 * <pre>
 *   scribble NAME MODE SEED MILLIS   a publisher and two subscribers (threads) run timed calls
 *                                    while another thread writes random bytes over the header,
 *                                    the slot table and the first records through its own mapping
 *   truncate NAME MODE SIZE          the object is cut to SIZE bytes under live mappings (a
 *                                    subscriber asleep in take()); then every call
 * </pre>
 * Prints one line per finding; "ok ..." and exit 0 when every outcome was correct operation or
 * an IpcException, within its deadline; "unexpected ..." and exit 1 otherwise.
 */
public final class BroadcastVictim {
    private BroadcastVictim() {
    }

    /** A timed call may overrun its deadline by a sleeper's re-check slice (1 s) and scheduling. */
    private static final long LATE_NANOS = 3_000_000_000L;

    public static void main(String[] args) throws Exception {
        boolean ok;
        try {
            ok = switch (args[0]) {
                case "scribble" -> scribble(args[1], BroadcastMode.valueOf(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]));
                case "truncate" -> truncate(args[1], BroadcastMode.valueOf(args[2]), Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException(args[0]);
            };
        } catch (Throwable e) {
            System.out.println("unexpected " + e);
            e.printStackTrace(System.out);
            ok = false;
        }
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs a call: true if it returned or threw an IpcException within {@code deadlineNanos} + slack. */
    static boolean attempt(String what, Map<String, Integer> seen, long deadlineNanos, Call c) {
        long t0 = System.nanoTime();
        String outcome;
        try {
            c.run();
            outcome = "returned";
        } catch (IpcException e) {
            outcome = e.getClass().getSimpleName();
        } catch (Throwable e) {
            System.out.println("unexpected " + what + ": " + e);
            e.printStackTrace(System.out);
            return false;
        }
        long took = System.nanoTime() - t0;
        if (took > deadlineNanos + LATE_NANOS) {
            System.out.println("unexpected " + what + " took " + took / 1_000_000 + " ms for a deadline of "
                    + deadlineNanos / 1_000_000 + " ms");
            return false;
        }
        seen.merge(what + " " + outcome, 1, Integer::sum);
        return true;
    }

    static boolean scribble(String name, BroadcastMode mode, long seed, long millis) throws Exception {
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Boolean> failed = new AtomicReference<>(false);
        try (BroadcastRing ring = BroadcastRing.create(name, mode, 1 << 13, 200);
             SharedMemory shm = SharedMemory.open(name); MappedRegion raw = shm.map()) {
            Thread scribbler = new Thread(() -> {
                Random rnd = new Random(seed);
                while (!stop.get()) {
                    int kind = rnd.nextInt(10);
                    long off = kind < 4 ? rnd.nextInt(BroadcastLayout.SLOTS_OFFSET)
                            : kind < 8 ? BroadcastLayout.SLOTS_OFFSET + rnd.nextInt(8 * BroadcastLayout.SLOT_SIZE)
                            : BroadcastLayout.DATA_OFFSET + rnd.nextInt(1 << 13);
                    off &= ~7L;
                    long v = switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextLong();
                        case 1 -> rnd.nextInt(1 << 16);
                        case 2 -> -rnd.nextInt(100);
                        default -> 0;
                    };
                    raw.putLong(off, v);
                    if (rnd.nextInt(4) == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    }
                }
            });
            Thread publisher = new Thread(() -> {
                BroadcastPublisher p = null;
                long i = 0;
                while (!stop.get()) {
                    if (p == null) {
                        BroadcastPublisher[] got = new BroadcastPublisher[1];
                        if (!attempt("publisher()", seen, 0, () -> got[0] = ring.publisher())) {
                            failed.set(true);
                        }
                        p = got[0];
                        continue;
                    }
                    BroadcastPublisher q = p;
                    long k = i++;
                    if (!attempt("publish", seen, 50_000_000L, () -> q.publish(BroadcastRingTest.record(k, 64),
                            Duration.ofMillis(50)))) {
                        failed.set(true);
                    }
                }
                if (p != null) {
                    p.close();
                }
            });
            Thread[] subscribers = new Thread[2];
            for (int t = 0; t < subscribers.length; t++) {
                int id = t;
                subscribers[t] = new Thread(() -> {
                    BroadcastSubscriber s = null;
                    ByteBuffer dst = ByteBuffer.allocate(200);
                    while (!stop.get()) {
                        if (s == null) {
                            BroadcastSubscriber[] got = new BroadcastSubscriber[1];
                            if (!attempt("subscriber()", seen, 0, () -> got[0] = ring.subscriber())) {
                                failed.set(true);
                            }
                            s = got[0];
                            continue;
                        }
                        BroadcastSubscriber q = s;
                        boolean ok = id == 0
                                ? attempt("poll", seen, 20_000_000L, () -> {
                                    dst.clear();
                                    q.poll(dst, Duration.ofMillis(20));
                                })
                                : attempt("read", seen, 20_000_000L, () -> q.read((b, off, len, seq) -> {
                                    if (len < 0 || len > 200 || off < 0 || off + len > b.capacity()) {
                                        throw new AssertionError("handed " + off + "+" + len);
                                    }
                                }, 16, Duration.ofMillis(20)));
                        if (!ok) {
                            failed.set(true);
                        }
                    }
                    if (s != null) {
                        s.close();
                    }
                });
            }
            Thread opener = new Thread(() -> {
                while (!stop.get()) {
                    if (!attempt("open", seen, 0, () -> BroadcastRing.open(name).close())) {
                        failed.set(true);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            });
            scribbler.start();
            publisher.start();
            for (Thread t : subscribers) {
                t.start();
            }
            opener.start();
            Thread.sleep(millis);
            stop.set(true);
            scribbler.join();
            publisher.join(10_000);
            for (Thread t : subscribers) {
                t.join(10_000);
            }
            opener.join(10_000);
            if (publisher.isAlive() || subscribers[0].isAlive() || subscribers[1].isAlive() || opener.isAlive()) {
                System.out.println("unexpected: a thread did not stop (hung)");
                return false;
            }
        }
        System.out.println("ok " + new TreeMap<>(seen));
        return !failed.get();
    }

    static boolean truncate(String name, BroadcastMode mode, long size) throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        boolean ok = true;
        try (BroadcastRing ring = BroadcastRing.create(name, mode, 1 << 13, 200);
             SharedMemory shm = SharedMemory.open(name)) {
            BroadcastPublisher p = ring.publisher();
            BroadcastSubscriber s = ring.subscriber();
            BroadcastSubscriber sleeper = ring.subscriber();
            for (int i = 0; i < 10; i++) {
                p.offer(BroadcastRingTest.record(i, 100));
            }
            ByteBuffer dst = ByteBuffer.allocate(200);
            while (sleeper.poll(dst.clear()) >= 0) {
                // drain: the sleeper then sleeps in take()
            }
            AtomicReference<Throwable> woke = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    sleeper.take(ByteBuffer.allocate(200));
                    woke.set(new AssertionError("take returned"));
                } catch (Throwable e) {
                    woke.set(e);
                }
            });
            t.start();
            Thread.sleep(100);
            shm.resize(size);
            long t0 = System.nanoTime();
            t.join(5000);
            long took = (System.nanoTime() - t0) / 1_000_000;
            if (!(woke.get() instanceof CorruptedException)) {
                System.out.println("unexpected: the sleeper ended with " + woke.get() + " after " + took + " ms");
                ok = false;
            } else {
                System.out.println("sleeper woke in " + took + " ms: " + woke.get().getMessage());
            }
            ok &= attempt("offer", seen, 0, () -> p.offer(BroadcastRingTest.record(11, 100)));
            ok &= attempt("publish", seen, 100_000_000L, () -> p.publish(BroadcastRingTest.record(12, 100),
                    Duration.ofMillis(100)));
            ok &= attempt("poll", seen, 0, () -> s.poll(dst.clear()));
            ok &= attempt("read", seen, 100_000_000L, () -> s.read((b, off, len, seq) -> { }, 10,
                    Duration.ofMillis(100)));
            ok &= attempt("subscriber()", seen, 0, ring::subscriber);
            ok &= attempt("publisher()", seen, 0, ring::publisher);
            ok &= attempt("subscriberCount", seen, 0, ring::subscriberCount);
            ok &= attempt("open", seen, 0, () -> BroadcastRing.open(name).close());
            // Once this process touched a vanished page (the fault guard saw it), every call reports it.
            for (String after : ring.region.isTruncated() ? new String[] {"offer", "poll"} : new String[0]) {
                try {
                    if (after.equals("offer")) {
                        p.offer(BroadcastRingTest.record(13, 100));
                    } else {
                        s.poll(dst.clear());
                    }
                    System.out.println("unexpected: " + after + " returned after the truncation was seen");
                    ok = false;
                } catch (CorruptedException | ClosedException e) {
                    seen.merge("again " + after + " " + e.getClass().getSimpleName(), 1, Integer::sum);
                }
            }
            ok &= attempt("close", seen, 0, () -> {
                s.close();
                p.close();
                ring.close();
            });
        }
        System.out.println((ok ? "ok " : "unexpected ") + seen);
        return ok;
    }
}
