package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.MappedRegion;
import dev.ipcj.posix.SharedMemory;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real SIGKILLs of producer and consumer processes at random points, with per-record sequence
 * numbers and checksums: 0 lost (every record a producer committed before it died is read), 0
 * duplicated, 0 torn, and the consumer is never stalled by a dead producer's claim.
 */
class RingCrashTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @Test
    void manyToOneProducersKilledAtRandomPoints() throws Exception {
        killProducers(RingVariant.MANY_TO_ONE, 3, 2500);
    }

    @Test
    void oneToOneProducerKilledAndReplaced() throws Exception {
        killProducers(RingVariant.ONE_TO_ONE, 1, 1500);
    }

    private void killProducers(RingVariant variant, int live, long millis) throws Exception {
        String n = names.next("kill");
        String prog = names.next("progress");
        int max = 200;
        Random rnd = new Random(42);
        try (SharedMemory ps = SharedMemory.create(prog, 4096); MappedRegion progress = ps.map();
             SharedRing ring = SharedRing.create(n, variant, 16384, max); RingConsumer c = ring.consumer()) {
            Map<Integer, Long> next = new HashMap<>();
            long[] total = {0};
            RecordHandler check = (b, o, l) -> {
                long seq = Records.check(b, o, l, max); // throws if torn
                int id = Records.producer(b, o);
                long want = next.getOrDefault(id, 0L);
                assertEquals(want, seq, "producer " + id + ": lost or duplicated record");
                next.put(id, want + 1);
                total[0]++;
            };
            List<Process> alive = new ArrayList<>();
            int[] ids = {0};
            int kills = 0;
            for (int i = 0; i < live; i++) {
                alive.add(startProducer(n, ids[0]++, prog));
            }
            long end = System.nanoTime() + millis * 1_000_000L;
            long nextKill = System.nanoTime() + 20_000_000L;
            while (System.nanoTime() < end || kills < 12) {
                c.read(check, 1000, Duration.ofMillis(5));
                if (System.nanoTime() >= nextKill) {
                    Process victim = alive.remove(rnd.nextInt(alive.size()));
                    victim.destroyForcibly(); // SIGKILL
                    victim.waitFor();
                    kills++;
                    alive.add(startProducer(n, ids[0]++, prog));
                    nextKill = System.nanoTime() + (5 + rnd.nextInt(60)) * 1_000_000L;
                }
            }
            for (Process p : alive) {
                p.destroyForcibly();
                p.waitFor();
            }
            // Drain: dead producers' claims must be recovered so that out reaches in.
            try (SharedMemory raw = SharedMemory.open(n); MappedRegion r = raw.map()) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (r.getLongVolatile(RingLayout.OUT_OFFSET) != r.getLongVolatile(RingLayout.IN_OFFSET)) {
                    c.read(check, 1000, Duration.ofMillis(5));
                    assertTrue(System.nanoTime() < deadline, "the consumer is stalled at out "
                            + r.getLongVolatile(RingLayout.OUT_OFFSET) + ", in " + r.getLongVolatile(RingLayout.IN_OFFSET));
                }
            }
            for (int id = 0; id < ids[0]; id++) {
                long committed = progress.getLongVolatile(8L * id);
                long got = next.getOrDefault(id, 0L);
                assertTrue(got >= committed, "producer " + id + " committed " + committed + " records, read " + got);
                assertTrue(got <= committed + 1, "producer " + id + ": read " + got + " > committed " + committed + " + 1");
            }
            assertTrue(kills >= 12, "kills " + kills);
            assertTrue(total[0] > 1000, "records " + total[0]);
        }
    }

    private static Process startProducer(String ring, int id, String progress) throws Exception {
        // Mostly C (fast to start), every fourth a JVM: both implementations are killed mid-write.
        Process p = id % 4 == 3
                ? Processes.startJava(RingPeer.class, "claimloop", ring, "" + id, progress)
                : Processes.startC("ring_peer", "claimloop", ring, "" + id, progress);
        String line = Processes.readLine(p);
        if (!line.equals("ready")) {
            throw new AssertionError("producer " + id + " said: " + line + new String(p.getInputStream().readAllBytes()));
        }
        return p;
    }

    /**
     * A consumer JVM journals each record (journal[seq]++) inside its handler, before {@code out}
     * moves, and is SIGKILLed at random points; the next consumer takes over. Every record is
     * journaled at least once (consumed or still there: never lost), and a record is handed
     * again at most once per kill (the one the kill interrupted).
     */
    @Test
    void consumerKilledMidReadLeavesTheRecordConsumedOrThere() throws Exception {
        String n = names.next("ckill");
        String jn = names.next("journal");
        int count = 200_000;
        int max = 100;
        try (SharedMemory js = SharedMemory.create(jn, 4L * count); MappedRegion journal = js.map();
             SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 8192, max)) {
            Thread producer = new Thread(() -> {
                try (RingProducer p = ring.producer()) {
                    for (long seq = 0; seq < count; seq++) {
                        p.put(Records.make(seq, 0, max));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            producer.start();
            Random rnd = new Random(7);
            int kills = 0;
            for (int k = 0; k < 4; k++) {
                Process c = Processes.startJava(RingPeer.class, "journal", n, jn);
                assertEquals("ready", Processes.readLine(c));
                Thread.sleep(50 + rnd.nextInt(150));
                c.destroyForcibly();
                c.waitFor();
                kills++;
            }
            try (RingConsumer c = ring.consumer()) { // takes over from the dead consumer
                RecordHandler j = (b, o, l) -> journal.getAndAddInt(4L * Records.check(b, o, l, max), 1);
                while (producer.isAlive()) {
                    c.read(j, 1000, Duration.ofMillis(10));
                }
                while (c.read(j, 1000, Duration.ofMillis(50)) > 0) {
                    // drain
                }
            }
            producer.join();
            long dups = 0;
            for (int seq = 0; seq < count; seq++) {
                int times = journal.getInt(4L * seq);
                assertTrue(times >= 1, "record " + seq + " was lost");
                dups += times - 1;
            }
            assertTrue(dups <= kills, dups + " records handed twice for " + kills + " kills");
        }
    }
}
