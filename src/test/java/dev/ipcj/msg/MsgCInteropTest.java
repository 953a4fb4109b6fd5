package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.CorruptedException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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

    @Test
    void theCHeaderAgreesWithJavaOnEveryConstant() throws Exception {
        String out = Processes.finish(Processes.startC("msg_peer", "consts"), 20);
        Map<String, Long> c = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2) {
                c.put(f[0], Long.parseLong(f[1]));
            }
        }
        Map<String, Long> java = new HashMap<>();
        java.put("IPCJ_MSG_MAGIC", (long) Envelope.MAGIC);
        java.put("IPCJ_MSG_VERSION", (long) Envelope.VERSION);
        java.put("IPCJ_MSG_HEADER_WORDS", (long) Envelope.HEADER_WORDS);
        java.put("IPCJ_MSG_ENVELOPE_SIZE", (long) Envelope.SIZE);
        java.put("IPCJ_MSG_FLAG_ACK", (long) Envelope.FLAG_ACK);
        java.put("IPCJ_MSG_FLAG_REQUEST", (long) Envelope.FLAG_REQUEST);
        java.put("IPCJ_MSG_FLAG_REPLY", (long) Envelope.FLAG_REPLY);
        java.put("IPCJ_MSG_OFF_MAGIC", (long) Envelope.OFF_MAGIC);
        java.put("IPCJ_MSG_OFF_VERSION", (long) Envelope.OFF_VERSION);
        java.put("IPCJ_MSG_OFF_WORDS", (long) Envelope.OFF_WORDS);
        java.put("IPCJ_MSG_OFF_FLAGS", (long) Envelope.OFF_FLAGS);
        java.put("IPCJ_MSG_OFF_LENGTH", (long) Envelope.OFF_LENGTH);
        java.put("IPCJ_MSG_OFF_SENDER", (long) Envelope.OFF_SENDER);
        java.put("IPCJ_MSG_OFF_SEQUENCE", (long) Envelope.OFF_SEQUENCE);
        java.put("IPCJ_MSG_OFF_REPLY_TO", (long) Envelope.OFF_REPLY_TO);
        java.put("IPCJ_MSG_OFF_TOKEN", (long) Envelope.OFF_TOKEN);
        java.put("IPCJ_MSG_OFF_CORRELATION", (long) Envelope.OFF_CORRELATION);
        java.put("IPCJ_MBX_MAGIC", (long) MailboxHeader.MAGIC);
        java.put("IPCJ_MBX_VERSION", (long) MailboxHeader.VERSION);
        java.put("IPCJ_MBX_FILE_SIZE", (long) MailboxHeader.FILE_SIZE);
        java.put("IPCJ_MBX_IMMUTABLE", (long) MailboxHeader.IMMUTABLE);
        java.put("IPCJ_MBX_POSIX_MQ", (long) Transport.POSIX_MQ.code());
        java.put("IPCJ_MBX_SYSTEM_V", (long) Transport.SYSTEM_V.code());
        java.put("IPCJ_MBX_RING", (long) Transport.RING.code());
        java.put("IPCJ_MBX_SHM_LOG", (long) Transport.SHM_LOG.code());
        java.put("IPCJ_MBX_CREATING", (long) MailboxHeader.CREATING);
        java.put("IPCJ_MBX_READY", (long) MailboxHeader.READY);
        java.put("IPCJ_MBX_OFF_TRANSPORT", (long) MailboxHeader.OFF_TRANSPORT);
        java.put("IPCJ_MBX_OFF_CAPACITY", (long) MailboxHeader.OFF_CAPACITY);
        java.put("IPCJ_MBX_OFF_MAX", (long) MailboxHeader.OFF_MAX);
        java.put("IPCJ_MBX_OFF_OWNER", (long) MailboxHeader.OFF_OWNER);
        java.put("IPCJ_MBX_OFF_CREATOR", (long) MailboxHeader.OFF_CREATOR);
        java.put("IPCJ_MBX_OFF_INSTANCE", (long) MailboxHeader.OFF_INSTANCE);
        java.put("IPCJ_MBX_OFF_STATE", (long) MailboxHeader.OFF_STATE);
        java.put("IPCJ_MBX_OFF_ENVELOPE", (long) MailboxHeader.OFF_ENVELOPE);
        java.put("IPCJ_MBX_OFF_ID1", (long) MailboxHeader.OFF_ID1);
        java.put("IPCJ_MBX_OFF_ID2", (long) MailboxHeader.OFF_ID2);
        java.put("IPCJ_MBX_OFF_ID3", (long) MailboxHeader.OFF_ID3);
        java.put("IPCJ_MBX_OFF_NAME_HASH", (long) MailboxHeader.OFF_NAME_HASH);
        java.put("IPCJ_MBX_OFF_CHECKSUM", (long) MailboxHeader.OFF_CHECKSUM);
        java.put("IPCJ_MBX_OFF_RENDEZVOUS", (long) MailboxHeader.RENDEZVOUS);
        java.put("IPCJ_MBX_OFF_TURN", (long) MailboxHeader.TURN);
        java.put("IPCJ_MBX_OFF_GATE", (long) MailboxHeader.GATE);
        java.put("IPCJ_MBX_OFF_SPACE", (long) MailboxHeader.SPACE);
        java.put("IPCJ_MBX_RV_OFFERED", (long) Mailbox.OFFERED);
        java.put("IPCJ_MBX_RV_TAKEN", (long) Mailbox.TAKEN);
        java.put("IPCJ_MBX_RV_CANCELLED", (long) Mailbox.CANCELLED);
        java.put("IPCJ_MBX_RV_TOKEN_MASK", (long) Mailbox.TOKEN_MASK);
        assertEquals(java.keySet(), c.keySet(), "the same constants on both sides");
        for (Map.Entry<String, Long> e : java.entrySet()) {
            long cv = c.get(e.getKey());
            long jv = e.getValue();
            assertTrue(cv == jv || cv == (jv & 0xFFFFFFFFL), e.getKey() + ": C " + cv + ", Java " + jv);
        }
    }
}
