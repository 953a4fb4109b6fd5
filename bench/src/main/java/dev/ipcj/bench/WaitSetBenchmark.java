package dev.ipcj.bench;

import dev.ipcj.WaitSet;
import dev.ipcj.ring.RingConsumer;
import dev.ipcj.ring.RingProducer;
import dev.ipcj.ring.RingVariant;
import dev.ipcj.ring.SharedRing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wake-up latency through a {@link WaitSet} beside a blocking take on the same ring: a
 * ping-pong between the benchmark thread and an echo thread over two ONE_TO_ONE rings, with
 * spinning off (every hop sleeps and is woken). The benchmark thread offers a record into
 * {@code ping} and blocks in {@code pong.take}; the echo thread waits for {@code ping} either
 * in {@code take} (mode {@code take}: FUTEX_WAIT, woken by FUTEX_WAKE) or in a WaitSet (mode
 * {@code waitset}: announced on the consumer's futex word, asleep in epoll_wait, woken by the
 * producer's sendto to the set's doorbell), then polls the record and answers. The difference
 * between the two round trips is what the WaitSet adds to one wake-up.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar WaitSetBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class WaitSetBenchmark {
    @Param({"take", "waitset"})
    String mode;

    SharedRing ping;
    SharedRing pong;
    RingProducer pingOut;
    RingConsumer pongIn;
    ByteBuffer dst = ByteBuffer.allocateDirect(64);
    byte[] msg = new byte[8];
    Thread echo;

    @Setup(Level.Trial)
    public void setup() {
        long pid = ProcessHandle.current().pid();
        ping = ring("/ipcj-jmh-ws-ping-" + pid);
        pong = ring("/ipcj-jmh-ws-pong-" + pid);
        pingOut = ping.producer();
        pongIn = pong.consumer();
        RingConsumer pingIn = ping.consumer();
        RingProducer pongOut = pong.producer();
        boolean viaSet = mode.equals("waitset");
        echo = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            byte[] answer = new byte[8];
            try (WaitSet ws = new WaitSet()) {
                if (viaSet) {
                    ws.add(pingIn, WaitSet.READABLE);
                }
                for (;;) {
                    buf.clear();
                    if (viaSet) {
                        ws.await();
                        if (pingIn.poll(buf) < 0) {
                            continue; // not possible with one producer; re-check anyway
                        }
                    } else {
                        pingIn.take(buf);
                    }
                    pongOut.offer(answer);
                }
            } catch (InterruptedException | dev.ipcj.ClosedException e) {
                // teardown
            }
        }, "echo");
        echo.setDaemon(true);
        echo.start();
    }

    private static SharedRing ring(String name) {
        SharedRing.unlinkIfExists(name);
        SharedRing r = SharedRing.create(name, RingVariant.ONE_TO_ONE, 1 << 16, 64);
        SharedRing.unlink(name); // the mapping stays; nothing to leak if the run dies
        r.setSpinTime(Duration.ZERO); // every hop sleeps: the wake-up is what is measured
        return r;
    }

    @Benchmark
    public int roundTrip() throws InterruptedException {
        pingOut.offer(msg);
        dst.clear();
        return pongIn.take(dst);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        echo.interrupt();
        echo.join(5000);
        ping.close();
        pong.close();
    }
}
