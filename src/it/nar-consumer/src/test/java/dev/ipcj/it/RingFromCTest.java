package dev.ipcj.it;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cross-check between the two sides: a ring made by Java (ipcj-platform), filled by the C
 * program that nar-maven-plugin built against the ipcj-c NAR (ipcj-ring-client produce), and
 * consumed and checked record by record in Java. Fails when the program was not built (nar-test
 * itself only warns about a missing executable), when it fails, or when a record differs.
 * The record format is ring_client.c's record_length/record_byte.
 */
class RingFromCTest {
    private static final String PREFIX = "/ipcj-test-consumer-" + ProcessHandle.current().pid();
    private static final int MAX_RECORD = 200;
    private static final int RECORDS = 20_000;

    @Test
    void oneToOneRingFilledByTheCProgram() throws Exception {
        String name = PREFIX + "-nar-ring1";
        try (SharedRing ring = SharedRing.create(name, RingVariant.ONE_TO_ONE, 8192, MAX_RECORD);
             RingConsumer consumer = ring.consumer()) {
            Process c = startProducer(name, 0);
            try {
                consumeAndCheck(consumer, new int[] {RECORDS}, List.of(c));
                assertTrue(c.waitFor(30, TimeUnit.SECONDS), "ipcj-ring-client produce did not end");
                assertEquals(0, c.exitValue(), "ipcj-ring-client produce failed");
            } finally {
                c.destroyForcibly().waitFor();
            }
        } finally {
            SharedRing.unlinkIfExists(name);
        }
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
    }

    /** Two C producers and one Java producer (id 2) at once into one MANY_TO_ONE ring. */
    @Test
    void manyToOneRingFilledByCAndJavaTogether() throws Exception {
        String name = PREFIX + "-nar-ring2";
        List<Process> producers = new ArrayList<>();
        try (SharedRing ring = SharedRing.create(name, RingVariant.MANY_TO_ONE, 8192, MAX_RECORD);
             RingConsumer consumer = ring.consumer();
             RingProducer javaProducer = ring.producer()) {
            try {
                producers.add(startProducer(name, 0));
                producers.add(startProducer(name, 1));
                Thread javaSide = new Thread(() -> {
                    byte[] buf = new byte[MAX_RECORD];
                    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
                    try {
                        for (int seq = 0; seq < RECORDS; seq++) {
                            int len = recordLength(2, seq);
                            b.putInt(0, 2).putInt(4, seq);
                            for (int i = 8; i < len; i++) {
                                buf[i] = recordByte(2, seq, i);
                            }
                            if (!javaProducer.offer(ByteBuffer.wrap(buf, 0, len), Duration.ofSeconds(20))) {
                                return; // the consumer reports the missing records
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                javaSide.start();
                consumeAndCheck(consumer, new int[] {RECORDS, RECORDS, RECORDS}, producers);
                javaSide.join(30_000);
                for (Process p : producers) {
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ipcj-ring-client produce did not end");
                    assertEquals(0, p.exitValue(), "ipcj-ring-client produce failed");
                }
            } finally {
                for (Process p : producers) {
                    p.destroyForcibly().waitFor();
                }
            }
        } finally {
            SharedRing.unlinkIfExists(name);
        }
    }

    private static Process startProducer(String name, int id) throws Exception {
        String exe = System.getProperty("ipcj.ringClient");
        assertNotNull(exe, "system property ipcj.ringClient (set by the pom) is missing");
        assertTrue(Files.isExecutable(Path.of(exe)), "the C ring client was not built: " + exe);
        return new ProcessBuilder(exe, "produce", name, Integer.toString(RECORDS), Integer.toString(id))
                .inheritIO().start();
    }

    /**
     * Takes records until every producer's count has come, checking each; fails on the first wrong
     * one, and when no record comes, names a C producer that has failed.
     */
    private static void consumeAndCheck(RingConsumer consumer, int[] counts, List<Process> cProducers) throws Exception {
        int[] next = new int[counts.length];
        String[] bad = new String[1];
        long total = 0;
        for (int n : counts) {
            total += n;
        }
        long seen = 0;
        while (seen < total) {
            int n = consumer.read((buf, off, len) -> {
                if (bad[0] != null) {
                    return;
                }
                if (len < 8) {
                    bad[0] = "a record of " + len + " bytes";
                    return;
                }
                ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
                int id = b.getInt(off);
                int seq = b.getInt(off + 4);
                if (id < 0 || id >= counts.length) {
                    bad[0] = "producer id " + id;
                } else if (seq != next[id]) {
                    bad[0] = "producer " + id + ": record " + seq + " where " + next[id] + " was due";
                } else if (len != recordLength(id, seq)) {
                    bad[0] = "producer " + id + " record " + seq + ": length " + len + ", not " + recordLength(id, seq);
                } else {
                    for (int i = 8; i < len; i++) {
                        if (b.get(off + i) != recordByte(id, seq, i)) {
                            bad[0] = "producer " + id + " record " + seq + ": byte " + i + " differs";
                            return;
                        }
                    }
                    next[id]++;
                }
            }, 64, Duration.ofSeconds(20));
            assertNull(bad[0]);
            if (n == 0) {
                for (Process p : cProducers) {
                    if (!p.isAlive() && p.exitValue() != 0) {
                        fail("ipcj-ring-client produce exited with " + p.exitValue() + " after " + seen + " records");
                    }
                }
            }
            assertTrue(n > 0, "no record for 20 s after " + seen + " of " + total);
            seen += n;
        }
        assertArrayEquals(counts, next);
        assertEquals(0, consumer.read((buf, off, len) -> { }, 1), "records after the last");
    }

    /** ring_client.c's record_length: 8 + (seq * 7 + id * 13) % (200 - 7), in unsigned 32-bit arithmetic. */
    static int recordLength(int id, int seq) {
        return 8 + (int) (((seq * 7L + id * 13L) & 0xFFFF_FFFFL) % (MAX_RECORD - 7));
    }

    /** ring_client.c's record_byte. */
    static byte recordByte(int id, int seq, int i) {
        return (byte) (seq * 31 + i * 17 + id);
    }
}
