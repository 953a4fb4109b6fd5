package dev.ipcj.cli;

import dev.ipcj.msg.Capacity;
import dev.ipcj.msg.Inbox;
import dev.ipcj.msg.Mailbox;
import dev.ipcj.msg.Transport;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;

/**
 * A child for {@link RmDeadTest}: makes this process's inbox on a transport, registers a name for
 * it, creates a named mailbox and a named ring (attached as its producer), says READY and waits
 * to be killed, so that what it leaves is exactly what a process killed with SIGKILL leaves.
 *
 * <pre>  InboxHolder TRANSPORT CAPACITY REGISTERED_NAME MAILBOX RING</pre>
 * CAPACITY: "zero" or a number (bounded).
 */
public final class InboxHolder {
    private InboxHolder() {
    }

    public static void main(String[] args) throws Exception {
        Transport t = Transport.valueOf(args[0]);
        Capacity c = args[1].equals("zero") ? Capacity.zero() : Capacity.bounded(Integer.parseInt(args[1]));
        Inbox inbox = Inbox.create(t, c, 64).register(args[2]);
        Mailbox box = Mailbox.create(args[3], t, c, 64);
        SharedRing ring = SharedRing.create(args[4], RingVariant.ONE_TO_ONE, 4096, 64);
        RingProducer producer = ring.producer();
        System.out.println("READY " + inbox.name() + " " + box.name() + " " + ring.name() + " " + producer);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
