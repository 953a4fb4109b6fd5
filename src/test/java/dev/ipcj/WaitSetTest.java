package dev.ipcj;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.posix.MessageQueue;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WaitSetTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void tellsWhichQueueAnotherProcessMadeReadable() throws Exception {
        String a = names.next("wsa");
        String b = names.next("wsb");
        String c = names.next("wsc");
        try (MessageQueue qa = MessageQueue.create(a, 2, 16);
             MessageQueue qb = MessageQueue.create(b, 2, 16);
             MessageQueue qc = MessageQueue.create(c, 2, 16);
             WaitSet ws = new WaitSet()) {
            ws.add(qa, WaitSet.READABLE);
            ws.add(qb, WaitSet.READABLE);
            ws.add(qc, WaitSet.READABLE);
            assertEquals(3, ws.size());
            long t0 = System.nanoTime();
            assertEquals(0, ws.await(Duration.ofMillis(50)), "nothing is readable yet");
            assertTrue(System.nanoTime() - t0 >= 45_000_000L);
            assertEquals(0, ws.poll());

            Process p = Processes.startC("mq_peer", "sleep-send", b, "50", "1:hello");
            assertEquals(1, ws.await(Duration.ofSeconds(10)));
            assertSame(qb, ws.ready(0));
            assertTrue(ws.isReadable(0));
            assertTrue(ws.isReadable(qb));
            assertFalse(ws.isReadable(qa));
            Processes.finish(p, 10);

            // Level-triggered: still readable until received.
            Processes.finish(Processes.startC("mq_peer", "send", c, "2:x"), 10);
            assertEquals(2, ws.await(Duration.ofSeconds(1)));
            assertTrue(ws.isReadable(qb) && ws.isReadable(qc));
            assertEquals("hello", qb.receive().text());
            assertEquals(1, ws.await());
            assertSame(qc, ws.ready(0));
            assertThrows(IndexOutOfBoundsException.class, () -> ws.ready(1));

            assertTrue(ws.remove(qc));
            assertFalse(ws.remove(qc));
            assertEquals(0, ws.poll(), "a removed queue is not reported");
        }
    }

    @Test
    void writableMeansThereIsRoom() throws Exception {
        String a = names.next("wsw");
        try (MessageQueue q = MessageQueue.create(a, 1, 8); WaitSet ws = new WaitSet()) {
            ws.add(q, WaitSet.READABLE | WaitSet.WRITABLE);
            assertEquals(1, ws.poll());
            assertTrue(ws.isWritable(q));
            assertFalse(ws.isReadable(q));
            q.send(new byte[] {1}, 0);
            assertEquals(1, ws.poll());
            assertFalse(ws.isWritable(q), "the queue is full");
            assertTrue(ws.isReadable(q));
            ws.modify(q, WaitSet.WRITABLE);
            assertEquals(0, ws.await(Duration.ofMillis(20)));
            assertThrows(AlreadyExistsException.class, () -> ws.add(q, WaitSet.READABLE));
            assertThrows(InvalidArgumentException.class, () -> ws.modify(q, 0x40));
        }
    }

    @Test
    void interruptEndsAWaitAndClosedMembersAreDropped() throws Exception {
        String a = names.next("wsi");
        MessageQueue q = MessageQueue.create(a, 1, 8);
        try (WaitSet ws = new WaitSet()) {
            ws.add(q, WaitSet.READABLE);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    ws.await();
                    outcome.set(new AssertionError("woke without an event"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            t.start();
            Thread.sleep(100);
            t.interrupt();
            t.join(5000);
            assertFalse(t.isAlive(), "interrupt did not wake epoll_wait");
            assertInstanceOf(InterruptedException.class, outcome.get());

            // Closing a member while in the set: it is not reported, and the set lets go of it.
            q.send(new byte[] {1}, 0);
            q.close();
            assertEquals(0, ws.poll());
            assertEquals(0, ws.size());
        }
        MessageQueue.unlink(a);
        WaitSet closed = new WaitSet();
        closed.close();
        assertThrows(ClosedException.class, closed::poll);
    }
}
