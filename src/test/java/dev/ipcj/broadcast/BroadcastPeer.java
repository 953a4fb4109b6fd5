package dev.ipcj.broadcast;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The Java twin of {@code bcast_peer.c}, run in child JVMs, with the same commands and output:
 * <pre>
 *   publish NAME COUNT GAPUS      publish COUNT records (waiting for room); "ok N"
 *   publishloop NAME GAPUS        publish forever (to be SIGKILLed)
 *   subscribe NAME COUNT MILLIS   read until COUNT records were received or lost, checked and in
 *                                 order; "ok received R lost L last S"
 *   subscribeloop NAME SLOWUS     read forever, checking, SLOWUS microseconds per record
 * </pre>
 * Record n (n = its sequence number) is {@link BroadcastRingTest#record}. Prints "ready" once
 * attached; exit status 0 on success, 1 with a message on failure.
 */
public final class BroadcastPeer {
    private BroadcastPeer() {
    }

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "publish" -> publish(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
                case "publishloop" -> publish(args[1], -1, Long.parseLong(args[2]));
                case "subscribe" -> subscribe(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]), 0);
                case "subscribeloop" -> subscribe(args[1], -1, 0, Long.parseLong(args[2]));
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        } catch (Throwable e) {
            System.out.println("failed: " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    static void publish(String name, long count, long gapMicros) throws Exception {
        java.util.Random rnd = new java.util.Random();
        try (BroadcastRing ring = BroadcastRing.open(name); BroadcastPublisher p = ring.publisher()) {
            System.out.println("ready");
            System.out.flush();
            int max = ring.maxRecordLength();
            long i;
            for (i = 0; count < 0 || i < count; i++) {
                long n = p.nextSequence();
                p.publish(BroadcastRingTest.record(n, BroadcastRingTest.lengthOf(n, max)));
                if (gapMicros > 0 && (i & 63) == 63) {
                    long us = rnd.nextInt((int) gapMicros);
                    Thread.sleep(us / 1000, (int) (us % 1000) * 1000);
                }
            }
            System.out.println("ok " + i);
        }
    }

    static void subscribe(String name, long count, long millis, long slowMicros) throws Exception {
        try (BroadcastRing ring = BroadcastRing.open(name); BroadcastSubscriber s = ring.subscriber()) {
            System.out.println("ready");
            System.out.flush();
            int max = ring.maxRecordLength();
            ByteBuffer dst = ByteBuffer.allocateDirect(max);
            long last = -1;
            Duration timeout = count < 0 ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofMillis(millis);
            while (count < 0 || s.received() + s.lost() < count) {
                dst.clear();
                int len;
                try {
                    len = s.poll(dst, timeout);
                } catch (LappedException e) {
                    continue;
                }
                if (len < 0) {
                    throw new AssertionError("no record in " + millis + " ms after " + s.received() + " received, "
                            + s.lost() + " lost");
                }
                long seq = s.nextSequence() - 1;
                long n = BroadcastRingTest.check(dst, 0, len);
                if (n != seq || len != BroadcastRingTest.lengthOf(n, max) || seq <= last) {
                    throw new AssertionError("record seq " + seq + " names " + n + ", length " + len + ", after " + last);
                }
                last = seq;
                if (slowMicros > 0) {
                    Thread.sleep(slowMicros / 1000, (int) (slowMicros % 1000) * 1000);
                }
            }
            System.out.println("ok received " + s.received() + " lost " + s.lost() + " last " + last);
        }
    }
}
