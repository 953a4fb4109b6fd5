package dev.ipcj.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipcj.InvalidArgumentException;
import dev.ipcj.test.ChildJvm;
import dev.ipcj.test.IpcNames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Request/reply on mailboxes: {@link Mailbox#request} sends a REQUEST frame naming this
 * process's inbox and a correlation id, {@link Mailbox#serve} and {@link Mailbox#reply} answer
 * with a REPLY frame carrying that id, and the requester takes exactly its own reply.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestReplyTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /** A server thread in this process answering "re:" + the request, until interrupted. */
    private static Thread server(Mailbox box, List<String> plain) {
        Thread t = new Thread(() -> {
            try {
                box.serve(m -> {
                    if (!m.isRequest()) {
                        plain.add(m.text());
                        return null;
                    }
                    return ("re:" + m.text()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                });
            } catch (InterruptedException e) {
                // stop
            }
        }, "server");
        t.start();
        return t;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = "AERON", mode = EnumSource.Mode.EXCLUDE) // request/reply is local only
    void anotherProcessGetsItsOwnReplyOnEveryThread(Transport t) throws Exception {
        String n = names.next("rq");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        List<String> plain = new CopyOnWriteArrayList<>();
        try (Mailbox box = Mailbox.create(n, t, Capacity.bounded(8), 64)) {
            Thread s = server(box, plain);
            try {
                ChildJvm.Result r = ChildJvm.run(RequestPeer.class, 90, "request", n, "25", "3");
                assertEquals(0, r.exit(), r.output());
                assertTrue(r.output().contains("ok 75"), r.output());
            } finally {
                s.interrupt();
                s.join(10_000);
            }
            assertEquals(List.of("hello"), plain, "the plain message reached the server's handler, not a requester");
        }
        Mailbox.unlink(n);
        assertEquals(List.of(), MessagingTest.leftovers(n));
    }

    @Test
    void aRequestNobodyAnswersTimesOutByItsDeadlineAndItsLateReplyIsDropped() throws Exception {
        String n = names.next("rqt");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        try (Inbox mine = Inbox.create(); Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(4), 64)) {
            long t0 = System.nanoTime();
            assertNull(box.request("ping", Codec.UTF8, Duration.ofMillis(300)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 290 && ms < 5_000, "returned after " + ms + " ms");
            Message req = box.receive(Duration.ofSeconds(5));
            assertTrue(req.isRequest());
            assertEquals(mine.pid(), req.replyTo());
            assertTrue(Mailbox.reply(req, "too late".getBytes(), Duration.ofSeconds(5)));
            // A plain message after the late reply: the inbox hands it, and never the reply.
            try (Mailbox toMe = Mailbox.toProcess(mine.pid())) {
                toMe.send("plain", Codec.UTF8);
            }
            Message m = mine.receive(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("plain", m.text());
            assertNull(mine.receive(Duration.ofMillis(100)), "the late reply was dropped");
        }
    }

    @Test
    void repliesAndRequestsSayWhatTheyAre() throws Exception {
        String n = names.next("rqs");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        List<String> plain = new CopyOnWriteArrayList<>();
        try (Inbox mine = Inbox.create(); Mailbox box = Mailbox.create(n, Transport.RING, Capacity.zero(), 64)) {
            Thread s = server(box, plain);
            try {
                Message r = box.request("x", Codec.UTF8, Duration.ofSeconds(10));
                assertNotNull(r, "a rendezvous mailbox serves requests too");
                assertTrue(r.isReply());
                assertEquals("re:x", r.text());
                assertTrue(r.correlation() != 0);
                assertTrue(r.toString().contains("reply to " + r.correlation()), r.toString());
                Message r2 = box.request("y".getBytes(), Duration.ofSeconds(10));
                assertTrue(r2.correlation() != r.correlation(), "each request its own id");
            } finally {
                s.interrupt();
                s.join(10_000);
            }
        }
        Mailbox.unlink(n);
        assertEquals(List.of(), MessagingTest.leftovers(n));
        Message plainMessage = new Message(1, 0, new byte[0]);
        assertThrows(InvalidArgumentException.class, () -> Mailbox.reply(plainMessage, new byte[1], Duration.ZERO));
        assertThrows(InvalidArgumentException.class, () -> Mailbox.reply(null, new byte[1], Duration.ZERO));
    }
}
