package dev.ipcj.ring;

import dev.ipcj.IpcException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A child JVM that uses a ring while its object is truncated or scribbled under it, and prints
 * the outcome of every call ("CALL -> ok" or "CALL -> ExceptionClass: message"; "UNTYPED" marks
 * an exception that is not an IpcException). If the JVM crashes, the parent sees its exit status.
 * <pre>
 * truncated NAME VARIANT SIZE        attach both sides, truncate the object to SIZE, call everything
 * hostile-truncate PREFIX SEED COUNT  COUNT trials of RingHostileTest: rings PREFIX-k truncated while
 *                                     idle, under traffic, or while a side sleeps in FUTEX_WAIT
 * </pre>
 * Every trial's threads must end within a deadline ("HANG" otherwise) in a typed exception.
 */
public final class RingVictim {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "truncated":
                truncated(args[1], RingVariant.valueOf(args[2]), Long.parseLong(args[3]));
                break;
            case "hostile-truncate":
                hostileTruncate(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("end");
        System.out.flush();
    }

    static void truncate(String name, long size) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of("/dev/shm" + name), StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    interface Call {
        Object run() throws Exception;
    }

    static final boolean INTERPRETED = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
            .contains("-Xint");

    /**
     * How an exception counts: "" typed; "ESCAPED " a mapping fault that compiled code reported
     * after the ring's call had returned, in the caller's own code (the documented residual of
     * dev.ipcj.internal.Faults; never accepted when interpreted, where FaultPoint delivers it in
     * the call); "UNTYPED " anything else.
     */
    static String judge(Throwable t) {
        if (t == null || t instanceof IpcException || t instanceof InterruptedException) {
            return "";
        }
        if (!INTERPRETED && dev.ipcj.internal.Faults.isMappingFault(t) && t.getStackTrace().length > 0
                && !library(t.getStackTrace()[0].getClassName())) {
            return "ESCAPED ";
        }
        return "UNTYPED ";
    }

    private static boolean library(String cls) {
        return cls.startsWith("dev.ipcj.ring.SharedRing") || cls.startsWith("dev.ipcj.ring.RingProducer")
                || cls.startsWith("dev.ipcj.ring.RingConsumer") || cls.startsWith("dev.ipcj.ring.RingMemory")
                || cls.startsWith("dev.ipcj.internal.") || cls.startsWith("dev.ipcj.MappedRegion")
                || cls.startsWith("dev.ipcj.posix.");
    }

    /** Runs one call and prints its outcome; returns whether it threw a typed exception or succeeded. */
    static boolean outcome(String what, Call c) {
        try {
            Object r = c.run();
            System.out.println(what + " -> ok " + r);
            return true;
        } catch (Throwable t) {
            String j = judge(t);
            System.out.println(what + " -> " + j + t.getClass().getSimpleName() + ": " + t.getMessage());
            if (!j.isEmpty()) {
                t.printStackTrace(System.out);
            }
            return !j.equals("UNTYPED ");
        } finally {
            System.out.flush();
        }
    }

    /** A thread's end: null while running, "ok ..." or the exception. */
    static final class Side extends Thread {
        final java.util.concurrent.Callable<String> body;
        volatile String result;
        volatile Throwable error;
        volatile long endedAt;

        Side(String name, java.util.concurrent.Callable<String> body) {
            super(name);
            this.body = body;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                result = "ok " + body.call();
            } catch (Throwable t) {
                error = t;
                result = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            endedAt = System.nanoTime();
        }
    }

    private static void hostileTruncate(String prefix, long seed, int count) throws Exception {
        java.util.Random rnd = new java.util.Random(seed);
        int untyped = 0;
        for (int k = 0; k < count; k++) {
            String name = prefix + "-" + k;
            RingVariant v = rnd.nextBoolean() ? RingVariant.ONE_TO_ONE : RingVariant.MANY_TO_ONE;
            int cap = 4096 << rnd.nextInt(3);
            long[] sizes = {0, 1, 4096, 4096 + cap / 2, 4096 + cap - 4096 / 2};
            long size = sizes[rnd.nextInt(sizes.length)];
            String kind = new String[] {"idle", "traffic", "asleep-consumer", "asleep-producer"}[rnd.nextInt(4)];
            SharedRing ring = SharedRing.create(name, v, cap, 100);
            RingProducer p = ring.producer();
            RingConsumer c = ring.consumer();
            List<Side> sides = new java.util.ArrayList<>();
            long stop = System.nanoTime() + 3_000_000_000L;
            switch (kind) {
                case "traffic":
                    sides.add(new Side("producer", () -> {
                        long n = 0;
                        while (System.nanoTime() < stop) {
                            if (p.offer(Records.make(n, 0, 100), Duration.ofMillis(10))) {
                                n++;
                            }
                        }
                        return n + " records";
                    }));
                    sides.add(new Side("consumer", () -> {
                        long n = 0;
                        long[] garbage = {0};
                        // A handler may see garbage from pages that vanished (the JVM reports the
                        // fault a little later): the ring's own exception is what is judged here.
                        RecordHandler h = (b, o, l) -> {
                            try {
                                Records.check(b, o, l, 100);
                            } catch (AssertionError e) {
                                garbage[0]++;
                            }
                        };
                        while (System.nanoTime() < stop) {
                            n += c.read(h, 50, Duration.ofMillis(10));
                        }
                        return n + " records, " + garbage[0] + " garbage";
                    }));
                    break;
                case "asleep-consumer":
                    sides.add(new Side("consumer", () -> String.valueOf(c.take() == null)));
                    break;
                case "asleep-producer":
                    while (p.offer(Records.make(0, 0, 100))) {
                        // fill
                    }
                    sides.add(new Side("producer", () -> {
                        p.put(Records.make(1, 0, 100));
                        return "put";
                    }));
                    break;
                default:
                    break;
            }
            for (Side t : sides) {
                t.start();
            }
            Thread.sleep(kind.equals("idle") ? 0 : 20 + rnd.nextInt(40));
            truncate(name, size);
            long truncatedAt = System.nanoTime();
            if (kind.equals("idle")) {
                sides.add(new Side("offer", () -> String.valueOf(p.offer(Records.make(9, 0, 100), Duration.ofMillis(5)))));
                sides.add(new Side("poll", () -> String.valueOf(c.poll(Duration.ofMillis(5)))));
                for (Side t : sides) {
                    t.start();
                }
            }
            StringBuilder line = new StringBuilder("trial " + k + " " + v + " cap " + cap + " " + kind + " size " + size
                    + ":");
            for (Side t : sides) {
                t.join(6_000);
                if (t.isAlive()) {
                    line.append(" HANG ").append(t.getName());
                    untyped++;
                    continue;
                }
                Throwable e = t.error;
                String j = judge(e);
                if (j.equals("UNTYPED ")) {
                    untyped++;
                    e.printStackTrace(System.out);
                }
                line.append(" ").append(j).append(t.getName()).append(" -> ").append(t.result)
                        .append(" (").append((t.endedAt - truncatedAt) / 1_000_000).append(" ms after)");
                if (kind.startsWith("asleep") && !(e instanceof IpcException)) {
                    line.append(" UNREPORTED"); // a sleeper must wake and report the truncation
                    untyped++;
                }
            }
            untyped += outcome("producer close " + k, () -> {
                p.close();
                return null;
            }) ? 0 : 1;
            untyped += outcome("consumer close " + k, () -> {
                c.close();
                return null;
            }) ? 0 : 1;
            untyped += outcome("ring close " + k, () -> {
                ring.close();
                return null;
            }) ? 0 : 1;
            SharedRing.unlinkIfExists(name);
            System.out.println(line);
            System.out.flush();
        }
        System.out.println(untyped == 0 ? "all typed" : untyped + " UNTYPED or HANG");
    }

    private static void truncated(String name, RingVariant v, long size) throws Exception {
        SharedRing ring = SharedRing.create(name, v, 8192, 100);
        RingProducer p = ring.producer();
        RingConsumer c = ring.consumer();
        for (int i = 0; i < 3; i++) {
            p.offer(Records.make(i, 0, 100));
        }
        c.poll();
        int claim = p.tryClaim(20);
        truncate(name, size);
        byte[] m = Records.make(7, 0, 100);
        Duration d = Duration.ofMillis(20);
        outcome("commit", () -> {
            p.commit(claim);
            return null;
        });
        outcome("offer", () -> p.offer(m));
        outcome("offer(ByteBuffer)", () -> p.offer(ByteBuffer.wrap(m)));
        outcome("offer timed", () -> p.offer(m, d));
        outcome("tryClaim", () -> p.tryClaim(10));
        outcome("poll", c::poll);
        outcome("poll timed", () -> c.poll(d));
        outcome("poll(ByteBuffer)", () -> c.poll(ByteBuffer.allocate(200)));
        outcome("read", () -> c.read((b, o, l) -> b.get(o)));
        outcome("read timed", () -> c.read((b, o, l) -> b.get(o), 10, d));
        outcome("producer()", ring::producer);
        outcome("consumer()", ring::consumer);
        outcome("open", () -> SharedRing.open(name));
        outcome("producer close", () -> {
            p.close();
            return null;
        });
        outcome("consumer close", () -> {
            c.close();
            return null;
        });
        outcome("ring close", () -> {
            ring.close();
            return null;
        });
        outcome("poll after close", c::poll);
    }
}
