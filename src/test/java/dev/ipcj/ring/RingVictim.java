package dev.ipcj.ring;

import dev.ipcj.IpcException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A child JVM that uses a ring while its object is truncated or scribbled under it, and prints
 * the outcome of every call ("CALL -> ok" or "CALL -> ExceptionClass: message"; "UNTYPED" marks
 * an exception that is not an IpcException). If the JVM crashes, the parent sees its exit status.
 * <pre>
 * truncated NAME VARIANT SIZE   attach both sides, truncate the object to SIZE, call everything
 * </pre>
 */
public final class RingVictim {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "truncated":
                truncated(args[1], RingVariant.valueOf(args[2]), Long.parseLong(args[3]));
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

    /** Runs one call and prints its outcome; returns whether it threw a typed exception or succeeded. */
    static boolean outcome(String what, Call c) {
        try {
            Object r = c.run();
            System.out.println(what + " -> ok " + r);
            return true;
        } catch (IpcException | InterruptedException e) {
            System.out.println(what + " -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return true;
        } catch (Throwable t) {
            System.out.println(what + " -> UNTYPED " + t);
            t.printStackTrace(System.out);
            return false;
        } finally {
            System.out.flush();
        }
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
