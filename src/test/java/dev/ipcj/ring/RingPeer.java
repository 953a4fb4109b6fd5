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
 * claimloop NAME ID PROGRESS [COUNT]          produce with claim/commit, progress[ID] = seq + 1
 *                                             after each commit; after COUNT records wait (to be killed)
 * journal NAME JOURNAL SEQS LIMIT             consume forever, LIMIT records per batch, journaling each
 *                                             record in its handler (see {@link Journal}); to be killed
 * </pre>
 * Prints "ready" once attached. {@code --stop-at WINDOW N} before the mode stops the N-th time (from
 * 0) this JVM reaches the ring's test window WINDOW (see {@link TestHooks}).
 */
public final class RingPeer {
    public static void main(String[] args) throws Exception {
        if (args.length > 3 && args[0].equals("--stop-at")) {
            // Before any ring class runs: TestHooks reads these once.
            System.setProperty("ipcj.ring.test.stopAt", args[1]);
            System.setProperty("ipcj.ring.test.stopAfter", args[2]);
            args = java.util.Arrays.copyOfRange(args, 3, args.length);
        }
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
                // claimloop NAME ID PROGRESS [COUNT]: after each commit, progress[ID] = seq + 1 (a long
                // in the shm object PROGRESS), so the test knows what was committed before a kill.
                try (SharedRing ring = SharedRing.open(args[1]); RingProducer p = ring.producer();
                     dev.ipcj.posix.SharedMemory shm = dev.ipcj.posix.SharedMemory.open(args[3]);
                     dev.ipcj.MappedRegion progress = shm.map()) {
                    int id = Integer.parseInt(args[2]);
                    long count = args.length > 4 ? Long.parseLong(args[4]) : Long.MAX_VALUE;
                    ByteBuffer b = p.buffer();
                    byte[] rec = new byte[ring.maxRecordLength()];
                    ByteBuffer r = ByteBuffer.wrap(rec).order(java.nio.ByteOrder.nativeOrder());
                    System.out.println("ready");
                    System.out.flush();
                    for (long seq = 0; seq < count; seq++) {
                        int len = Records.length(seq, id, ring.maxRecordLength());
                        int at = p.claim(len);
                        Records.fill(r, 0, seq, id, len);
                        int half = len / 2;
                        b.put(at, rec, 0, half);
                        if (TestHooks.STOP_AT != null) {
                            TestHooks.reached("producer-mid-copy");
                        }
                        b.put(at + half, rec, half, len - half);
                        p.commit(at);
                        progress.putLongVolatile(8L * id, seq + 1);
                    }
                    Thread.sleep(Long.MAX_VALUE);
                }
                break;
            }
            case "journal": {
                // journal NAME JOURNAL SEQS LIMIT: take records forever, LIMIT per batch; each is
                // journaled inside the handler, i.e. before `out` moves past it (to be SIGKILLed).
                try (SharedRing ring = SharedRing.open(args[1]); RingConsumer c = ring.consumer();
                     Journal journal = Journal.open(args[2], Integer.parseInt(args[3]), ring.maxRecordLength())) {
                    int limit = Integer.parseInt(args[4]);
                    System.out.println("ready");
                    System.out.flush();
                    for (;;) {
                        c.take(journal, limit);
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
