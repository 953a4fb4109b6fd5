package dev.ipcj.broadcast;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real processes on one ring: Java and C ({@code bcast_peer}) publishers and subscribers in every
 * combination, LOSSLESS (every subscriber receives every record, checked and in order) and LOSSY
 * (a slow subscriber's received + lost is exactly what was published, and it ends with the last).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BroadcastCrossProcessTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final Pattern OK = Pattern.compile("ok received (\\d+) lost (\\d+) last (-?\\d+)");

    private static Process peer(boolean java, String... args) throws Exception {
        Process p = java ? Processes.startJava(BroadcastPeer.class, args) : Processes.startC("bcast_peer", args);
        String line = Processes.readLine(p);
        assertEquals("ready", line, () -> "peer " + String.join(" ", args) + " said: " + line);
        return p;
    }

    /** received, lost, last from a subscriber's final line. */
    private static long[] result(Process p) throws Exception {
        String out = Processes.finish(p, 90);
        Matcher m = OK.matcher(out);
        assertTrue(m.find(), out);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    @ParameterizedTest(name = "{0} publisher, subscribers: {1}")
    @CsvSource({"java, java c c", "c, java java c", "c, c", "java, java"})
    void losslessEverySubscriberInEveryLanguageGetsEveryRecord(String publisher, String subscribers) throws Exception {
        String n = names.next("xp-lossless");
        int count = 20_000;
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 1 << 15, 500)) {
            List<Process> subs = new ArrayList<>();
            for (String s : subscribers.split(" ")) {
                subs.add(peer(s.equals("java"), "subscribe", n, "" + count, "20000"));
            }
            // And one subscriber in this JVM, through the handler path.
            try (BroadcastSubscriber mine = ring.subscriber()) {
                Process pub = null;
                if (publisher.equals("c")) {
                    pub = peer(false, "publish", n, "" + count, "200");
                } else {
                    Thread t = new Thread(() -> {
                        try (BroadcastPublisher p = ring.publisher()) {
                            for (int i = 0; i < count; i++) {
                                p.publish(BroadcastRingTest.record(i, BroadcastRingTest.lengthOf(i, 500)));
                            }
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                    t.start();
                    pub = null;
                    readAll(mine, count);
                    t.join(60_000);
                }
                if (pub != null) {
                    readAll(mine, count);
                    assertTrue(Processes.finish(pub, 60).contains("ok " + count));
                }
            }
            for (Process s : subs) {
                long[] r = result(s);
                assertArrayEquals(new long[] {count, 0, count - 1}, r);
            }
        }
    }

    @ParameterizedTest(name = "a dead {0} subscriber")
    @CsvSource({"c", "java"})
    void aDeadSubscribersSlotIsTakenOverAndNeverWedgesTheLosslessPublisher(String language) throws Exception {
        String n = names.next("xp-takeover");
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSLESS, 4096, 100);
             BroadcastPublisher p = ring.publisher()) {
            Process dead = peer(language.equals("java"), "subscribeloop", n, "1000000"); // 1 s per record: stuck
            assertEquals(1, ring.subscriberCount());
            assertTrue(p.offer(BroadcastRingTest.record(0, 100)));
            dead.destroyForcibly(); // SIGKILL: its slot (0) still names it, its position is 0
            assertTrue(dead.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, ring.subscriberCount(), "a dead identity is no live subscriber");
            // The publisher goes on past a whole ring: the dead one's slot is freed when it is in the way.
            long t0 = System.nanoTime();
            for (int i = 1; i < 200; i++) {
                assertTrue(p.publish(BroadcastRingTest.record(i, 100), Duration.ofSeconds(5)), "wedged at " + i);
            }
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
            // A dead subscriber's slot is taken over by the next one (here the freed slot 0).
            Process dead2 = peer(language.equals("java"), "subscribeloop", n, "1000000");
            dead2.destroyForcibly();
            assertTrue(dead2.waitFor(10, TimeUnit.SECONDS));
            try (BroadcastSubscriber s = ring.subscriber()) {
                assertEquals(0, s.slot(), "the dead subscriber's slot");
                assertTrue(p.offer(BroadcastRingTest.record(200, 100)));
                ByteBuffer dst = ByteBuffer.allocate(100);
                assertEquals(100, s.poll(dst));
                assertEquals(200, BroadcastRingTest.check(dst, 0, 100));
            }
        }
    }

    private static void readAll(BroadcastSubscriber s, int count) throws InterruptedException {
        long[] next = {0};
        while (next[0] < count) {
            int k = s.read((b, off, len, seq) -> {
                assertEquals(next[0], seq);
                assertEquals(next[0]++, BroadcastRingTest.check(b, off, len));
            }, 100, Duration.ofSeconds(20));
            assertTrue(k > 0, "a record within 20 s after " + next[0]);
        }
    }

    @ParameterizedTest(name = "{0} publisher, slow {1} subscriber")
    @CsvSource({"c, java", "java, c", "c, c"})
    void lossySlowSubscribersCountExactlyWhatTheyLost(String publisher, String subscriber) throws Exception {
        String n = names.next("xp-lossy");
        int count = 50_000;
        try (BroadcastRing ring = BroadcastRing.create(n, BroadcastMode.LOSSY, 1 << 13, 200)) {
            Process sub = peer(subscriber.equals("java"), "subscribe", n, "" + count, "20000");
            // A subscriber in this JVM that reads slowly, in bursts.
            try (BroadcastSubscriber mine = ring.subscriber()) {
                Process pub = peer(publisher.equals("java"), "publish", n, "" + count, "0");
                ByteBuffer dst = ByteBuffer.allocate(200);
                long last = -1;
                int laps = 0;
                while (mine.received() + mine.lost() < count) {
                    dst.clear();
                    try {
                        int len = mine.poll(dst, Duration.ofSeconds(20));
                        assertTrue(len >= 0, "a record within 20 s");
                        long seq = mine.nextSequence() - 1;
                        assertEquals(seq, BroadcastRingTest.check(dst, 0, len));
                        assertTrue(seq > last);
                        last = seq;
                    } catch (LappedException e) {
                        laps++;
                        assertTrue(e.lost() > 0 || e.resumeSeq() > last);
                    }
                    if (mine.received() % 500 == 0) {
                        Thread.sleep(1);
                    }
                }
                assertEquals(count, mine.received() + mine.lost());
                assertEquals(count - 1, last, "the newest record is never lost");
                assertTrue(Processes.finish(pub, 60).contains("ok " + count));
                long[] r = result(sub);
                assertEquals(count, r[0] + r[1], "received + lost");
                assertEquals(count - 1, r[2]);
                System.out.println("lossy " + publisher + " -> " + subscriber + ": peer received " + r[0] + ", lost " + r[1]
                        + "; this JVM received " + mine.received() + ", lost " + mine.lost() + " in " + laps + " laps");
            }
        }
    }
}
