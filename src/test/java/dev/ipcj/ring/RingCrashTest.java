package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.ring.Peers.Peer;
import dev.ipcj.test.Adversarial;
import dev.ipcj.test.IpcNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kill -9 campaign of the ring, both variants: real SIGKILLs of producer and consumer
 * processes, C (ring_peer) and Java ({@link RingPeer}), at random points and at chosen windows of
 * the protocol ({@link TestHooks}: between claim and commit, mid-copy, after the handlers and
 * before retiring, between freeing words and publishing {@code out}, while asleep), each followed
 * by a successor that takes over. Every record carries (producer, seq) and a checksum; consumers
 * journal each record inside the handler ({@link Journal}); producers publish how many records
 * they committed. After each trial: 0 lost (a committed record never journaled), 0 torn (a bad
 * checksum), 0 phantoms (a record journaled that was never committed), 0 wedged (the ring drains
 * within 20 s once the killers stop), and duplicates only as RingConsumer's delivery guarantee
 * allows (the batch a consumer killed before retiring it had been handed), counted separately.
 *
 * <p>Sized by {@link Adversarial}: {@code ./run-tests} makes about 90 kills, {@code --long} 20
 * times as many; the run's seed is printed, {@code -Dipcj.adversarial.seed=} repeats it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RingCrashTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    private static final AtomicLong KILLS = new AtomicLong();
    private static final AtomicLong DUPLICATES = new AtomicLong();
    private static final AtomicLong RECORDS = new AtomicLong();
    private static final int MAX = 200;

    @AfterAll
    static void summary() {
        System.out.println("RingCrashTest: " + KILLS.get() + " kills, " + RECORDS.get() + " records, 0 lost, 0 torn,"
                + " 0 phantom, 0 wedged, " + DUPLICATES.get() + " handed twice (as the delivery guarantee allows); "
                + Adversarial.describe("seed"));
    }

    /** One ring, its journal and the producers' progress, and the checks at the end. */
    private final class Trial implements AutoCloseable {
        final RingVariant variant;
        final String ring = names.next("kill");
        final String journalName = names.next("journal");
        final String progressName = names.next("progress");
        final SharedRing r;
        final Journal journal;
        final SharedMemory progressShm;
        final MappedRegion progress;
        final int seqs;
        final Random rnd;
        final List<Peer> producers = new ArrayList<>();
        final List<Integer> producerIds = new ArrayList<>();
        int nextId;
        long allowedDuplicates;
        int kills;

        Trial(RingVariant variant, int capacity, int maxProducers, int seqs, Random rnd) {
            this.variant = variant;
            this.seqs = seqs;
            this.rnd = rnd;
            r = SharedRing.create(ring, variant, capacity, MAX);
            journal = Journal.create(journalName, maxProducers, seqs, MAX);
            progressShm = SharedMemory.create(progressName, 4096);
            progress = progressShm.map();
        }

        Peer producer(boolean java, String window, int after) throws Exception {
            int id = nextId++;
            Peer p = Peers.start(java, window, after, "claimloop", ring, "" + id, progressName, "" + seqs);
            p.expect("ready", 30_000);
            producers.add(p);
            producerIds.add(id);
            return p;
        }

        Peer consumer(boolean java, String window, int after, int limit) throws Exception {
            Peer c = Peers.start(java, window, after, "journal", ring, journalName, "" + seqs, "" + limit);
            c.expect("ready", 30_000);
            return c;
        }

        void kill(Peer p) throws InterruptedException {
            p.kill();
            kills++;
            KILLS.incrementAndGet();
        }

        long committed(int id) {
            return progress.getLongVolatile(8L * id);
        }

        /**
         * Consumes in this JVM (journaling) until every producer that is alive has committed all its
         * records and {@code out} reached {@code in}; then kills the producers. Fails if the ring
         * does not drain (wedged).
         */
        void drain(List<Integer> finishing) throws Exception {
            try (RingConsumer c = r.consumer()) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                for (;;) {
                    c.read(journal, 1000, Duration.ofMillis(5));
                    boolean done = true;
                    for (int id : finishing) {
                        done &= committed(id) == seqs;
                    }
                    if (done && position(RingLayout.OUT_OFFSET) == position(RingLayout.IN_OFFSET)
                            && c.read(journal, 1000) == 0) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, () -> Adversarial.describe(variant + ": wedged: out "
                            + position(RingLayout.OUT_OFFSET) + ", in " + position(RingLayout.IN_OFFSET)
                            + ", producers' progress " + progressOf()));
                }
            }
            for (Peer p : producers) {
                p.kill();
            }
        }

        long position(int offset) {
            return r.region.getLongVolatile(offset);
        }

        String progressOf() {
            StringBuilder sb = new StringBuilder();
            for (int id = 0; id < nextId; id++) {
                sb.append(id).append(':').append(committed(id)).append(' ');
            }
            return sb.toString();
        }

        /** The checks of the class comment; returns the duplicates. */
        long verify(String what) {
            long lost = 0;
            long dups = 0;
            long phantoms = 0;
            long records = 0;
            StringBuilder firstLost = new StringBuilder();
            for (int id = 0; id < nextId; id++) {
                long committed = committed(id);
                for (long seq = 0; seq < seqs; seq++) {
                    int n = journal.count(id, seq);
                    records += Math.min(n, 1);
                    if (seq < committed && n == 0) {
                        lost++;
                        if (firstLost.length() < 200) {
                            firstLost.append(" producer ").append(id).append(" seq ").append(seq);
                        }
                    }
                    if (seq > committed && n > 0) {
                        phantoms++;
                    }
                    dups += Math.max(0, n - 1);
                }
            }
            String where = Adversarial.describe(variant + " " + what + " (" + kills + " kills)");
            assertEquals(0, journal.torn(), "torn records: " + where);
            assertEquals(0, lost, "lost records:" + firstLost + ": " + where);
            assertEquals(0, phantoms, "records handed that were never committed: " + where);
            assertTrue(dups <= allowedDuplicates, dups + " records handed twice, the delivery guarantee allows "
                    + allowedDuplicates + ": " + where);
            DUPLICATES.addAndGet(dups);
            RECORDS.addAndGet(records);
            return dups;
        }

        @Override
        public void close() {
            for (Peer p : producers) {
                try {
                    p.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            progress.close();
            progressShm.close();
            journal.close();
            r.close();
        }
    }

    /**
     * Consumers killed at a chosen window, one after the other, each successor taking over from the
     * dead one: C and Java alternate (a JVM every fourth), so each takes over from the other.
     */
    @ParameterizedTest
    @CsvSource({"MANY_TO_ONE,consumer-handled", "MANY_TO_ONE,consumer-retired", "MANY_TO_ONE,consumer-freed",
            "ONE_TO_ONE,consumer-handled"})
    void consumersKilledAtAWindow(RingVariant v, String window) throws Exception {
        Random rnd = Adversarial.random("RingCrashTest.consumers." + v + window);
        int chain = Adversarial.trials(4);
        try (Trial t = new Trial(v, 8192, 4, 1500 + 500 * chain, rnd)) {
            int producers = v == RingVariant.MANY_TO_ONE ? 2 : 1;
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                t.producer(false, null, 0);
                ids.add(t.nextId - 1);
            }
            for (int k = 0; k < chain; k++) {
                int limit = rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(16);
                Peer c = t.consumer(k % 4 == 1, window, rnd.nextInt(10), limit);
                c.expect("window " + window, 30_000);
                t.kill(c);
                if (window.equals("consumer-handled")) {
                    t.allowedDuplicates += limit; // the batch was handed, not retired: handed again
                }
            }
            t.drain(ids);
            long dups = t.verify("consumers killed at " + window);
            if (!window.equals("consumer-handled")) {
                assertEquals(0, dups, "a batch retired before the kill was handed again");
            }
        }
    }

    /** Producers killed at a chosen window between claiming and committing; successors go on. */
    @ParameterizedTest
    @CsvSource({"MANY_TO_ONE,producer-claimed-in", "MANY_TO_ONE,producer-claimed", "MANY_TO_ONE,producer-mid-copy",
            "MANY_TO_ONE,producer-written", "ONE_TO_ONE,producer-claimed", "ONE_TO_ONE,producer-mid-copy",
            "ONE_TO_ONE,producer-written"})
    void producersKilledAtAWindow(RingVariant v, String window) throws Exception {
        Random rnd = Adversarial.random("RingCrashTest.producers." + v + window);
        int chain = Adversarial.trials(4);
        try (Trial t = new Trial(v, 8192, chain + 2, 2000, rnd)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                try (RingConsumer c = t.r.consumer()) {
                    while (!stop.get()) {
                        c.read(t.journal, 100, Duration.ofMillis(5));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            consumer.start();
            List<Integer> live = new ArrayList<>();
            try {
                if (v == RingVariant.MANY_TO_ONE) {
                    t.producer(false, null, 0); // a live producer beside the ones killed
                    live.add(t.nextId - 1);
                }
                for (int k = 0; k < chain; k++) {
                    Peer p = t.producer(k % 4 == 1, window, rnd.nextInt(200));
                    p.expect("window " + window, 30_000);
                    t.kill(p);
                }
                t.producer(false, null, 0); // a successor that finishes its records
                live.add(t.nextId - 1);
            } finally {
                stop.set(true);
                consumer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(Adversarial.describe("consumer"), failure.get());
            }
            t.drain(live);
            assertEquals(0, t.verify("producers killed at " + window), "a producer kill duplicated a record");
        }
    }

    /** A consumer killed while asleep in FUTEX_WAIT, a producer killed asleep on a full ring. */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void sidesKilledWhileAsleep(RingVariant v) throws Exception {
        Random rnd = Adversarial.random("RingCrashTest.asleep." + v);
        try (Trial t = new Trial(v, 4096, 2 * Adversarial.trials(2) + 2, 3000, rnd)) {
            for (int k = 0; k < Adversarial.trials(2); k++) {
                Peer c = t.consumer(false, null, 0, 16); // the ring is empty: it spins, then sleeps
                Thread.sleep(30);
                t.kill(c);
            }
            for (int k = 0; k < Adversarial.trials(2); k++) {
                Peer p = t.producer(false, null, 0); // no consumer: it fills the ring, then sleeps
                Thread.sleep(60);
                t.kill(p);
            }
            Peer c = t.consumer(rnd.nextBoolean(), null, 0, 8); // a live consumer wakes for the last producer
            List<Integer> last = new ArrayList<>();
            t.producer(false, null, 0);
            last.add(t.nextId - 1);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (t.committed(last.get(0)) < t.seqs) {
                assertTrue(System.nanoTime() < deadline, Adversarial.describe(v + ": the consumer did not wake"));
                Thread.sleep(5);
            }
            t.kill(c);
            t.allowedDuplicates += 8;
            t.drain(last);
            t.verify("killed while asleep");
        }
    }

    /** Consumers, C and Java, killed at random moments while producers stream. */
    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void consumersKilledAtRandomPoints(RingVariant v) throws Exception {
        Random rnd = Adversarial.random("RingCrashTest.randomConsumers." + v);
        int kills = Adversarial.trials(6);
        try (Trial t = new Trial(v, 8192, 4, 4000 + 3000 * kills, rnd)) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < (v == RingVariant.MANY_TO_ONE ? 2 : 1); i++) {
                t.producer(false, null, 0);
                ids.add(t.nextId - 1);
            }
            for (int k = 0; k < kills; k++) {
                int limit = 1 + rnd.nextInt(16);
                Peer c = t.consumer(k % 3 == 2, null, 0, limit);
                Thread.sleep(5 + rnd.nextInt(60));
                t.kill(c);
                t.allowedDuplicates += limit;
            }
            t.drain(ids);
            t.verify("consumers killed at random points");
        }
    }

    /**
     * Producers killed at random points while this JVM consumes, checking each producer's records
     * arrive in order: every record a producer committed before it died is read, none twice, none
     * torn, and the consumer is never stalled by a dead producer's claim.
     */
    @ParameterizedTest
    @CsvSource({"MANY_TO_ONE,3,16", "ONE_TO_ONE,1,12"})
    void producersKilledAtRandomPoints(RingVariant variant, int live, int baseKills) throws Exception {
        String n = names.next("kill");
        String prog = names.next("progress");
        Random rnd = Adversarial.random("RingCrashTest.randomProducers." + variant);
        int wantKills = Adversarial.trials(baseKills);
        try (SharedMemory ps = SharedMemory.create(prog, 4096); MappedRegion progress = ps.map();
             SharedRing ring = SharedRing.create(n, variant, 16384, MAX); RingConsumer c = ring.consumer()) {
            Map<Integer, Long> next = new HashMap<>();
            long[] total = {0};
            RecordHandler check = (b, o, l) -> {
                long seq = Records.check(b, o, l, MAX); // throws if torn
                int id = Records.producer(b, o);
                long want = next.getOrDefault(id, 0L);
                assertEquals(want, seq, () -> Adversarial.describe("producer " + id + ": lost or duplicated record"));
                next.put(id, want + 1);
                total[0]++;
            };
            List<Peer> alive = new ArrayList<>();
            int ids = 0;
            int kills = 0;
            for (int i = 0; i < live; i++) {
                alive.add(startProducer(n, ids++, prog));
            }
            long nextKill = System.nanoTime() + 20_000_000L;
            while (kills < wantKills) {
                c.read(check, 1000, Duration.ofMillis(5));
                if (System.nanoTime() >= nextKill) {
                    Peer victim = alive.remove(rnd.nextInt(alive.size()));
                    victim.kill();
                    kills++;
                    KILLS.incrementAndGet();
                    alive.add(startProducer(n, ids++, prog));
                    nextKill = System.nanoTime() + (5 + rnd.nextInt(60)) * 1_000_000L;
                }
            }
            for (Peer p : alive) {
                p.kill();
            }
            // Drain: dead producers' claims must be recovered so that out reaches in.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (ring.region.getLongVolatile(RingLayout.OUT_OFFSET) != ring.region.getLongVolatile(RingLayout.IN_OFFSET)) {
                c.read(check, 1000, Duration.ofMillis(5));
                assertTrue(System.nanoTime() < deadline, () -> Adversarial.describe("wedged: the consumer is stalled at out "
                        + ring.region.getLongVolatile(RingLayout.OUT_OFFSET) + ", in "
                        + ring.region.getLongVolatile(RingLayout.IN_OFFSET)));
            }
            for (int id = 0; id < ids; id++) {
                long committed = progress.getLongVolatile(8L * id);
                long got = next.getOrDefault(id, 0L);
                int k = id;
                assertTrue(got >= committed, () -> Adversarial.describe("producer " + k + " committed " + committed
                        + " records, read " + got));
                assertTrue(got <= committed + 1, () -> Adversarial.describe("producer " + k + ": read " + got
                        + " > committed " + committed + " + 1"));
            }
            RECORDS.addAndGet(total[0]);
            assertTrue(total[0] > 1000, "records " + total[0]);
        }
    }

    private static Peer startProducer(String ring, int id, String progress) throws Exception {
        // Mostly C (fast to start), every fourth a JVM: both implementations are killed mid-write.
        Peer p = Peers.start(id % 4 == 3, null, 0, "claimloop", ring, "" + id, progress);
        p.expect("ready", 30_000);
        return p;
    }
}
