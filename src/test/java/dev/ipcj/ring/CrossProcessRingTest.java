package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two and more JVMs on one ring: order, checksums, and no lost wake-up across bursts and idle gaps. */
// A lost wake-up shows as a take() that never returns: fail instead of hanging the build.
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CrossProcessRingTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    /**
     * Bursts of 1..50 records separated by idle gaps of up to 3 ms (far longer than the spin),
     * so the consumer goes to sleep in FUTEX_WAIT hundreds of times and must be woken every
     * time; a lost wake-up shows as a 20 s poll timeout. The ring is small, so the producer
     * also sleeps on full.
     */
    @Test
    void burstsAndIdleGapsLoseNoWakeUpJavaToJava() throws Exception {
        String n = names.next("bursts");
        int count = 20_000;
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 4096, 300);
             RingConsumer c = ring.consumer()) {
            Process p = Processes.startJava(RingPeer.class, "produce", n, "0", "" + count, "37", "3000");
            assertEquals("ready", Processes.readLine(p));
            assertEquals(count, RingPeer.consume(c, count, 1, 300));
            Processes.finish(p, 60);
        }
    }

    /** The other direction: the child consumes, the test produces with gaps (the child sleeps). */
    @Test
    void childConsumerSleepsAndIsWoken() throws Exception {
        String n = names.next("childc");
        int count = 5_000;
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 8192, 500)) {
            Process c = Processes.startJava(RingPeer.class, "consume", n, "" + count, "1");
            assertEquals("ready", Processes.readLine(c));
            try (RingProducer p = ring.producer()) {
                RingPeer.produce(p, 0, count, 100, 2000, 500);
            }
            assertTrue(Processes.finish(c, 60).contains("ok " + count));
        }
    }

    /** Blocking ping-pong: every message wakes a sleeping peer in the other process. */
    @Test
    void pingPongAcrossProcessesBlocking() throws Exception {
        String a = names.next("ping");
        String b = names.next("pong");
        int rounds = 300;
        try (SharedRing ping = SharedRing.create(a, RingVariant.ONE_TO_ONE, 4096, 64);
             SharedRing pong = SharedRing.create(b, RingVariant.ONE_TO_ONE, 4096, 64)) {
            Process e = Processes.startJava(RingPeer.class, "echo", a, b, "" + rounds);
            assertEquals("ready", Processes.readLine(e));
            try (RingProducer p = ping.producer(); RingConsumer c = pong.consumer()) {
                for (int i = 0; i < rounds; i++) {
                    byte[] m = Records.make(i, 0, 64);
                    p.put(m);
                    byte[] r = c.poll(Duration.ofSeconds(20));
                    assertNotNull(r, "no echo for round " + i);
                    assertArrayEquals(m, r);
                    if (i % 50 == 0) {
                        Thread.sleep(2); // let the echo go to sleep in the kernel
                    }
                }
            }
            Processes.finish(e, 30);
        }
    }

    /** Three producer JVMs and this thread on a MANY_TO_ONE ring: per-producer order, no loss, no tearing. */
    @Test
    void manyProducersOneConsumer() throws Exception {
        String n = names.next("mpsc");
        int each = 10_000;
        int producers = 3;
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 8192, 400);
             RingConsumer c = ring.consumer()) {
            List<Process> ps = new ArrayList<>();
            for (int id = 0; id < producers; id++) {
                ps.add(Processes.startJava(RingPeer.class, "produce", n, "" + id, "" + each, "200", "500"));
            }
            for (Process p : ps) {
                assertEquals("ready", Processes.readLine(p));
            }
            long[] next = new long[producers];
            long total = 0;
            ByteBuffer dst = ByteBuffer.allocate(400).order(java.nio.ByteOrder.nativeOrder());
            while (total < (long) each * producers) {
                dst.clear();
                int len = c.poll(dst, Duration.ofSeconds(20));
                assertTrue(len >= 0, "no record for 20 s after " + total);
                long seq = Records.check(dst, 0, len, 400);
                int id = Records.producer(dst, 0);
                assertEquals(next[id], seq, "producer " + id);
                next[id]++;
                total++;
            }
            for (Process p : ps) {
                Processes.finish(p, 30);
            }
        }
    }
}
