package dev.ipcj.sysv;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.AlreadyExistsException;
import dev.ipcj.ClosedException;
import dev.ipcj.InvalidArgumentException;
import dev.ipcj.LimitExceededException;
import dev.ipcj.NotFoundException;
import dev.ipcj.RemovedException;
import dev.ipcj.jni.SysvMsg;
import dev.ipcj.NativeScenarios;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SysvMessageQueueTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private SysvMessageQueue track(SysvMessageQueue q) {
        int id = q.id();
        names.onCleanup(() -> SysvMsg.msgctlRmid(id));
        return q;
    }

    private static String text(SysvMessage m) {
        return new String(m.bytes(), StandardCharsets.UTF_8);
    }

    private static void send(SysvMessageQueue q, long type, String s) throws InterruptedException {
        q.send(SysvMessage.allocate(64).set(type, s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sendReceiveAndStat() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        SysvMessage m = SysvMessage.allocate(100);
        send(q, 5, "hello");
        MsgQueueStat st = q.stat();
        assertEquals(1, st.messages());
        assertEquals(5, st.bytes());
        assertEquals(ProcessHandle.current().pid(), st.lastSendPid());
        assertEquals(0600, st.permissions().mode());
        q.receive(m);
        assertEquals(5, m.type());
        assertEquals("hello", text(m));
        assertFalse(m.truncated());
        assertEquals(0, q.stat().messages());
        assertEquals(ProcessHandle.current().pid(), q.stat().lastReceivePid());
        assertFalse(q.tryReceive(m, 0), "empty queue, NO_WAIT");

        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put("xyz".getBytes(StandardCharsets.UTF_8)).flip();
        q.send(9, direct);
        assertEquals(direct.limit(), direct.position(), "a sent buffer is consumed");
        assertTrue(q.tryReceive(m, 9));
        assertEquals("xyz", text(m));
        assertEquals(0, SysvMessage.allocate(0).capacity());
        q.send(SysvMessage.allocate(0).type(3));
        assertTrue(q.tryReceive(m, 3));
        assertEquals(0, m.size());
    }

    @Test
    void selectiveReceiveByType() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        SysvMessage m = SysvMessage.allocate(64);
        send(q, 3, "a3");
        send(q, 1, "b1");
        send(q, 7, "c7");
        send(q, 2, "d2");
        send(q, 3, "e3");
        q.receive(m, 3); // first of type 3
        assertEquals("a3", text(m));
        assertTrue(q.receive(m, 3, SysvMessageQueue.EXCEPT)); // first not of type 3
        assertEquals("b1", text(m));
        q.receive(m, -5); // lowest type <= 5: 2
        assertEquals("d2", text(m));
        assertEquals(2, m.type());
        q.receive(m, -5);
        assertEquals("e3", text(m));
        assertFalse(q.tryReceive(m, -5), "only type 7 is left");
        q.receive(m, 0);
        assertEquals("c7", text(m));
        assertThrows(InvalidArgumentException.class, () -> q.receive(m, 0, SysvMessageQueue.EXCEPT));
        assertThrows(InvalidArgumentException.class, () -> q.receive(m, 1, 64));
    }

    @Test
    void tooLongMessageStaysOrIsTruncatedAndSaysSo() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        send(q, 1, "0123456789");
        SysvMessage small = SysvMessage.allocate(4);
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> q.receive(small));
        assertTrue(e.getMessage().contains("E2BIG") && e.getMessage().contains("capacity of 4 bytes"), e.getMessage());
        assertEquals(1, q.stat().messages(), "the message stays in the queue");
        assertTrue(q.receive(small, 0, SysvMessageQueue.TRUNCATE | SysvMessageQueue.NO_WAIT));
        assertTrue(small.truncated());
        assertEquals("0123", text(small));
        // Exactly the capacity is not a truncation.
        send(q, 1, "abcd");
        assertTrue(q.receive(small, 0, SysvMessageQueue.TRUNCATE));
        assertFalse(small.truncated());
        assertEquals("abcd", text(small));
    }

    @Test
    void keysAndPermissionsAndMaxBytes() throws Exception {
        IpcKey key = TestKeys.next();
        SysvMessageQueue q = track(SysvMessageQueue.create(key, 0620));
        assertThrows(AlreadyExistsException.class, () -> SysvMessageQueue.create(key));
        try (SysvMessageQueue o = SysvMessageQueue.open(key); SysvMessageQueue oc = SysvMessageQueue.openOrCreate(key, 0600)) {
            assertEquals(q.id(), o.id());
            assertEquals(q.id(), oc.id());
            assertEquals(0620, o.stat().permissions().mode());
        }
        assertEquals(SysvLimits.msgmnb(), q.stat().maxBytes(), "default capacity is msgmnb");
        q.setMaxBytes(100);
        assertEquals(100, q.stat().maxBytes());
        SysvMessage m = SysvMessage.allocate(60).size(60).type(1);
        assertTrue(q.trySend(m));
        assertFalse(q.trySend(m), "60 + 60 > 100 bytes: full");
        IpcPermissions p = q.stat().permissions();
        q.setPermissions(p.uid(), p.gid(), 0600);
        assertEquals(0600, q.stat().permissions().mode());
        assertEquals(100, q.stat().maxBytes(), "setPermissions keeps the capacity");
        q.remove();
        assertThrows(NotFoundException.class, () -> SysvMessageQueue.open(key));
    }

    @Test
    void messageAboveMsgmaxNamesTheLimit() {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        long max = SysvLimits.msgmax();
        SysvMessage big = SysvMessage.allocate((int) max + 1).type(1);
        big.size((int) max + 1);
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> q.trySend(big));
        assertEquals("msgsnd(id " + q.id() + "): EINVAL: message of " + (max + 1) + " bytes > /proc/sys/kernel/msgmax "
                + max + " (raise it: sysctl kernel.msgmax=...)", e.getMessage());
    }

    @Test
    void misuseIsAnException() {
        assertThrows(NotFoundException.class, () -> SysvMessageQueue.open(TestKeys.next()));
        assertThrows(RemovedException.class, () -> SysvMessageQueue.ofId(Integer.MAX_VALUE - 3));
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        SysvMessage m = SysvMessage.allocate(8);
        assertThrows(InvalidArgumentException.class, () -> q.trySend(m.type(0)), "type 0");
        assertThrows(InvalidArgumentException.class, () -> q.send(1, ByteBuffer.allocate(4)), "heap buffer");
        assertThrows(InvalidArgumentException.class, () -> m.size(9));
        assertThrows(LimitExceededException.class, () -> m.set(1, new byte[9]));
        SysvMessageQueue stale = SysvMessageQueue.ofId(q.id());
        q.remove();
        RemovedException r = assertThrows(RemovedException.class, () -> stale.trySend(m.type(1)));
        assertTrue(r.getMessage().contains("no message queue has id " + q.id()), r.getMessage());
        assertThrows(RemovedException.class, () -> stale.tryReceive(m, 0));
        q.close();
        assertThrows(ClosedException.class, q::stat);
        assertThrows(ClosedException.class, () -> q.tryReceive(m, 0));
    }

    @Test
    void interruptWakesABlockedReceiveAndLosesNothing() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                q.receive(SysvMessage.allocate(8));
                outcome.set(new AssertionError("received from an empty queue"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.start();
        started.await();
        waitForReceiverBlocked(q);
        t.interrupt();
        t.join(5000);
        assertFalse(t.isAlive(), "interrupt did not wake msgrcv");
        assertInstanceOf(InterruptedException.class, outcome.get());
        send(q, 1, "kept");
        SysvMessage m = SysvMessage.allocate(8);
        assertTrue(q.tryReceive(m, 0));
        assertEquals("kept", text(m));
    }

    @Test
    void repeatedInterruptsNeverLoseMessages() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        int rounds = 100;
        int received = 0;
        for (int i = 0; i < rounds; i++) {
            AtomicReference<Boolean> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    q.receive(SysvMessage.allocate(8));
                    got.set(true);
                } catch (InterruptedException e) {
                    got.set(false);
                }
            });
            t.start();
            if (i % 2 == 0) {
                send(q, 1, "m");
            }
            t.interrupt();
            t.join(5000);
            assertFalse(t.isAlive(), "round " + i);
            if (got.get()) {
                received++;
            }
        }
        assertEquals(rounds / 2, received + q.stat().messages());
    }

    @Test
    void removalWakesABlockedReceiverWithRemovedException() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                q.receive(SysvMessage.allocate(8));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.start();
        waitForReceiverBlocked(q);
        q.remove();
        t.join(5000);
        assertFalse(t.isAlive());
        RemovedException e = assertInstanceOf(RemovedException.class, outcome.get());
        assertEquals("msgrcv(id " + q.id() + "): EIDRM: the message queue was removed while waiting", e.getMessage());
    }

    /** No API says "a receiver is blocked"; give it a moment after it started. */
    private static void waitForReceiverBlocked(SysvMessageQueue q) throws InterruptedException {
        Thread.sleep(100);
    }

    @Test
    void echoThroughCAndSecondJvm() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        Process c = Processes.startC("sysv_peer", "msg-echo", "" + q.id(), "1", "2");
        Process j = Processes.startJava(SysvPeerMain.class, "msg-echo", "" + q.id(), "3", "4");
        try {
            SysvMessage m = SysvMessage.allocate(256);
            for (int i = 0; i < 20; i++) {
                send(q, 1, "to C " + i);
                q.receive(m, 2);
                assertEquals("to C " + i, text(m));
                send(q, 3, "to JVM " + i);
                q.receive(m, 4);
                assertEquals("to JVM " + i, text(m));
            }
            assertEquals(0, q.stat().messages());
        } finally {
            q.remove(); // the echoes see EIDRM and exit 0
            Processes.finish(c, 10);
            Processes.finish(j, 30);
        }
    }

    @Test
    void cAndSecondJvmSendJavaReceivesAndViceVersa() throws Exception {
        SysvMessageQueue q = track(SysvMessageQueue.create(IpcKey.PRIVATE));
        Processes.finish(Processes.startC("sysv_peer", "msg-send", "" + q.id(), "11", "from C"), 10);
        Processes.finish(Processes.startJava(SysvPeerMain.class, "msg-send", "" + q.id(), "12", "from JVM"), 30);
        SysvMessage m = SysvMessage.allocate(64);
        q.receive(m, 12);
        assertEquals("from JVM", text(m));
        q.receive(m, 11);
        assertEquals("from C", text(m));
        send(q, 8, "lowest");
        send(q, 6, "to C");
        assertEquals("6:to C", Processes.finish(Processes.startC("sysv_peer", "msg-recv", "" + q.id(), "-7"), 10).trim());
        assertEquals("8:lowest", Processes.finish(Processes.startC("sysv_peer", "msg-recv", "" + q.id(), "0"), 10).trim());
    }

    /**
     * Issue 10, finding 1: the shim memcpy()ed a caller's buffer into a msgbuf, so a direct buffer
     * over a mapping another process had truncated crashed the JVM in libc. Now Java copies it
     * (a guarded copy) and the send fails with CorruptedException.
     */
    @Test
    void sendFromABufferOverATruncatedMappingIsCorruptedNotACrash() throws Exception {
        String n = names.next("sysvtrunc");
        ChildJvm.Result r = ChildJvm.run(NativeScenarios.class, 60, "sysv-send-truncated", n);
        assertFalse(r.crashed(), r.describe());
        java.util.List<String> out = r.lines("RESULT ");
        assertEquals(1, out.size(), r.describe());
        assertTrue(out.get(0).matches("send: CorruptedException: msgsnd\\(id \\d+\\): (EFAULT: )?the memory under the payload buffer is"
                + " gone: another process truncated the object it maps"), r.describe());
    }
}
