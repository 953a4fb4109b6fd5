package dev.ipcj.posix;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.BusyException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** mq_notify as a Java callback, with messages sent by another process. */
class MessageQueueNotifyTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void callbackRunsWhenAMessageArrivesOnTheEmptyQueue() throws Exception {
        String n = names.next("mqnotify");
        try (MessageQueue q = MessageQueue.create(n, 4, 64)) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            MqNotification note = q.onMessage(queue -> {
                MqMessage m = queue.tryReceive();
                seen.add(Thread.currentThread().getName() + " " + (m == null ? "none" : m.text()));
            });
            assertTrue(note.isArmed());
            Processes.finish(Processes.startC("mq_peer", "send", n, "1:first"), 10);
            assertEquals("ipcj-mq-notify first", seen.poll(5, TimeUnit.SECONDS));
            assertFalse(note.isArmed(), "a registration fires once");
            assertEquals(1, note.deliveries());

            // Not re-armed: the next message is not announced.
            Processes.finish(Processes.startC("mq_peer", "send", n, "1:second"), 10);
            assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
            assertEquals("second", q.receive().text());

            // Re-armed: announced again.
            note.rearm();
            Processes.finish(Processes.startC("mq_peer", "send", n, "1:third"), 10);
            assertEquals("ipcj-mq-notify third", seen.poll(5, TimeUnit.SECONDS));

            // Cancelled: nothing more, and a cancelled registration cannot be re-armed.
            note.rearm();
            note.cancel();
            assertFalse(note.isArmed());
            Processes.finish(Processes.startC("mq_peer", "send", n, "1:fourth"), 10);
            assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
            assertThrows(dev.ipcj.ClosedException.class, note::rearm);
            assertEquals("fourth", q.receive().text());
        }
    }

    @Test
    void autoRearmAnnouncesEveryArrivalOnAnEmptyQueue() throws Exception {
        String n = names.next("mqnotifyauto");
        try (MessageQueue q = MessageQueue.create(n, 4, 64)) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (MqNotification note = q.onMessage(queue -> {
                MqMessage m;
                while ((m = queue.tryReceive()) != null) {
                    seen.add(m.text());
                }
            }, true)) {
                for (int i = 0; i < 3; i++) {
                    Processes.finish(Processes.startC("mq_peer", "send", n, "0:m" + i), 10);
                    assertEquals("m" + i, seen.poll(5, TimeUnit.SECONDS));
                    // the callback drained the queue and the registration was renewed before it ran
                    assertTrue(note.isArmed());
                }
                // A message can arrive while the previous callback still drains the queue: it is then
                // taken by that callback, and its own notification is dispatched a moment later.
                long until = System.nanoTime() + 5_000_000_000L;
                while (note.deliveries() < 3 && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                assertEquals(3, note.deliveries());
            }
        }
    }

    @Test
    void onlyOneProcessMayRegister() throws Exception {
        String n = names.next("mqnotifybusy");
        try (MessageQueue q = MessageQueue.create(n, 4, 64)) {
            Process holder = Processes.startC("mq_peer", "notify-hold", n);
            String line = Processes.readLine(holder);
            assertTrue(line.startsWith("registered "), line);
            BusyException e = assertThrows(BusyException.class, () -> q.onMessage(x -> { }));
            assertTrue(e.getMessage().startsWith("mq_notify(\"" + n + "\"): EBUSY: only one process may register"
                    + " for notification on a queue; "), e.getMessage());
            try (OutputStream in = holder.getOutputStream()) {
                in.write('\n');
            }
            Processes.finish(holder, 10);
            // The holder's exit released the registration: now this process may register.
            try (MqNotification note = q.onMessage(x -> { })) {
                assertTrue(note.isArmed());
                // A second registration through the same handle is refused in words.
                BusyException again = assertThrows(BusyException.class, () -> q.onMessage(x -> { }));
                assertTrue(again.getMessage().contains("this handle already holds"), again.getMessage());
            }
        }
    }

    @Test
    void closingTheQueueCancelsItsNotification() throws Exception {
        String n = names.next("mqnotifyclose");
        MessageQueue q = MessageQueue.create(n, 4, 64);
        MqNotification note = q.onMessage(x -> { });
        q.close();
        assertTrue(note.isCancelled());
        // The registration is gone from the kernel too: another handle can take it.
        try (MessageQueue other = MessageQueue.open(n); MqNotification again = other.onMessage(x -> { })) {
            assertTrue(again.isArmed());
        }
    }
}
