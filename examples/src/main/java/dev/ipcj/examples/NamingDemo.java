package dev.ipcj.examples;

import static dev.ipcj.examples.Examples.say;

import dev.ipcj.launch.Child;
import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Codec;
import dev.ipcj.msg.Inbox;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Message;
import dev.ipcj.msg.Transport;
import java.time.Duration;

/**
 * Naming: who does a process send to?
 * <ul>
 *   <li><b>Indirect</b>: to a mailbox both processes know by name ({@code /ipcj-demo-PID-orders});
 *       any process may open it, and the sender's identity comes with each message.</li>
 *   <li><b>Direct</b>: to a process. The parent owns an {@link Inbox} registered as a name; the
 *       child sends to that name and gets the reply in its own inbox, addressed by its pid,
 *       receiving only from the parent.</li>
 * </ul>
 * Run: {@code ./ipcj demo naming [--transport T]}
 */
public final class NamingDemo {
    private NamingDemo() {
    }

    /** {@code [--transport T]}, as {@code ipcj demo naming} takes them; "child BOX SERVICE" in the child. */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("child")) {
            child(args[1], args[2]);
            return;
        }
        run(Examples.Args.parse("naming", args, 0).transport());
    }

    /** Runs the example over transport {@code t}. */
    public static void run(Transport t) throws Exception {
        String box = "/ipcj-demo-" + Examples.PID + "-orders";
        String service = "ipcj-demo-" + Examples.PID;
        say("parent", "transport " + t);
        try (Mailbox orders = Mailbox.create(box, t, Capacity.bounded(4), 128);
             Inbox inbox = Inbox.create(t, Capacity.bounded(4), 128).register(service)) {
            Child c = Examples.child(NamingDemo.class, "child", box, service);
            Message m = orders.receive(Duration.ofSeconds(30));
            say("parent", "indirect: mailbox " + box + " gave \"" + m.text() + "\" from pid " + m.sender());
            Message hello = inbox.receive(Duration.ofSeconds(30));
            say("parent", "direct: my inbox \"" + service + "\" got \"" + hello.text() + "\" from pid " + hello.sender());
            try (Mailbox back = Mailbox.toProcess(hello.sender())) {   // reply to the sender by its pid
                back.send("hello, " + hello.sender(), Codec.UTF8);
            }
            Examples.await(c);
        } finally {
            Mailbox.unlinkIfExists(box);
        }
    }

    private static void child(String box, String service) throws Exception {
        Transport t;
        try (Mailbox orders = Mailbox.open(box)) {                    // indirect: by the mailbox's name
            orders.send("order #1", Codec.UTF8);
            t = orders.transport();
        }
        try (Inbox mine = Inbox.create(t, Capacity.bounded(4), 128);
             Mailbox parent = Mailbox.toProcess(service)) {          // direct: by the name the parent registered
            parent.send("hello from the child", Codec.UTF8);
            long parentPid = Inbox.lookup(service);
            Message reply = mine.receiveFrom(parentPid, Duration.ofSeconds(30)); // only from the parent
            say("child ", "direct: got \"" + reply.text() + "\" from pid " + reply.sender() + " (the parent)");
        }
    }
}
