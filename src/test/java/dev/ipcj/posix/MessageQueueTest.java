package dev.ipcj.posix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.PermissionDeniedException;
import dev.ipcj.WouldBlockException;
import dev.ipcj.test.IpcNames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MessageQueueTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** The TimeUnit forms: waits as long as asked, not at all for 0 or less, never overflow, refuse a null unit. */
    @Test
    void timeUnitTimeoutsWaitAsAskedAndSaturate() throws Exception {
        String n = names.next("mqu");
        try (MessageQueue q = MessageQueue.create(n, 1, 64)) {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            long t0 = System.nanoTime();
            assertEquals(-1, q.tryReceive(b, 50, java.util.concurrent.TimeUnit.MILLISECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 45 && ms < 5_000, "waited " + ms + " ms");
            t0 = System.nanoTime();
            assertEquals(-1, q.tryReceive(b, -5, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a negative timeout does not wait");
            ByteBuffer m = ByteBuffer.allocateDirect(8).putInt(0, 42);
            assertTrue(q.trySend(m, 0, Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS), "room: sent at once");
            m.clear();
            assertFalse(q.trySend(m, 0, 20, java.util.concurrent.TimeUnit.MILLISECONDS), "full: false after the wait");
            b.clear();
            assertEquals(8, q.tryReceive(b, Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS));
            assertThrows(dev.ipcj.InvalidArgumentException.class, () -> q.tryReceive(b, 1, null));
            assertThrows(dev.ipcj.InvalidArgumentException.class, () -> q.trySend(m, 0, 1, null));
        }
        MessageQueue.unlink(n);
    }

    @Test
    void createSendReceiveAttributes() throws Exception {
        String n = names.next("mq");
        try (MessageQueue q = MessageQueue.create(n, 5, 128)) {
            assertEquals(5, q.maxMessages());
            assertEquals(128, q.maxMessageSize());
            MqAttributes a = q.attributes();
            assertEquals(new MqAttributes(false, 5, 128, 0), a);
            q.send("hello".getBytes(UTF_8), 3);
            ByteBuffer src = ByteBuffer.allocateDirect(64);
            src.put("direct".getBytes(UTF_8)).flip();
            q.send(src, 7);
            assertEquals(src.limit(), src.position(), "send consumes the buffer");
            assertEquals(2, q.currentMessages());

            ByteBuffer dst = ByteBuffer.allocateDirect(128);
            MqReceived got = new MqReceived();
            assertEquals(6, q.receive(dst, got));
            assertEquals(6, got.length());
            assertEquals(7, got.priority());
            assertEquals(6, dst.position());
            dst.flip();
            assertEquals("direct", UTF_8.decode(dst).toString());

            MqMessage m = q.receive();
            assertEquals("hello", m.text());
            assertEquals(3, m.priority());
            assertEquals(0, q.currentMessages());
        }
        MessageQueue.unlink(n);
        NotFoundException e = assertThrows(NotFoundException.class, () -> MessageQueue.open(n));
        assertTrue(e.getMessage().startsWith("mq_open(\"" + n + "\"): ENOENT"), e.getMessage());
    }

    @Test
    void createIsExclusiveOpenOrCreateIsNot() {
        String n = names.next("mqx");
        try (MessageQueue q = MessageQueue.create(n, 4, 64)) {
            AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> MessageQueue.create(n, 4, 64));
            assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
            try (MessageQueue o = MessageQueue.openOrCreate(n, 8, 256, 0600)) {
                assertEquals(4, o.maxMessages(), "an existing queue keeps its sizes");
                assertEquals(64, o.maxMessageSize());
            }
        }
        String fresh = names.next("mqoc");
        try (MessageQueue o = MessageQueue.openOrCreate(fresh, 3, 32, 0640)) {
            assertEquals(3, o.maxMessages());
        }
        String dflt = names.next("mqdef");
        try (MessageQueue d = MessageQueue.create(dflt)) {
            MqLimits l = MqLimits.current();
            assertEquals(Math.min(l.msgDefault(), l.msgMax()), d.maxMessages());
            assertEquals(Math.min(l.msgsizeDefault(), l.msgsizeMax()), d.maxMessageSize());
        }
    }

    @Test
    void priorityOrderThenFifo() throws Exception {
        String n = names.next("mqprio");
        try (MessageQueue q = MessageQueue.create(n, 10, 16)) {
            int[] prios = {1, 5, 0, 5, MqLimits.current().priorityMax() - 1, 1};
            for (int i = 0; i < prios.length; i++) {
                q.send(("m" + i).getBytes(UTF_8), prios[i]);
            }
            String order = "";
            for (int i = 0; i < prios.length; i++) {
                order += q.receive().text() + " ";
            }
            assertEquals("m4 m1 m3 m0 m5 m2 ", order);
        }
    }

    @Test
    void nonBlockingOnFullAndEmpty() throws Exception {
        String n = names.next("mqnb");
        try (MessageQueue q = MessageQueue.create(n, 2, 8)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(8);
            assertEquals(-1, q.tryReceive(dst));
            assertNull(q.tryReceive());
            assertTrue(q.trySend(new byte[] {1}, 0));
            assertTrue(q.trySend(new byte[] {2}, 0));
            ByteBuffer src = ByteBuffer.wrap(new byte[] {3});
            assertFalse(q.trySend(src, 0));
            assertEquals(0, src.position(), "a refused send leaves the buffer alone");

            // The O_NONBLOCK flag: blocking forms fail instead of waiting; try forms unchanged.
            assertFalse(q.setNonBlocking(true).nonBlocking());
            assertTrue(q.isNonBlocking());
            WouldBlockException full = assertThrows(WouldBlockException.class, () -> q.send(new byte[] {3}, 0));
            assertTrue(full.getMessage().contains("EAGAIN: the queue is full"), full.getMessage());
            assertFalse(q.trySend(new byte[] {3}, 0, Duration.ofMillis(10)));
            assertEquals(1, q.receive(dst));
            assertEquals(1, q.receive(dst.clear()));
            assertThrows(WouldBlockException.class, () -> q.receive(dst.clear()));
            assertEquals(-1, q.tryReceive(dst.clear(), Duration.ofMillis(10)));
            assertTrue(q.setNonBlocking(false).nonBlocking());
            assertFalse(q.attributes().nonBlocking());
        }
    }

    @Test
    void timeouts() throws Exception {
        String n = names.next("mqtime");
        try (MessageQueue q = MessageQueue.create(n, 1, 8)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(8);
            long t0 = System.nanoTime();
            assertEquals(-1, q.tryReceive(dst, Duration.ofMillis(100)));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= 95_000_000L, "returned after " + waited + " ns");
            assertTrue(waited < 2_000_000_000L, "returned after " + waited + " ns");
            assertNull(q.tryReceive(Duration.ZERO));

            assertTrue(q.trySend(new byte[] {1}, 0, Duration.ofMillis(100)));
            t0 = System.nanoTime();
            assertFalse(q.trySend(new byte[] {2}, 0, Duration.ofMillis(100)));
            waited = System.nanoTime() - t0;
            assertTrue(waited >= 95_000_000L, "returned after " + waited + " ns");

            // A message that comes during the wait ends it.
            MqReceived got = new MqReceived();
            assertEquals(1, q.tryReceive(dst, Duration.ofSeconds(5), got));
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    q.send(new byte[] {9, 9}, 4);
                } catch (InterruptedException ignored) {
                    // test ends
                }
            });
            t.start();
            assertEquals(2, q.tryReceive(dst.clear(), Duration.ofSeconds(5), got));
            assertEquals(4, got.priority());
            t.join();
        }
    }

    @Test
    void sizesAreCheckedBeforeTheCall() throws Exception {
        String n = names.next("mqsize");
        try (MessageQueue q = MessageQueue.create(n, 4, 100)) {
            q.send(new byte[100], 1);
            LimitExceededException big = assertThrows(LimitExceededException.class, () -> q.send(new byte[101], 1));
            assertEquals("mq_send(\"" + n + "\"): message of 101 bytes is longer than the queue's maxMessageSize 100"
                    + " (fixed when the queue was created); nothing was sent", big.getMessage());
            assertEquals(1, q.currentMessages(), "nothing was sent");

            InvalidArgumentException small = assertThrows(InvalidArgumentException.class,
                    () -> q.receive(ByteBuffer.allocateDirect(99)));
            assertTrue(small.getMessage().contains("receive buffer has 99 bytes remaining, fewer than the queue's"
                    + " maxMessageSize 100"), small.getMessage());
            assertThrows(InvalidArgumentException.class, () -> q.tryReceive(ByteBuffer.allocate(50)));
            assertThrows(InvalidArgumentException.class,
                    () -> q.tryReceive(ByteBuffer.allocateDirect(200).position(150), Duration.ofMillis(1)));
            assertEquals(1, q.currentMessages(), "nothing was consumed");

            InvalidArgumentException prio = assertThrows(InvalidArgumentException.class,
                    () -> q.send(new byte[1], 32768));
            assertTrue(prio.getMessage().contains("priority 32768 is outside 0..32767"), prio.getMessage());
            assertThrows(InvalidArgumentException.class, () -> q.trySend(new byte[1], -1));

            // Heap buffers work, through a copy; the position advances as for direct ones.
            ByteBuffer heap = ByteBuffer.allocate(300);
            heap.position(7);
            assertEquals(100, q.receive(heap));
            assertEquals(107, heap.position());
        }
    }

    @Test
    void badNamesAndSizes() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> MessageQueue.create("orders", 1, 1));
        assertTrue(e.getMessage().contains("name must start with '/'"), e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.create("/a/b", 1, 1));
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.create("/", 1, 1));
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.open("/" + "x".repeat(256)));
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.create(null, 1, 1));
        String n = names.next("mqbad");
        InvalidArgumentException zero = assertThrows(InvalidArgumentException.class,
                () -> MessageQueue.create(n, 0, 10));
        assertEquals("mq_open(\"" + n + "\"): maxMessages 0 must be at least 1", zero.getMessage());
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.create(n, 1, -5));
        assertThrows(InvalidArgumentException.class, () -> MessageQueue.create(n, 1, 1, 01000));
        assertThrows(NotFoundException.class, () -> MessageQueue.unlink(n));
        assertFalse(MessageQueue.unlinkIfExists(n));
    }

    @Test
    void accessModes() throws Exception {
        String n = names.next("mqacc");
        try (MessageQueue q = MessageQueue.create(n, 2, 8);
             MessageQueue r = MessageQueue.open(n, MessageQueue.Access.READ_ONLY);
             MessageQueue w = MessageQueue.open(n, MessageQueue.Access.WRITE_ONLY)) {
            assertThrows(PermissionDeniedException.class, () -> r.send(new byte[1], 0));
            assertThrows(PermissionDeniedException.class, () -> w.receive());
            w.send(new byte[] {42}, 2);
            assertEquals(42, r.receive().payload()[0]);
        }
    }

    @Test
    void useAfterClose() {
        String n = names.next("mqclosed");
        MessageQueue q = MessageQueue.create(n, 2, 8);
        q.close();
        q.close();
        assertFalse(q.isOpen());
        ClosedException e = assertThrows(ClosedException.class, () -> q.send(new byte[1], 0));
        assertEquals("mq(\"" + n + "\"): the queue handle is closed", e.getMessage());
        assertThrows(ClosedException.class, () -> q.trySend(new byte[1], 0));
        assertThrows(ClosedException.class, q::receive);
        assertThrows(ClosedException.class, q::tryReceive);
        assertThrows(ClosedException.class, () -> q.tryReceive(Duration.ofMillis(1)));
        assertThrows(ClosedException.class, q::attributes);
        assertThrows(ClosedException.class, () -> q.setNonBlocking(true));
        assertThrows(ClosedException.class, () -> q.onMessage(x -> { }));
        assertThrows(ClosedException.class, q::acquireDescriptor);
        MessageQueue.unlink(n); // the name outlives the handle
    }

    @Test
    void closeWhileAnotherThreadReceivesIsSafe() throws Exception {
        String n = names.next("mqclosewait");
        MessageQueue q = MessageQueue.create(n, 2, 8);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(q.receive());
            } catch (Throwable e) {
                got.set(e);
            }
        });
        t.start();
        Thread.sleep(50);
        q.close(); // must not close the descriptor under the receiver
        try (MessageQueue other = MessageQueue.open(n)) {
            other.send(new byte[] {5}, 1);
        }
        t.join(5000);
        assertFalse(t.isAlive());
        assertInstanceOf(MqMessage.class, got.get());
    }

    @Test
    void interruptWakesBlockedReceiveAndSend() throws Exception {
        String n = names.next("mqint");
        try (MessageQueue q = MessageQueue.create(n, 1, 8)) {
            for (int round = 0; round < 2; round++) {
                boolean sending = round == 1;
                if (sending) {
                    q.send(new byte[] {1}, 0); // full: the next send blocks
                }
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                CountDownLatch started = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    started.countDown();
                    try {
                        if (sending) {
                            q.send(new byte[] {2}, 0);
                        } else {
                            q.receive();
                        }
                        outcome.set(new AssertionError("returned without a message"));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                t.start();
                started.await();
                Thread.sleep(100);
                t.interrupt();
                t.join(5000);
                assertFalse(t.isAlive(), "interrupt did not wake the blocked call");
                assertInstanceOf(InterruptedException.class, outcome.get());
                assertEquals(sending ? 1 : 0, q.currentMessages(), "nothing sent or taken");
            }
            // The interrupted timed form too.
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> q.tryReceive(Duration.ofSeconds(5)));
            assertEquals(1, q.currentMessages());
        }
    }

    @Test
    void interruptsNeverLoseMessages() throws Exception {
        String n = names.next("mqrace");
        int rounds = 200;
        try (MessageQueue q = MessageQueue.create(n, 10, 8)) {
            int received = 0;
            for (int i = 0; i < rounds; i++) {
                AtomicReference<Boolean> got = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        q.receive();
                        got.set(true);
                    } catch (InterruptedException e) {
                        got.set(false);
                    }
                });
                t.start();
                if (i % 2 == 0) {
                    q.send(new byte[] {(byte) i}, 0);
                }
                t.interrupt();
                t.join(5000);
                assertFalse(t.isAlive(), "round " + i + ": still blocked");
                if (got.get()) {
                    received++;
                }
            }
            // Every message sent was either received or is still in the queue.
            assertEquals(rounds / 2, received + q.currentMessages());
        }
    }

    @Test
    void limitsAreLive() {
        MqLimits l = MqLimits.current();
        assertTrue(l.msgMax() > 0);
        assertTrue(l.msgsizeMax() > 0);
        assertTrue(l.queuesMax() > 0);
        assertEquals(32768, l.priorityMax());
        assertEquals(dev.ipcj.internal.SysFiles.readLong("/proc/sys/fs/mqueue/msg_max", -2), l.msgMax());
    }
}
