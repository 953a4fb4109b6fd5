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

    /** A pid with no process (and so no inbox of its own). */
    private static int deadPid() {
        for (int pid = 32_000; pid > 300; pid--) {
            if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + pid))
                    && !java.nio.file.Files.exists(MailboxHeader.path(dev.ipcj.internal.IpcjNames.inbox(pid)))) {
                return pid;
            }
        }
        throw new AssertionError("no free pid");
    }

    @Test
    void serveGoesOnAfterARequestWhoseInboxIsNotAnIpcjInbox() throws Exception {
        String n = names.next("rqg");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        int fake = deadPid();
        java.nio.file.Path garbage = MailboxHeader.path(dev.ipcj.internal.IpcjNames.inbox(fake));
        names.onCleanup(() -> {
            try {
                java.nio.file.Files.deleteIfExists(garbage);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        java.nio.file.Files.write(garbage, new byte[4096]); // a file of that name, but not a mailbox header
        List<String> plain = new CopyOnWriteArrayList<>();
        try (Inbox mine = Inbox.create(); Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(4), 64)) {
            // A request naming that file's pid as its reply-to, as a hostile or confused sender writes it.
            assertTrue(box.send0(java.nio.ByteBuffer.wrap("x".getBytes()), 0, Envelope.FLAG_REQUEST, fake, 77));
            Thread s = server(box, plain);
            try {
                Message r = box.request("after", Codec.UTF8, Duration.ofSeconds(10));
                assertNotNull(r, "the server still answers after a reply it could not deliver");
                assertEquals("re:after", r.text());
                assertTrue(s.isAlive());
            } finally {
                s.interrupt();
                s.join(10_000);
            }
        }
    }

    @Test
    void timedOutRequestsLeaveNothingBehindInTheInbox() throws Exception {
        String n = names.next("rqa");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        try (Inbox mine = Inbox.create(); Mailbox box = Mailbox.create(n, Transport.RING, Capacity.bounded(4), 64)) {
            for (int i = 0; i < 200; i++) {
                assertNull(box.request("ping", Codec.UTF8, Duration.ofMillis(1)), "nobody serves " + n);
            }
            assertEquals(0, mine.box.awaitedCount(), "no id of a request that ended stays in the inbox");
        }
    }

    @Test
    void aReplyGoesOnlyToItsRequesterNeverToAPlainReceive() throws Exception {
        String n = names.next("rqp");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        List<String> plain = new CopyOnWriteArrayList<>();
        try (Inbox mine = Inbox.create(); Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(8), 64)) {
            Thread s = server(box, plain);
            List<String> stolen = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread thief = new Thread(() -> { // receives on the same inbox all the while
                try {
                    while (!stop.get()) {
                        Message m = mine.receive(Duration.ofMillis(20));
                        if (m != null) {
                            stolen.add(m.text());
                        }
                    }
                } catch (InterruptedException e) {
                    // stop
                }
            }, "plain-receiver");
            thief.start();
            try {
                for (int i = 0; i < 20; i++) {
                    Message r = box.request("q" + i, Codec.UTF8, Duration.ofSeconds(10));
                    assertNotNull(r, "request " + i + " got its reply");
                    assertEquals("re:q" + i, r.text());
                }
            } finally {
                stop.set(true);
                thief.join(10_000);
                s.interrupt();
                s.join(10_000);
            }
            assertEquals(List.of(), stolen, "a plain receive took replies");
        }
    }

    @Test
    void aReplyHandleIsReusedWhileItsInboxLivesAndReopenedWhenReplaced() throws Exception {
        String n = names.next("rqr");
        names.onCleanup(() -> Mailbox.unlinkIfExists(n));
        List<String> plain = new CopyOnWriteArrayList<>();
        ReplyRoutes.SHARED.clear();
        try (Mailbox box = Mailbox.create(n, Transport.POSIX_MQ, Capacity.bounded(8), 64)) {
            Thread s = server(box, plain);
            try {
                try (Inbox first = Inbox.create()) {
                    for (int i = 0; i < 5; i++) {
                        assertNotNull(box.request("a" + i, Codec.UTF8, Duration.ofSeconds(10)));
                    }
                    assertEquals(1, ReplyRoutes.SHARED.size(), "one handle for five replies to one inbox");
                }
                // The same pid's inbox again, a new one: the handle to the old, removed one must not be used.
                try (Inbox second = Inbox.create()) {
                    Message r = box.request("b", Codec.UTF8, Duration.ofSeconds(5));
                    assertNotNull(r, "the reply went to the new inbox, not the removed one");
                    assertEquals("re:b", r.text());
                }
            } finally {
                s.interrupt();
                s.join(10_000);
                ReplyRoutes.SHARED.clear();
            }
        }
    }
}
