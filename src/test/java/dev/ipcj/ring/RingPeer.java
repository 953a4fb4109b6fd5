package dev.ipcj.ring;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;

/**
 * The second process of the ring tests.
 * <pre>
 * produce NAME ID COUNT BURST MAXGAPMICROS   put COUNT records (bursts of BURST, random idle gaps)
 * consume NAME COUNT PRODUCERS                take COUNT records, check them, print "ok N"
 * echo NAME_IN NAME_OUT COUNT                 take a record from one ring, put it on the other
 * claimloop NAME ID                           produce forever with claim/commit (to be killed)
 * </pre>
 * Prints "ready" once attached.
 */
public final class RingPeer {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "produce": {
                try (SharedRing ring = SharedRing.open(args[1]); RingProducer p = ring.producer()) {
                    System.out.println("ready");
                    System.out.flush();
                    produce(p, Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                            Integer.parseInt(args[5]), ring.maxRecordLength());
                }
                break;
            }
            case "consume": {
                try (SharedRing ring = SharedRing.open(args[1]); RingConsumer c = ring.consumer()) {
                    System.out.println("ready");
                    System.out.flush();
                    long n = consume(c, Long.parseLong(args[2]), Integer.parseInt(args[3]), ring.maxRecordLength());
                    System.out.println("ok " + n);
                }
                break;
            }
            case "echo": {
                try (SharedRing in = SharedRing.open(args[1]); SharedRing out = SharedRing.open(args[2]);
                     RingConsumer c = in.consumer(); RingProducer p = out.producer()) {
                    System.out.println("ready");
                    System.out.flush();
                    long count = Long.parseLong(args[3]);
                    for (long i = 0; i < count; i++) {
                        p.put(c.take());
                    }
                }
                break;
            }
            case "claimloop": {
                // claimloop NAME ID PROGRESS: after each commit, progress[ID] = seq + 1 (a long
                // in the shm object PROGRESS), so the test knows what was committed before a kill.
                try (SharedRing ring = SharedRing.open(args[1]); RingProducer p = ring.producer();
                     dev.ipcj.posix.SharedMemory shm = dev.ipcj.posix.SharedMemory.open(args[3]);
                     dev.ipcj.MappedRegion progress = shm.map()) {
                    int id = Integer.parseInt(args[2]);
                    ByteBuffer b = p.buffer();
                    System.out.println("ready");
                    System.out.flush();
                    for (long seq = 0;; seq++) {
                        int len = Records.length(seq, id, ring.maxRecordLength());
                        int at = p.claim(len);
                        Records.fill(b, at, seq, id, len);
                        p.commit(at);
                        progress.putLongVolatile(8L * id, seq + 1);
                    }
                }
            }
            case "journal": {
                // journal NAME JOURNAL: take records forever; for each, journal[seq]++ inside the
                // handler, i.e. before `out` moves past it (to be SIGKILLed).
                try (SharedRing ring = SharedRing.open(args[1]); RingConsumer c = ring.consumer();
                     dev.ipcj.posix.SharedMemory shm = dev.ipcj.posix.SharedMemory.open(args[2]);
                     dev.ipcj.MappedRegion journal = shm.map()) {
                    int max = ring.maxRecordLength();
                    System.out.println("ready");
                    System.out.flush();
                    for (;;) {
                        c.take((bb, o, l) -> {
                            long seq = Records.check(bb, o, l, max);
                            journal.getAndAddInt(4L * seq, 1);
                        }, 1);
                    }
                }
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void produce(RingProducer p, int id, long count, int burst, int maxGapMicros, int max)
            throws InterruptedException {
        Random r = new Random(id);
        for (long seq = 0; seq < count; seq++) {
            p.put(Records.make(seq, id, max));
            if (burst > 0 && seq % burst == burst - 1 && maxGapMicros > 0) {
                long gap = r.nextInt(maxGapMicros) * 1000L;
                long until = System.nanoTime() + gap;
                while (System.nanoTime() < until) {
                    Thread.sleep(0, 100_000);
                }
            }
        }
    }

    /** Takes count records from `producers` producers, each in sequence; returns the count. */
    static long consume(RingConsumer c, long count, int producers, int max) throws InterruptedException {
        long[] next = new long[producers];
        for (long i = 0; i < count; i++) {
            byte[] m = c.poll(Duration.ofSeconds(20));
            if (m == null) {
                throw new AssertionError("no record for 20 s after " + i + " records (a lost wake-up?)");
            }
            long seq = Records.check(m, max);
            int id = ByteBuffer.wrap(m).order(java.nio.ByteOrder.nativeOrder()).getInt(8);
            if (seq != next[id]) {
                throw new AssertionError("producer " + id + ": got seq " + seq + ", expected " + next[id]);
            }
            next[id]++;
        }
        return count;
    }
}
