package dev.ipcj.broadcast;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.Adversarial;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kill -9 campaign of the broadcast ring, both modes: a publisher and four subscribers in
 * child processes (C {@code bcast_peer} and Java {@link BroadcastPeer}, chosen at random; some
 * subscribers slow), SIGKILLed at random moments and restarted: a new publisher takes over the
 * dead one's place, a new subscriber joins (taking a dead one's slot when the table has no free
 * one). Every subscriber checks every record it reads (its sequence number names its payload,
 * whose bytes are checked: nothing torn) and their order, and dies loudly on a violation, which
 * fails the trial. After the kills: every subscriber is killed, so their slots name dead
 * processes, and a publisher in this JVM must still publish many laps of the ring within its
 * deadline (LOSSLESS: dead subscribers never wedge it), and a subscriber joining now gets them.
 *
 * <p>Sized by {@link Adversarial}: about 40 kills at scale 1; {@code ./run-tests --long} 20 times
 * as many. The run's seed is printed; {@code -Dipcj.adversarial.seed=} repeats it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BroadcastCrashTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final AtomicLong KILLS = new AtomicLong();
    private static final AtomicLong PUBLISHED = new AtomicLong();

    @AfterAll
    static void summary() {
        System.out.println("BroadcastCrashTest: " + KILLS.get() + " kills, " + PUBLISHED.get()
                + " records published, 0 torn, 0 out of order, 0 wedged; " + Adversarial.describe("seed"));
    }

    /** A child and what it is. */
    private record Peer(Process process, boolean publisher, String what) {
    }

    private Peer start(Random rnd, String ring, boolean publisher) throws Exception {
        boolean java = rnd.nextInt(10) < 3;
        String[] args = publisher ? new String[] {"publishloop", ring, "" + (rnd.nextBoolean() ? 0 : 500)}
                : new String[] {"subscribeloop", ring, "" + (rnd.nextInt(3) == 0 ? 50 : 0)};
        Process p = java ? Processes.startJava(BroadcastPeer.class, args) : Processes.startC("bcast_peer", args);
        String line = Processes.readLine(p);
        String what = (java ? "java " : "c ") + String.join(" ", args);
        assertEquals("ready", line, () -> Adversarial.describe(what + " said: " + line + readRest(p)));
        return new Peer(p, publisher, what);
    }

    private static String readRest(Process p) {
        try {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return new String(p.getInputStream().readAllBytes());
        } catch (Exception e) {
            return " (" + e + ")";
        }
    }

    private static void kill(Peer p) throws InterruptedException {
        p.process().destroyForcibly(); // SIGKILL
        assertTrue(p.process().waitFor(10, TimeUnit.SECONDS));
        KILLS.incrementAndGet();
    }

    private static void assertAlive(Peer p) {
        if (!p.process().isAlive()) {
            fail(Adversarial.describe(p.what() + " died on its own (exit " + p.process().exitValue() + "): "
                    + readRest(p.process())));
        }
    }

    @ParameterizedTest
    @EnumSource(BroadcastMode.class)
    void killedPublishersAndSubscribersNeverTearNorWedge(BroadcastMode mode) throws Exception {
        Random rnd = Adversarial.random("BroadcastCrashTest." + mode);
        String n = names.next("kill");
        int kills = Adversarial.trials(20);
        try (BroadcastRing ring = BroadcastRing.create(n, mode, 1 << 14, 300)) {
            List<Peer> peers = new ArrayList<>();
            peers.add(start(rnd, n, true));
            for (int i = 0; i < 4; i++) {
                peers.add(start(rnd, n, false));
            }
            long lastSeq = 0;
            for (int k = 0; k < kills; k++) {
                Thread.sleep(20 + rnd.nextInt(150));
                for (Peer p : peers) {
                    assertAlive(p);
                }
                int victim = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(peers.size() - 1);
                Peer dead = peers.get(victim);
                kill(dead);
                peers.set(victim, start(rnd, n, dead.publisher()));
                long seq = nextSeq(ring);
                assertTrue(seq >= lastSeq, "nextSeq never goes back");
                lastSeq = seq;
            }
            Thread.sleep(100);
            for (Peer p : peers) {
                assertAlive(p);
            }
            long before = nextSeq(ring);
            Thread.sleep(300);
            assertTrue(nextSeq(ring) > before, Adversarial.describe(mode + ": the last publisher makes progress"));
            // Kill everything: the subscribers' slots now name dead processes.
            for (Peer p : peers) {
                kill(p);
            }
            PUBLISHED.addAndGet(nextSeq(ring));
            // A publisher here takes over and is never wedged by the dead subscribers.
            try (BroadcastPublisher p = ring.publisher()) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 2000; i++) {
                    long s = p.nextSequence();
                    assertTrue(p.publish(BroadcastRingTest.record(s, BroadcastRingTest.lengthOf(s, 300)),
                            Duration.ofSeconds(5)), () -> Adversarial.describe(mode + ": wedged by dead subscribers"));
                }
                assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
                try (BroadcastSubscriber s = ring.subscriber()) {
                    long first = p.nextSequence();
                    for (int i = 0; i < 40; i++) {
                        assertTrue(p.offer(BroadcastRingTest.record(first + i, BroadcastRingTest.lengthOf(first + i, 300))));
                    }
                    ByteBuffer dst = ByteBuffer.allocate(300);
                    for (int i = 0; i < 40; i++) {
                        dst.clear();
                        int len = s.poll(dst);
                        assertEquals(first + i, BroadcastRingTest.check(dst, 0, len));
                        assertEquals(first + i, s.nextSequence() - 1);
                    }
                }
            }
        }
    }

    private static long nextSeq(BroadcastRing ring) {
        return dev.ipcj.internal.MemoryAccess.getLongVolatile(ring.base + BroadcastLayout.NEXT_SEQ_OFFSET);
    }
}
