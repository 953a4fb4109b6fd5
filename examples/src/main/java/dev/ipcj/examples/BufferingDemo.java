package dev.ipcj.examples;

import static dev.ipcj.examples.Examples.say;

import dev.ipcj.IpcException;
import dev.ipcj.launch.Child;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Message;
import dev.ipcj.msg.Transport;
import java.time.Duration;

/**
 * Buffering: how many messages may wait?
 * <ul>
 *   <li>zero: a rendezvous; send returns only once the receiver (which starts late) holds the message;</li>
 *   <li>bounded(3): the fourth trySend finds the mailbox full;</li>
 *   <li>unbounded: a child sends 10000 messages without ever blocking and exits; they wait in
 *       /dev/shm, outside any heap, until the parent receives them;</li>
 *   <li>a capacity the transport cannot give is refused, naming the limit and the transport that can.</li>
 * </ul>
 * Run: {@code ./ipcj demo buffering [--transport T]}
 */
public final class BufferingDemo {
    private BufferingDemo() {
    }

    /** {@code [--transport T]}, as {@code ipcj demo buffering} takes them; "receiver|flood BOX" in a child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("receiver")) {
            try (Mailbox box = Mailbox.open(args[1])) {
                Thread.sleep(400);
                Message m = box.receive();
                say("child ", "took \"" + m.text() + "\" after sleeping 400 ms");
            }
            return;
        }
        if (args.length == 2 && args[0].equals("flood")) {
            try (Mailbox box = Mailbox.open(args[1])) {
                for (int i = 0; i < 10_000; i++) {
                    if (!box.trySend("message " + i, Codec.UTF8)) {
                        throw new IllegalStateException("an unbounded send would have blocked");
                    }
                }
                say("child ", "sent 10000 messages without blocking; exiting");
            }
            return;
        }
        run(Examples.Args.parse("buffering", args, 0).transport());
    }

    /** Runs the example over transport {@code t}. */
    public static void run(Transport t) throws Exception {
        String base = "/ipcj-demo-" + Examples.PID;
        try {
            try (Mailbox zero = Mailbox.create(base + "-zero", t, Capacity.zero(), 64)) {
                Child c = Examples.child(BufferingDemo.class, "receiver", zero.name());
                long t0 = System.nanoTime();
                zero.send("rendezvous", Codec.UTF8);
                say("parent", t + " zero: send returned after " + (System.nanoTime() - t0) / 1_000_000
                        + " ms, once the receiver held the message");
                Examples.await(c);
            }
            try (Mailbox bounded = Mailbox.create(base + "-bounded", t, Capacity.bounded(3), 64)) {
                for (int i = 1; i <= 4; i++) {
                    say("parent", t + " bounded(3): trySend #" + i + " -> " + bounded.trySend("m" + i, Codec.UTF8));
                }
            }
            try (Mailbox unbounded = Mailbox.create(base + "-unbounded", Transport.SHM_LOG, Capacity.unbounded(), 64)) {
                Examples.await(Examples.child(BufferingDemo.class, "flood", unbounded.name()));
                say("parent", "SHM_LOG unbounded: the sender has exited; " + unbounded.pending() + " messages wait");
                int n = 0;
                Message last = null;
                for (Message m; (m = unbounded.receive(Duration.ofSeconds(1))) != null; n++) {
                    last = m;
                }
                say("parent", "received " + n + ", the last \"" + last.text() + "\" from pid " + last.sender());
            }
            Transport refuser = t == Transport.SHM_LOG ? Transport.POSIX_MQ : t;
            try {
                Mailbox.create(base + "-refused", refuser, refuser == Transport.POSIX_MQ
                        ? Capacity.bounded(100_000) : Capacity.unbounded(), 64).close();
            } catch (IpcException e) {
                say("parent", "refused: " + e.getMessage());
            }
        } finally {
            for (String s : new String[] {"-zero", "-bounded", "-unbounded", "-refused"}) {
                Mailbox.unlinkIfExists(base + s);
            }
        }
    }
}
