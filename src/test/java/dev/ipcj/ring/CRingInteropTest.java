package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The C twin (ipcj_ring.h, through src/test/c/ring_peer.c) and Java on one ring, blocking included. */
// A lost wake-up shows as a take() that never returns: fail instead of hanging the build.
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CRingInteropTest {
    @RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void cProducerJavaConsumerWithIdleGaps(RingVariant v) throws Exception {
        String n = names.next("c2j");
        int count = 20_000;
        try (SharedRing ring = SharedRing.create(n, v, 4096, 300); RingConsumer c = ring.consumer()) {
            Process p = Processes.startC("ring_peer", "produce", n, "0", "" + count, "41", "3000");
            assertEquals("ready", Processes.readLine(p));
            assertEquals(count, RingPeer.consume(c, count, 1, 300));
            Processes.finish(p, 60);
        }
    }

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void javaProducerCConsumerWithIdleGaps(RingVariant v) throws Exception {
        String n = names.next("j2c");
        int count = 20_000;
        try (SharedRing ring = SharedRing.create(n, v, 4096, 300)) {
            Process c = Processes.startC("ring_peer", "consume", n, "" + count, "1");
            assertEquals("ready", Processes.readLine(c));
            try (RingProducer p = ring.producer()) {
                RingPeer.produce(p, 0, count, 43, 2000, 300);
            }
            assertTrue(Processes.finish(c, 60).contains("ok " + count));
        }
    }

    @Test
    void pingPongWithCEcho() throws Exception {
        String a = names.next("cping");
        String b = names.next("cpong");
        int rounds = 2000;
        try (SharedRing ping = SharedRing.create(a, RingVariant.ONE_TO_ONE, 4096, 64);
             SharedRing pong = SharedRing.create(b, RingVariant.ONE_TO_ONE, 4096, 64)) {
            Process e = Processes.startC("ring_peer", "echo", a, b, "" + rounds);
            assertEquals("ready", Processes.readLine(e));
            try (RingProducer p = ping.producer(); RingConsumer c = pong.consumer()) {
                for (int i = 0; i < rounds; i++) {
                    byte[] m = Records.make(i, 0, 64);
                    p.put(m);
                    byte[] r = c.poll(Duration.ofSeconds(20));
                    assertNotNull(r, "no echo for round " + i);
                    assertArrayEquals(m, r);
                    if (i % 100 == 0) {
                        Thread.sleep(1);
                    }
                }
            }
            Processes.finish(e, 30);
        }
    }

    /** Two C producers and one Java producer thread into a MANY_TO_ONE ring, read by Java. */
    @Test
    void cAndJavaProducersIntoOneConsumer() throws Exception {
        String n = names.next("cmpsc");
        int each = 20_000;
        try (SharedRing ring = SharedRing.create(n, RingVariant.MANY_TO_ONE, 8192, 256);
             RingConsumer c = ring.consumer()) {
            List<Process> ps = new ArrayList<>();
            for (int id = 1; id <= 2; id++) {
                ps.add(Processes.startC("ring_peer", "produce", n, "" + id, "" + each, "500", "300"));
                assertEquals("ready", Processes.readLine(ps.get(ps.size() - 1)));
            }
            Thread jp = new Thread(() -> {
                try (RingProducer p = ring.producer()) {
                    RingPeer.produce(p, 0, each, 0, 0, 256);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            jp.start();
            long[] next = new long[3];
            long[] total = {0};
            while (total[0] < 3L * each) {
                int k = c.read((b, o, l) -> {
                    long seq = Records.check(b, o, l, 256);
                    int id = Records.producer(b, o);
                    assertEquals(next[id], seq, "producer " + id);
                    next[id]++;
                    total[0]++;
                }, 64, Duration.ofSeconds(20));
                assertTrue(k > 0, "nothing for 20 s after " + total[0]);
            }
            jp.join(10_000);
            for (Process p : ps) {
                Processes.finish(p, 30);
            }
        }
    }

    /** A ring created by C is joined by Java (the header the C twin writes is the one Java checks). */
    @Test
    void javaJoinsRingFilledByC() throws Exception {
        String n = names.next("cjoin");
        try (SharedRing ring = SharedRing.create(n, RingVariant.ONE_TO_ONE, 1 << 20, 4000);
             RingConsumer c = ring.consumer()) {
            Process p = Processes.startC("ring_peer", "produce", n, "5", "100", "0", "0");
            Processes.finish(p, 20);
            ByteBuffer dst = ByteBuffer.allocate(4000).order(java.nio.ByteOrder.nativeOrder());
            for (int i = 0; i < 100; i++) {
                dst.clear();
                int len = c.poll(dst);
                assertEquals(i, Records.check(dst, 0, len, 4000));
            }
            assertEquals(-1, c.poll(dst));
        }
    }
}
