package dev.ipcj.ring;

import static org.junit.jupiter.api.Assertions.*;

import dev.ipcj.CorruptedException;
import dev.ipcj.IpcException;
import dev.ipcj.test.IpcNames;
import dev.ipcj.test.Processes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A C process scribbles random bytes over the header, the positions, the waiting words and the
 * first records while a producer and a consumer thread use the ring: they must end in
 * CorruptedException (or keep working on bytes that happen to be valid), never crash the JVM,
 * never read outside the mapping, never hang.
 */
class RingHostileTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final IpcNames names = new IpcNames();

    @ParameterizedTest
    @EnumSource(RingVariant.class)
    void scribblingProcessEndsInCorruptedException(RingVariant v) throws Exception {
        int corrupted = 0;
        for (int round = 0; round < 3; round++) {
            String n = names.next("hostile");
            AtomicReference<Throwable> pe = new AtomicReference<>();
            AtomicReference<Throwable> ce = new AtomicReference<>();
            try (SharedRing ring = SharedRing.create(n, v, 4096, 100)) {
                Process s = Processes.startC("ring_peer", "scribble", n, "400", "" + round);
                assertEquals("ready", Processes.readLine(s));
                long stop = System.nanoTime() + 1_500_000_000L;
                Thread p = new Thread(() -> {
                    try (RingProducer rp = ring.producer()) {
                        for (long seq = 0; System.nanoTime() < stop; seq++) {
                            rp.offer(Records.make(seq, 0, 100), Duration.ofMillis(20));
                        }
                    } catch (Throwable e) {
                        pe.set(e);
                    }
                });
                Thread c = new Thread(() -> {
                    try (RingConsumer rc = ring.consumer()) {
                        while (System.nanoTime() < stop) {
                            rc.read((b, o, l) -> b.get(o + l - 1), 100, Duration.ofMillis(20));
                        }
                    } catch (Throwable e) {
                        ce.set(e);
                    }
                });
                p.start();
                c.start();
                p.join(10_000);
                c.join(10_000);
                assertFalse(p.isAlive() || c.isAlive(), "a thread hangs");
                Processes.finish(s, 10);
            }
            for (Throwable t : new Throwable[] {pe.get(), ce.get()}) {
                if (t == null) {
                    continue;
                }
                if (!(t instanceof IpcException)) {
                    throw new AssertionError("not an IpcException", t);
                }
                if (t instanceof CorruptedException) {
                    corrupted++;
                    assertTrue(t.getMessage().contains(n), t.getMessage());
                }
            }
        }
        assertTrue(corrupted >= 2, "garbage over the header went unnoticed: " + corrupted + " CorruptedExceptions");
    }
}
