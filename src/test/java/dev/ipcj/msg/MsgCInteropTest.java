package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.CorruptedException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C programs and Java mailboxes through {@code ipcj_msg.h} (the C peer is {@code src/test/c/msg_peer.c}):
 * C sends and Java receives, Java sends and C receives, on POSIX_MQ and SYSTEM_V; a C program's
 * plain text is refused as foreign without losing the next message; and every constant of the
 * C header agrees with Java's.
 */
@org.junit.jupiter.api.Timeout(60)
class MsgCInteropTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final int PID = (int) ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static Stream<Transport> kernelTransports() {
        return Stream.of(Transport.POSIX_MQ, Transport.SYSTEM_V);
    }

    private String name(String what) {
        String n = "/" + IpcNames.PREFIX + PID + "-c" + COUNTER.incrementAndGet() + "-" + what;
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        return n;
    }

    @ParameterizedTest
    @MethodSource("kernelTransports")
    void cSendsAndJavaReceives(Transport t) throws Exception {
        String n = name("c2j");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 128)) {
            Process c = Processes.startC("msg_peer", "send", n, "alpha", "beta", "");
            assertEquals("sent 3", Processes.finish(c, 20).trim());
            String[] want = {"alpha", "beta", ""};
            for (int i = 0; i < want.length; i++) {
                Message m = box.receive(Duration.ofSeconds(5));
                assertNotNull(m, "message " + i);
                assertEquals(want[i], m.text());
                assertEquals(c.pid(), m.sender());
                assertEquals(i, m.sequence());
            }
            assertNull(box.tryReceive());
        }
    }

    @ParameterizedTest
    @MethodSource("kernelTransports")
    void javaSendsAndCReceives(Transport t) throws Exception {
        String n = name("j2c");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 128)) {
            box.send("one", Codec.UTF8);
            box.send("two", Codec.UTF8);
            Process c = Processes.startC("msg_peer", "recv", n, "2");
            String out = Processes.finish(c, 20);
            assertTrue(out.contains("got one from " + PID + " seq 0"), out);
            assertTrue(out.contains("got two from " + PID + " seq 1"), out);
        }
    }

    @ParameterizedTest
    @MethodSource("kernelTransports")
    void aCProgramsPlainTextIsForeignAndTheNextMessageArrives(Transport t) throws Exception {
        String n = name("raw");
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(4), 128)) {
            assertEquals("sent raw", Processes.finish(Processes.startC("msg_peer", "raw", n, "plain text, no envelope"), 20).trim());
            box.send("good", Codec.UTF8);
            CorruptedException e = assertThrows(CorruptedException.class, () -> box.receive(Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("another program wrote to this mailbox's queue"), e.getMessage());
            Message m = box.receive(Duration.ofSeconds(5));
            assertEquals("good", m.text());
            assertEquals(PID, m.sender());
            // And the C side refuses a foreign message the same way.
            assertEquals("sent raw", Processes.finish(Processes.startC("msg_peer", "raw", n, "x".repeat(60)), 20).trim());
            String out = Processes.finish(Processes.startC("msg_peer", "recv", n, "1"), 20);
            assertTrue(out.startsWith("bad -"), out);
        }
    }

    @Test
    void theCHeaderReadsWhatJavaWrote() throws Exception {
        String n = name("hdr");
        try (Mailbox box = Mailbox.create(n, Transport.SYSTEM_V, Capacity.bounded(3), 100)) {
            String out = Processes.finish(Processes.startC("msg_peer", "header", n), 20).trim();
            assertEquals("transport 2 capacity 3 max 100 id1 " + box.header().id1, out);
        }
    }
}
