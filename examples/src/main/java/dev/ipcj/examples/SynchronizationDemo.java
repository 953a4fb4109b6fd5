package dev.ipcj.examples;

import static dev.ipcj.examples.Examples.say;

import dev.ipcj.launch.Child;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Message;
import dev.ipcj.msg.Transport;
import java.time.Duration;

/**
 * Synchronization: does a call wait?
 * <ul>
 *   <li>non-blocking: {@code tryReceive} on an empty mailbox and {@code trySend} on a full one
 *       return at once;</li>
 *   <li>timed: {@code receive(Duration)} gives up after the timeout;</li>
 *   <li>blocking: {@code receive()} sleeps in the kernel until another process sends;</li>
 *   <li>interrupted: a blocked receive throws InterruptedException, and the next message is not lost.</li>
 * </ul>
 * Run: {@code ./ipcj demo sync [--transport T]}
 */
public final class SynchronizationDemo {
    private SynchronizationDemo() {
    }

    /** {@code [--transport T]}, as {@code ipcj demo sync} takes them; "child BOX" in the child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("child")) {
            try (Mailbox box = Mailbox.open(args[1])) {
                Thread.sleep(500);
                box.send("sent after 500 ms", Codec.UTF8);
            }
            return;
        }
        run(Examples.Args.parse("sync", args, 0).transport());
    }

    /** Runs the example over transport {@code t}. */
    public static void run(Transport t) throws Exception {
        String name = "/ipcj-demo-" + Examples.PID + "-sync";
        try (Mailbox box = Mailbox.create(name, t, Capacity.bounded(2), 64)) {
            say("parent", "transport " + t + ", capacity " + box.capacity());
            long t0 = System.nanoTime();
            Message none = box.tryReceive();
            say("parent", "tryReceive on empty: " + none + " after " + micros(t0) + " µs");
            box.trySend("one", Codec.UTF8);
            box.trySend("two", Codec.UTF8);
            t0 = System.nanoTime();
            boolean third = box.trySend("three", Codec.UTF8);
            say("parent", "trySend on full: " + third + " after " + micros(t0) + " µs");
            box.receive();
            box.receive();
            t0 = System.nanoTime();
            Message late = box.receive(Duration.ofMillis(200));
            say("parent", "receive(200 ms) on empty: " + late + " after " + millis(t0) + " ms");

            Child c = Examples.child(SynchronizationDemo.class, "child", name);
            t0 = System.nanoTime();
            Message m = box.receive();                         // blocks in the kernel, no CPU used
            say("parent", "blocking receive got \"" + m.text() + "\" from pid " + m.sender() + " after "
                    + millis(t0) + " ms");
            Examples.await(c);

            Thread waiter = new Thread(() -> {
                try {
                    box.receive();
                } catch (InterruptedException e) {
                    say("parent", "blocked receive interrupted: InterruptedException");
                }
            });
            waiter.start();
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join();
            box.send("after the interrupt", Codec.UTF8);
            say("parent", "next receive: \"" + box.receive().text() + "\" (nothing lost)");
        } finally {
            Mailbox.unlinkIfExists(name);
        }
    }

    private static long micros(long t0) {
        return (System.nanoTime() - t0) / 1000;
    }

    private static long millis(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
